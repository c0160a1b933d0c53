/**
 * Column builders shared by every workbook the tool writes (report, diff, verify-upgrade): text,
 * repeating labels, UTC date cells and numbers, with the report's widths and conventions.
 * @module
 */
import type { CellValue } from './cells.js';
import type { ColumnSpec } from './sheets.js';

export function text<R>(header: string, width: number, value: (row: R) => CellValue): ColumnSpec<R> {
  return { header, width, type: 'text', value };
}
/** A text column of few distinct values (see ColumnSpec.repeats). */
export function label<R>(header: string, width: number, value: (row: R) => CellValue): ColumnSpec<R> {
  return { header, width, type: 'text', repeats: true, value };
}
export function date<R>(header: string, value: (row: R) => CellValue): ColumnSpec<R> {
  return { header: `${header} (UTC)`, width: 20, type: 'date', value };
}
export function num<R>(header: string, width: number, value: (row: R) => CellValue): ColumnSpec<R> {
  return { header, width, type: 'number', value };
}
