/**
 * CSV per sheet (RFC 4180): UTF-8 with a byte-order mark so Excel reads non-ASCII text right,
 * CRLF line ends, text fields always quoted with inner quotes doubled. Cells are the workbook's:
 * same columns, same {@link safeText} neutralisation, dates as ISO-8601 UTC, our counts unquoted.
 * @module
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { type CellValue, isoText, parseTimestamp, safeText } from './cells.js';
import type { ColumnSpec, SheetSpec } from './sheets.js';

const BOM = '\uFEFF';
const CRLF = '\r\n';
const CHUNK_CHARS = 64 * 1024;

/** Buffered text output that honours the stream's backpressure. */
export class TextSink {
  readonly #out: Writable;
  #buffer = '';
  #failure: Error | undefined;

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', (e: Error) => {
      this.#failure ??= e;
    });
  }

  /** Appends text; returns a promise only when the caller must wait (flush or backpressure). */
  write(text: string): Promise<void> | undefined {
    this.#buffer += text;
    return this.#buffer.length >= CHUNK_CHARS ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#buffer === '') return;
    const chunk = this.#buffer;
    this.#buffer = '';
    if (!this.#out.write(chunk, 'utf8')) await this.#drain();
  }

  /** Writes what is left and resolves once the stream has finished. */
  async end(): Promise<void> {
    await this.flush();
    this.#check();
    const finished = once(this.#out, 'finish');
    this.#out.end();
    await finished;
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #drain(): Promise<void> {
    this.#check();
    // 'error' rejects the wait, so a full disk cannot hang the report.
    await once(this.#out, 'drain');
    this.#check();
  }

  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#out.destroyed) throw new Error('the output stream was closed before the report was written');
  }
}

/** One field: a number as is, anything else as a quoted, neutralised string. */
export function csvField(value: CellValue, type: ColumnSpec<unknown>['type']): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : quote(safeText(String(value)));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : isoText(value);
  if (type === 'date') {
    const d = parseTimestamp(value);
    if (d !== null) return isoText(d);
  }
  return quote(safeText(value));
}

function quote(text: string): string {
  return `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;
}

/** Writes one sheet's rows (all of them: CSV has no row limit) to `out` and ends it. */
export async function writeCsv(out: Writable, spec: SheetSpec): Promise<number> {
  const sink = new TextSink(out);
  const columns = spec.columns as ReadonlyArray<ColumnSpec<unknown>>;
  await sink.write(BOM + columns.map((c) => quote(safeText(c.header))).join(',') + CRLF);
  let rows = 0;
  for (const row of spec.rows()) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      const col = columns[i]!;
      if (i > 0) line += ',';
      line += csvField(col.value(row), col.type);
    }
    rows += 1;
    const wait = sink.write(line + CRLF);
    if (wait !== undefined) await wait;
  }
  await sink.end();
  return rows;
}
