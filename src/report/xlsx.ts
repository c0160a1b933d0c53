/**
 * The workbook. Rows are rendered here, as sheet XML straight from the sheet specs, because
 * exceljs's per-cell objects make its own row API about 5x slower (bench/report.ts measures
 * both), too slow for millions of factor rows; every text cell is an inline or shared string
 * (never a formula) built from {@link safeText}. exceljs's streaming WorkbookWriter packages and
 * compresses them in a worker thread (xlsx_package.ts), so rendering and compressing run side by
 * side and memory stays flat whatever the org size.
 * @module
 */
import { Worker } from 'node:worker_threads';
import type ExcelJS from 'exceljs';
import { AuditError } from '../errors.js';
import { type CellValue, EXCEL_MAX_CELL_CHARS, EXCEL_MAX_ROWS, excelSerial, safeText, startsLikeFormula, timestampMs } from './cells.js';
import type { FromPackager, ToPackager } from './xlsx_package.js';
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

// Rendered XML per message to the packager, and messages it may hold before rendering waits.
const CHUNK_CHARS = 256 * 1024;
const MAX_UNACKED_CHUNKS = 4;

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
class Styles {
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
 */
class SharedCells {
  /** The table, in index order: xl/sharedStrings.xml, written by the packager at the end. */
  readonly table: string[] = [];
  /** Value → the cell's `<v>` element, or '' for a value written inline. */
  readonly #refs = new Map<string, string>();

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
      ref = `<v>${this.table.length}</v>`;
      this.table.push(text.includes('_x') ? text.replace(EXCEL_ESCAPE, '_x005F_$1') : text);
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

/**
 * The packager worker (xlsx_package.ts) seen from here; it writes the file itself.
 * Under jest the sources are TypeScript, which Node 20 cannot start as a worker: the built file
 * (npm test builds first) stands in for it.
 */
class PackagerClient {
  readonly #worker: Worker;
  #failure: Error | undefined;
  #unacked = 0;
  /** Who waits for the worker's next "opened", "ack" or "committed", or for a failure. */
  #waiters: Array<{ op: FromPackager['op']; resolve: (m: FromPackager) => void; reject: (e: Error) => void }> = [];

  constructor() {
    const here = import.meta.url;
    const url = here.endsWith('.ts') ? here.replace('/src/report/xlsx.ts', '/dist/report/xlsx_package.js') : here.replace(/xlsx\.js$/, 'xlsx_package.js');
    this.#worker = new Worker(new URL(url));
    this.#worker.on('message', (m: FromPackager) => this.#receive(m));
    this.#worker.on('error', (e) => this.#fail(e));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the workbook packager stopped (exit code ${code})`)));
  }

  async open(path: string, now: Date, styles: Styles): Promise<void> {
    const opened = this.#next('opened');
    this.#send({ op: 'open', path, now: now.getTime(), styles: styles.models() });
    const m = await opened;
    if (m.op === 'opened') styles.ids(m.styleIds);
  }

  sheet(m: Omit<Extract<ToPackager, { op: 'sheet' }>, 'op'>): void {
    this.#send({ op: 'sheet', ...m });
  }

  /** Sends rendered rows; waits while the packager holds as many as it may. */
  async rows(xml: string): Promise<void> {
    while (this.#unacked >= MAX_UNACKED_CHUNKS) await this.#next('ack');
    this.#unacked += 1;
    // As bytes, handed over without a copy: cloning the string costs the renderer more.
    const bytes = Buffer.from(xml);
    if (this.#failure !== undefined) throw this.#failure;
    this.#worker.postMessage({ op: 'rows', xml: bytes } satisfies ToPackager, [bytes.buffer]);
  }

  endSheet(): void {
    this.#send({ op: 'endSheet' });
  }

  /** Finishes the package; resolves once the file is written and closed. */
  async commit(shared: string[]): Promise<void> {
    const committed = this.#next('committed');
    this.#send({ op: 'commit', shared });
    await committed;
  }

  async close(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  #send(m: ToPackager): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#worker.postMessage(m);
  }

  #next(op: FromPackager['op']): Promise<FromPackager> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ op, resolve, reject }));
  }

  #receive(m: FromPackager): void {
    if (m.op === 'failed') {
      this.#fail(Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code }));
      return;
    }
    if (m.op === 'ack') this.#unacked -= 1;
    const i = this.#waiters.findIndex((w) => w.op === m.op);
    if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(m);
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    for (const w of this.#waiters.splice(0)) w.reject(this.#failure);
  }
}

/**
 * Writes the sheets, in order, as one workbook into the file at `path` (created with mode 0600,
 * or truncated) and resolves once the file is closed. A sheet over the row limit continues on
 * "<name> (2)", "(3)", … each with the same header.
 */
export async function writeXlsx(path: string, sheets: ReadonlyArray<SheetSpec>, options: XlsxOptions = {}): Promise<XlsxPart[]> {
  const rowLimit = options.rowLimit ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(rowLimit) || rowLimit < 2 || rowLimit > EXCEL_MAX_ROWS) {
    throw new AuditError('ERR_REPORT', `Row limit ${rowLimit} is not between 2 and ${EXCEL_MAX_ROWS}; leave it at its default.`);
  }
  const packager = new PackagerClient();
  try {
    const styles = new Styles();
    await packager.open(path, options.now ?? new Date(), styles);
    const shared = new SharedCells();
    const parts: XlsxPart[] = [];
    for (const spec of sheets) {
      const columns = spec.columns as ReadonlyArray<ColumnSpec<unknown>>;
      const writer = new RowWriter(styles, shared, columns);
      let rowNumber = 0;
      let chunk = '';
      let started = performance.now();
      const open = (): void => {
        const name = partName(spec.name, parts.filter((p) => p.sheet === spec.name).length + 1);
        packager.sheet({
          name, headers: columns.map((c) => safeText(c.header)), widths: columns.map((c) => c.width), headerStyle: styles.header,
          lastColumn: columnLetters(columns.length - 1),
        });
        rowNumber = 1;
        parts.push({ sheet: spec.name, name, rows: 0 });
      };
      const close = async (): Promise<void> => {
        if (chunk !== '') await packager.rows(chunk);
        chunk = '';
        packager.endSheet();
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
        if (chunk.length >= CHUNK_CHARS) {
          await packager.rows(chunk);
          chunk = '';
        }
      }
      await close();
    }
    await packager.commit(shared.table);
    return parts;
  } finally {
    await packager.close();
  }
}
