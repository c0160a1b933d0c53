/**
 * The workbook, written with exceljs's streaming WorkbookWriter so memory stays flat whatever the
 * org size. exceljs builds the package (workbook, styles, sheet views, autofilter, zip) and each
 * sheet's header row; data rows are serialised here straight into the sheet's stream, because
 * exceljs's per-cell objects make its own row API about 5x slower (bench/report.ts measures
 * both), too slow for millions of factor rows. Every text cell is an inline string (never a
 * formula) built from {@link safeText}.
 * @module
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { AuditError } from '../errors.js';
import { type CellValue, EXCEL_MAX_CELL_CHARS, EXCEL_MAX_ROWS, excelSerial, safeText, startsLikeFormula, timestampMs } from './cells.js';
import { type ColumnSpec, partName, type RowStyle, SEVERITIES, type Severity, type SheetSpec } from './sheets.js';

export interface XlsxOptions {
  /** Rows per sheet, header included; a sheet with more continues on "<name> (2)". */
  rowLimit?: number;
  /** Stamped into the document properties. */
  now?: Date;
  /** Called as each sheet (or continuation) is complete, e.g. for a progress line. */
  onSheet?: (part: XlsxPart, ms: number) => void;
}

export interface XlsxPart {
  sheet: string;
  name: string;
  rows: number;
}

/** Fill and font per severity: the word is always written too, colour only reinforces it. */
export const SEVERITY_COLOURS: Record<Severity, { fill: string; font: string }> = {
  critical: { fill: 'FF8B0000', font: 'FFFFFFFF' },
  high: { fill: 'FFD32F2F', font: 'FFFFFFFF' },
  medium: { fill: 'FFFFA500', font: 'FF000000' },
  low: { fill: 'FFFFEB3B', font: 'FF000000' },
  info: { fill: 'FFBDD7EE', font: 'FF000000' },
};

export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

// Buffered XML (in exceljs's stream and the zip entry) above which writing waits for the
// compressor: this is what keeps memory flat.
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
const CHUNK_CHARS = 64 * 1024;

// ---- the exceljs internals this module relies on (exceljs 4.4), checked at start ----

interface StyleRegistry {
  addStyleModel(model: Partial<ExcelJS.Style>, cellType?: ExcelJS.ValueType): number;
}
interface SheetStream {
  write(chunk: string): unknown;
  buffers?: Array<{ length: number }>;
  pipes?: Array<{ _writableState?: { length: number }; _readableState?: { length: number } }>;
}
interface SheetWriter {
  columns: Array<Partial<ExcelJS.Column>>;
  addRow(values: unknown[]): ExcelJS.Row;
  commit(): void;
  readonly stream: SheetStream;
}
interface BookWriter {
  creator: string;
  created: Date;
  modified: Date;
  readonly styles: StyleRegistry;
  readonly zip?: { on(event: 'error', fn: (e: Error) => void): unknown };
  addWorksheet(name: string, options: Partial<ExcelJS.AddWorksheetOptions> & { autoFilter?: string }): SheetWriter;
  commit(): Promise<void>;
}

function openBook(out: Writable): BookWriter {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false, // a shared-string table would hold every distinct login in memory
    zip: { zlib: { level: 1 } }, // sheet XML compresses ~10:1 even at the fastest level
  }) as unknown as BookWriter;
  if (typeof book.styles?.addStyleModel !== 'function') {
    throw new AuditError('ERR_REPORT', 'The installed exceljs is not the 4.4 release oie-audit was built with; reinstall oie-audit (npm ci) to restore it.');
  }
  return book;
}

/** Bytes written to the sheet but not yet taken by the compressor. */
function pendingBytes(stream: SheetStream): number {
  let n = 0;
  for (const b of stream.buffers ?? []) n += b.length;
  for (const p of stream.pipes ?? []) n += (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0);
  return n;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---- XML text ----

const XML_SPECIAL = /[&<>\r]/;
// Printable ASCII without & < >: needs no XML escaping and holds nothing XML forbids.
const PLAIN_ASCII = /^[\x20-\x25\x27-\x3B\x3D\x3F-\x7E]*$/;
const EXCEL_ESCAPE = /_(x[0-9A-Fa-f]{4}_)/g;

/**
 * Element text: XML entities, CR kept as a reference (a raw one would read back as LF), and
 * Excel's own `_xHHHH_` escapes protected so such text shows literally.
 */
export function xmlText(text: string): string {
  let s = text;
  if (s.includes('_x')) s = s.replace(EXCEL_ESCAPE, '_x005F_$1');
  if (!XML_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** A text cell's `<t>` content: {@link safeText}, then {@link xmlText}. */
export function cellText(value: string): string {
  if (value.length < EXCEL_MAX_CELL_CHARS && PLAIN_ASCII.test(value)) {
    // The common case in one scan: plain ASCII needs no XML work and no cap, only these two.
    const body = startsLikeFormula(value) ? `'${value}` : value;
    return body.includes('_x') ? body.replace(EXCEL_ESCAPE, '_x005F_$1') : body;
  }
  return xmlText(safeText(value));
}

function needsPreserve(s: string): boolean {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first <= 32 || last <= 32 || s.includes('\n');
}

export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

// ---- styles ----

type CellKind = 'text' | 'wrap' | 'number' | 'date' | Severity;

class Styles {
  readonly #registry: StyleRegistry;
  readonly #ids = new Map<string, string>();
  /** Attributes of cells in unstyled rows, the hot path: no key to build per cell. */
  readonly plain: Record<CellKind, string>;
  readonly header: Partial<ExcelJS.Style> = {
    font: { bold: true, color: { argb: 'FF000000' } },
    fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } },
    alignment: { vertical: 'middle', wrapText: true },
    border: { bottom: { style: 'thin', color: { argb: 'FF808080' } } },
  };

  constructor(registry: StyleRegistry) {
    this.#registry = registry;
    const kinds: CellKind[] = ['text', 'wrap', 'number', 'date', ...SEVERITIES];
    this.plain = Object.fromEntries(kinds.map((k) => [k, this.#lookup(k, undefined)])) as Record<CellKind, string>;
  }

  /** The ` s="N"` attribute for a cell kind in a row style ('' for the default style). */
  attr(kind: CellKind, row: RowStyle | undefined): string {
    return row === undefined ? this.plain[kind] : this.#lookup(kind, row);
  }

  #lookup(kind: CellKind, row: RowStyle | undefined): string {
    const key = `${kind}|${row ?? ''}`;
    let attr = this.#ids.get(key);
    if (attr === undefined) {
      const model = this.#model(kind, row);
      attr = model === undefined ? '' : ` s="${this.#registry.addStyleModel(model, kind === 'date' ? ExcelJS.ValueType.Date : ExcelJS.ValueType.String)}"`;
      this.#ids.set(key, attr);
    }
    return attr;
  }

  #model(kind: CellKind, row: RowStyle | undefined): Partial<ExcelJS.Style> | undefined {
    const model: Partial<ExcelJS.Style> = {};
    if (kind === 'date') model.numFmt = DATE_FORMAT;
    if (kind === 'wrap') model.alignment = { wrapText: true, vertical: 'top' };
    if ((SEVERITIES as readonly string[]).includes(kind)) {
      const c = SEVERITY_COLOURS[kind as Severity];
      model.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: c.fill } };
      model.font = { bold: true, color: { argb: c.font } };
    } else if (row === 'warning') {
      model.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
      model.font = { bold: true, size: 12, color: { argb: 'FF9C0006' } };
    } else if (row === 'section') {
      model.font = { bold: true };
    }
    if (row === 'section' || row === 'warning') model.border = { top: { style: 'thin', color: { argb: 'FF808080' } } };
    return Object.keys(model).length === 0 ? undefined : model;
  }
}

function severityKey(value: string): Severity | undefined {
  const s = value.toLowerCase();
  return (SEVERITIES as readonly string[]).includes(s) ? (s as Severity) : undefined;
}

// ---- rows ----

/** Lines a wrapped cell needs at a column width in characters (a little under, to be safe). */
function wrappedLines(text: string, width: number): number {
  const perLine = Math.max(1, Math.floor(width * 0.95));
  return text.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(line.length / perLine)), 0);
}

class RowWriter {
  readonly #styles: Styles;
  readonly #letters: string[];
  readonly #columns: ReadonlyArray<ColumnSpec<unknown>>;

  constructor(styles: Styles, columns: ReadonlyArray<ColumnSpec<unknown>>) {
    this.#styles = styles;
    this.#columns = columns;
    this.#letters = columns.map((_, i) => columnLetters(i));
  }

  row(r: number, data: unknown, rowStyle: RowStyle | undefined): string {
    let cells = '';
    let lines = 1;
    const cols = this.#columns;
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      const value = col.value(data);
      cells += this.#cell(`${this.#letters[c]}${r}`, col, value, rowStyle);
      if (col.wrap === true && typeof value === 'string') lines = Math.max(lines, wrappedLines(value, col.width));
    }
    // Spreadsheets do not grow a row for wrapped text written this way: give it the height it needs.
    const height = lines > 1 ? ` ht="${Math.min(409, lines * 15)}" customHeight="1"` : '';
    return `<row r="${r}"${height}>${cells}</row>`;
  }

  #cell(ref: string, col: ColumnSpec<unknown>, value: CellValue, rowStyle: RowStyle | undefined): string {
    const styles = this.#styles;
    if (value === null || value === undefined || value === '') {
      // A banner or section line is styled across the whole row.
      return rowStyle === undefined ? '' : `<c r="${ref}"${styles.attr('text', rowStyle)}/>`;
    }
    if (typeof value === 'number') {
      if (Number.isFinite(value)) return `<c r="${ref}"${styles.attr('number', rowStyle)}><v>${value}</v></c>`;
      return this.#text(ref, String(value), 'text', rowStyle);
    }
    if (value instanceof Date) return this.#date(ref, value.getTime(), rowStyle) ?? this.#text(ref, String(value), 'text', rowStyle);
    if (col.type === 'date') {
      const ms = timestampMs(value);
      if (ms !== null) return this.#date(ref, ms, rowStyle)!;
    }
    if (col.type === 'severity') return this.#text(ref, value, severityKey(value) ?? 'text', rowStyle);
    return this.#text(ref, value, col.wrap === true ? 'wrap' : 'text', rowStyle);
  }

  #date(ref: string, ms: number, rowStyle: RowStyle | undefined): string | undefined {
    const serial = excelSerial(ms);
    if (!Number.isFinite(serial)) return undefined;
    return `<c r="${ref}"${this.#styles.attr('date', rowStyle)}><v>${serial}</v></c>`;
  }

  #text(ref: string, value: string, kind: CellKind, rowStyle: RowStyle | undefined): string {
    const body = cellText(value);
    const space = needsPreserve(body) ? ' xml:space="preserve"' : '';
    return `<c r="${ref}" t="inlineStr"${this.#styles.attr(kind, rowStyle)}><is><t${space}>${body}</t></is></c>`;
  }
}

/**
 * Writes the sheets, in order, as one workbook to `out` and resolves once `out` has finished.
 * A sheet over the row limit continues on "<name> (2)", "(3)", … each with the same header.
 */
export async function writeXlsx(out: Writable, sheets: ReadonlyArray<SheetSpec>, options: XlsxOptions = {}): Promise<XlsxPart[]> {
  const rowLimit = options.rowLimit ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(rowLimit) || rowLimit < 2 || rowLimit > EXCEL_MAX_ROWS) {
    throw new AuditError('ERR_REPORT', `Row limit ${rowLimit} is not between 2 and ${EXCEL_MAX_ROWS}; leave it at its default.`);
  }
  let failure: Error | undefined;
  const fail = (e: Error): void => {
    failure ??= e;
  };
  out.on('error', fail);
  const book = openBook(out);
  book.zip?.on('error', fail);
  const now = options.now ?? new Date();
  book.creator = 'oie-audit';
  book.created = now;
  book.modified = now;
  const styles = new Styles(book.styles);
  const parts: XlsxPart[] = [];

  const check = (): void => {
    if (failure !== undefined) throw failure;
  };

  for (const spec of sheets) {
    const columns = spec.columns as ReadonlyArray<ColumnSpec<unknown>>;
    const writer = new RowWriter(styles, columns);
    const lastColumn = columnLetters(columns.length - 1);
    let part = 0;
    let sheet: SheetWriter | undefined;
    let rowNumber = 0;
    let chunk = '';

    const flush = async (): Promise<void> => {
      if (chunk !== '' && sheet !== undefined) sheet.stream.write(chunk);
      chunk = '';
      // Let the zip stream and compressor run, and wait for them if they fall behind.
      await nextTurn();
      while (sheet !== undefined && pendingBytes(sheet.stream) > HIGH_WATER_BYTES) {
        check();
        await pause(1);
      }
      check();
    };
    const open = (): void => {
      part += 1;
      const name = partName(spec.name, part);
      sheet = book.addWorksheet(name, {
        views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
        autoFilter: `A1:${lastColumn}1`,
        // Printed, every sheet is landscape and one page wide, its header repeated on each page.
        pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
      });
      sheet.columns = columns.map((c) => ({ width: c.width }));
      // The header goes through exceljs, which also writes the column widths before it.
      const header = sheet.addRow(columns.map((c) => safeText(c.header)));
      header.height = 30;
      header.eachCell((cell) => {
        cell.style = styles.header;
      });
      header.commit();
      rowNumber = 1;
      parts.push({ sheet: spec.name, name, rows: 0 });
    };
    let started = performance.now();
    const close = async (): Promise<void> => {
      await flush();
      sheet?.commit();
      sheet = undefined;
      options.onSheet?.(parts[parts.length - 1]!, performance.now() - started);
      started = performance.now();
    };

    open();
    for (const row of spec.rows()) {
      if (rowNumber >= rowLimit) {
        await close();
        open();
      }
      rowNumber += 1;
      parts[parts.length - 1]!.rows += 1;
      chunk += writer.row(rowNumber, row, spec.rowStyle?.(row));
      if (chunk.length >= CHUNK_CHARS) await flush();
    }
    await close();
  }
  check();
  await Promise.race([
    book.commit(),
    new Promise<never>((_, reject) => {
      out.once('error', reject);
      if (failure !== undefined) reject(failure);
    }),
  ]);
  return parts;
}
