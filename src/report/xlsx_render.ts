/**
 * Sheet XML, rendered straight from the sheet specs into part files (one per sheet or
 * continuation), because exceljs's per-cell objects make its own row API about 5x slower
 * (bench/report.ts measures both), too slow for millions of factor rows. Every text cell is an
 * inline or shared string (never a formula) built from {@link safeText}. Used on the main thread
 * and in render workers alike; xlsx.ts puts the parts together.
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type ExcelJS from 'exceljs';
import { type CellValue, EXCEL_MAX_CELL_CHARS, excelSerial, safeText, startsLikeFormula, timestampMs } from './cells.js';
import { type ColumnSpec, partName, partsFor, type RowStyle, SEVERITIES, type Severity, type SheetSpec } from './sheets.js';

/** Fill and font per severity: the word is always written too, colour only reinforces it. */
export const SEVERITY_COLOURS: Record<Severity, { fill: string; font: string }> = {
  critical: { fill: 'FF8B0000', font: 'FFFFFFFF' },
  high: { fill: 'FFD32F2F', font: 'FFFFFFFF' },
  medium: { fill: 'FFFFA500', font: 'FF000000' },
  low: { fill: 'FFFFEB3B', font: 'FF000000' },
  info: { fill: 'FFBDD7EE', font: 'FF000000' },
};

export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

// Rendered XML per write to a part file.
const CHUNK_CHARS = 256 * 1024;

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

const KINDS: readonly CellKind[] = ['text', 'wrap', 'number', 'date', ...SEVERITIES];
const ROW_STYLES: ReadonlyArray<RowStyle | undefined> = [undefined, 'warning', 'section'];

/** Every cell style the writer uses, registered with the packager up front (there are few). */
export class Styles {
  readonly #attrs = new Map<string, string>();
  /** Attributes of cells in unstyled rows, the hot path: no key to build per cell. */
  plain = {} as Record<CellKind, string>;
  readonly header: Partial<ExcelJS.Style> = {
    font: { bold: true, color: { argb: 'FF000000' } },
    fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } },
    alignment: { vertical: 'middle', wrapText: true },
    border: { bottom: { style: 'thin', color: { argb: 'FF808080' } } },
  };

  /** The styles to register, in order; {@link ids} takes their ids in the same order. */
  models(): Array<{ model: Partial<ExcelJS.Style>; date: boolean }> {
    return this.#combinations().map(([kind, row]) => ({ model: Styles.#model(kind, row) ?? {}, date: kind === 'date' }));
  }

  ids(ids: readonly number[]): void {
    this.#combinations().forEach(([kind, row], i) => {
      this.#attrs.set(`${kind}|${row ?? ''}`, Styles.#model(kind, row) === undefined ? '' : ` s="${ids[i]}"`);
    });
    this.plain = Object.fromEntries(KINDS.map((k) => [k, this.#attrs.get(`${k}|`)!])) as Record<CellKind, string>;
  }

  /** The ` s="N"` attribute for a cell kind in a row style ('' for the default style). */
  attr(kind: CellKind, row: RowStyle | undefined): string {
    return row === undefined ? this.plain[kind] : (this.#attrs.get(`${kind}|${row}`) ?? '');
  }

  #combinations(): Array<[CellKind, RowStyle | undefined]> {
    return ROW_STYLES.flatMap((row) => KINDS.map((kind): [CellKind, RowStyle | undefined] => [kind, row]));
  }

  static #model(kind: CellKind, row: RowStyle | undefined): Partial<ExcelJS.Style> | undefined {
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

// Bounds on the shared-string table, whatever the data holds: beyond them cells are inline.
const MAX_SHARED_STRINGS = 20_000;
const MAX_SHARED_CHARS = 2_000;

/**
 * Text of repeating columns (statuses, types, rule titles, recommendations) goes once into the
 * workbook's shared-string table and each cell holds its index: the Findings sheet alone repeats
 * a recommendation hundreds of characters long on every row. Logins and other unique values stay
 * inline, so the table (held in memory until the workbook is committed) stays small.
 *
 * Renderers working side by side each number their strings in their own slots of the table
 * (`first`, `first + step`, …), so no index is given twice; the packager fills the gaps.
 */
export class SharedCells {
  /** This renderer's strings, in slot order. */
  readonly strings: string[] = [];
  /** Value → the cell's `<v>` element, or '' for a value written inline. */
  readonly #refs = new Map<string, string>();

  constructor(readonly first = 0, readonly step = 1) {}

  /** The `<v>index</v>` of the value's shared string, or undefined to write it inline. */
  ref(value: string): string | undefined {
    const known = this.#refs.get(value);
    if (known !== undefined) return known === '' ? undefined : known;
    if (this.#refs.size >= MAX_SHARED_STRINGS) return undefined;
    // exceljs writes the table: it escapes XML but keeps a CR raw (that would read back as LF),
    // so such text stays inline. Excel's own _xHHHH_ escapes are protected here.
    const text = safeText(value);
    let ref = '';
    if (value.length <= MAX_SHARED_CHARS && !text.includes('\r')) {
      ref = `<v>${this.first + this.step * this.strings.length}</v>`;
      this.strings.push(text.includes('_x') ? text.replace(EXCEL_ESCAPE, '_x005F_$1') : text);
    }
    this.#refs.set(value, ref);
    return ref === '' ? undefined : ref;
  }
}

class RowWriter {
  readonly #styles: Styles;
  readonly #shared: SharedCells;
  readonly #letters: string[];
  readonly #columns: ReadonlyArray<ColumnSpec<unknown>>;

  constructor(styles: Styles, shared: SharedCells, columns: ReadonlyArray<ColumnSpec<unknown>>) {
    this.#styles = styles;
    this.#shared = shared;
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
    if (col.repeats === true && rowStyle === undefined) {
      const shared = this.#shared.ref(value);
      if (shared !== undefined) return `<c r="${ref}" t="s"${this.#styles.plain.text}>${shared}</c>`;
    }
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


/** One sheet, or one continuation of a sheet past the row limit: a worksheet of the workbook. */
export interface PartPlan {
  /** Which sheet spec (its index in the report's list) and which of its parts: "3.0", "3.1", … */
  key: string;
  /** The sheet spec's name, and this part's own ("Factors (2)"). */
  sheet: string;
  name: string;
  headers: string[];
  widths: number[];
  lastColumn: string;
  /** Data rows, header excluded. */
  rows: number;
}

/** The worksheets one spec (the `index`-th of the report's) makes: its rows split at the row limit. */
export function sheetParts(spec: SheetSpec, index: number, rowLimit: number): PartPlan[] {
  const total = spec.count();
  const perPart = rowLimit - 1;
  return Array.from({ length: partsFor(total, rowLimit) }, (_, k): PartPlan => ({
    key: `${index}.${k}`,
    sheet: spec.name,
    name: partName(spec.name, k + 1),
    headers: spec.columns.map((c) => safeText(c.header)),
    widths: spec.columns.map((c) => c.width),
    lastColumn: columnLetters(spec.columns.length - 1),
    rows: Math.min(perPart, total - k * perPart),
  }));
}

/** The worksheets the specs make, in order. */
export function planParts(sheets: ReadonlyArray<SheetSpec>, rowLimit: number): PartPlan[] {
  return sheets.flatMap((spec, index) => sheetParts(spec, index, rowLimit));
}

export interface RenderedPart {
  key: string;
  file: string;
  rows: number;
  ms: number;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Renders one sheet's rows into its part files (`file(key)`, created private and new), its parts
 * `first`, `first + 1`, …, and awaits `done` for each as it is complete. With `only`, just part
 * `first`, its rows read from where it starts (the spec's rowsFrom). Between chunks it gives the
 * thread's other work a turn.
 */
export async function renderSheet(
  spec: SheetSpec,
  parts: readonly PartPlan[],
  first: number,
  o: { styles: Styles; shared: SharedCells; file: (key: string) => string; only?: boolean },
  done: (p: RenderedPart) => Promise<void>,
): Promise<void> {
  const writer = new RowWriter(o.styles, o.shared, spec.columns as ReadonlyArray<ColumnSpec<unknown>>);
  let part = first;
  let fd: number | undefined;
  let rows = 0;
  let chunk = '';
  let started = performance.now();
  const openPart = (): void => {
    fd = openSync(o.file(parts[part]!.key), 'wx', 0o600);
    rows = 0;
    started = performance.now();
  };
  const flush = (): void => {
    if (chunk !== '' && fd !== undefined) writeSync(fd, Buffer.from(chunk));
    chunk = '';
  };
  const closePart = async (): Promise<void> => {
    flush();
    closeSync(fd!);
    fd = undefined;
    const { key, rows: expected, name } = parts[part]!;
    if (rows !== expected) throw new Error(`sheet "${spec.name}" counted ${expected} rows for "${name}" but yielded ${rows}`);
    await done({ key, file: o.file(key), rows, ms: performance.now() - started });
  };
  try {
    openPart();
    const before = parts.slice(0, first).reduce((n, p) => n + p.rows, 0);
    for (const row of o.only === true ? spec.rowsFrom!(before) : spec.rows()) {
      if (o.only === true && rows >= parts[part]!.rows) break;
      if (rows >= parts[part]!.rows && part + 1 < parts.length) {
        await closePart();
        part += 1;
        openPart();
      }
      rows += 1;
      // Row 1 is the header, which the packager writes.
      chunk += writer.row(rows + 1, row, spec.rowStyle?.(row));
      if (chunk.length >= CHUNK_CHARS) {
        flush();
        await turn();
      }
    }
    await closePart();
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
