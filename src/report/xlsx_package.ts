/**
 * The workbook's packaging, run in a worker thread: exceljs's streaming WorkbookWriter builds the
 * package (workbook, styles, shared strings, sheet views, autofilter, header rows) and compresses
 * the rendered part files (xlsx_render.ts) into it as they are complete, in whatever order they
 * come: the zip holds the worksheets in the order they were finished, and the workbook lists them
 * in the plan's order. Compressing and checksumming gigabytes of XML runs here, beside the
 * rendering.
 *
 * Messages are handled one at a time, in order; a part is read in chunks that wait for the
 * compressor whenever exceljs holds more than a high-water mark, which keeps memory flat.
 * @module
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { PartPlan } from './xlsx_render.js';

export type ToPackager =
  | { op: 'open'; path: string; now: number; styles: Array<{ model: Partial<ExcelJS.Style>; date: boolean }>; headerStyle: Partial<ExcelJS.Style> }
  | { op: 'pack'; part: PartPlan; file: string }
  /** `order`: every part's key, in the order the workbook lists them. */
  | { op: 'commit'; order: string[]; shared: Array<{ first: number; step: number; strings: string[] }> };

export type FromPackager =
  | { op: 'opened'; styleIds: number[] }
  | { op: 'packed'; key: string }
  | { op: 'committed' }
  | { op: 'failed'; message: string; code?: string };

// ---- the exceljs internals this relies on (exceljs 4.4), checked on open ----

interface SheetStream {
  write(chunk: Uint8Array): unknown;
  /** Size of the pieces it passes on. */
  bufSize: number;
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
  readonly styles: { addStyleModel(model: Partial<ExcelJS.Style>, cellType?: ExcelJS.ValueType): number };
  /** Its `values` is the table itself, written at commit. */
  readonly sharedStrings: { readonly values: string[] };
  readonly zip?: { on(event: 'error', fn: (e: Error) => void): unknown };
  addWorksheet(name: string, options: Partial<ExcelJS.AddWorksheetOptions> & { autoFilter?: string }): SheetWriter;
  /**
   * The worksheets in the order workbook.xml lists them. A worksheet's zip entry only streams
   * once those added before it are complete, so each is added when its part is ready, and the
   * list is put in the plan's order before the commit.
   */
  _worksheets: unknown[];
  commit(): Promise<void>;
}

/**
 * exceljs's zip writer checksums every byte it compresses with the crc-32 package, in JavaScript:
 * a third of this thread's time on a large workbook. zlib's crc32 gives the same checksum in
 * native code; it takes crc-32's place (in this worker only) once both agree on a sample, else
 * nothing changes. crc-32 is found the way the zip writer finds it.
 */
function nativeChecksums(): void {
  try {
    let from = createRequire(import.meta.url);
    for (const dependency of ['exceljs', 'archiver', 'zip-stream', 'compress-commons', 'crc32-stream']) from = createRequire(from.resolve(dependency));
    const crc = from('crc-32') as { buf?: (data: Uint8Array, seed?: unknown) => number };
    const js = crc.buf;
    if (typeof js !== 'function') return;
    // crc-32 returns the checksum as a signed 32-bit integer and reads a seed that is not a number as 0.
    const native = (data: Uint8Array, seed?: unknown): number => crc32(data, typeof seed === 'number' ? seed >>> 0 : 0) | 0;
    const sample = Buffer.from('<row r="2"><c r="A2" t="inlineStr"><is><t>oie-audit \u00e9\u{1F600}</t></is></c></row>');
    const seed = js(sample.subarray(0, 7), Buffer.alloc(4));
    if (native(sample, 0) === js(sample, 0) && native(sample.subarray(7), seed) === js(sample.subarray(7), seed)) crc.buf = native;
  } catch {
    /* another layout of exceljs's dependencies: keep its checksum */
  }
}

// Sheet XML buffered in exceljs's stream and the zip entry above which reading waits.
const HIGH_WATER_BYTES = 8 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

/** Bytes written to the sheet but not yet taken by the compressor. */
function pendingBytes(stream: SheetStream): number {
  let n = 0;
  for (const b of stream.buffers ?? []) n += b.length;
  for (const p of stream.pipes ?? []) n += (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0);
  return n;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Packager {
  #book: BookWriter | undefined;
  #sheets = new Map<string, SheetWriter>();
  #headerStyle: Partial<ExcelJS.Style> = {};
  #failure: Error | undefined;

  constructor(private readonly post: (m: FromPackager) => void) {}

  async handle(m: ToPackager): Promise<void> {
    try {
      this.#check();
      await this.#apply(m);
      this.#check();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.post({ op: 'failed', message: err.message ?? String(e), ...(err.code === undefined ? {} : { code: err.code }) });
    }
  }

  #check(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #apply(m: ToPackager): Promise<void> {
    switch (m.op) {
      case 'open': {
        const book = this.#open(m.path);
        const now = new Date(m.now);
        book.creator = 'oie-audit';
        book.created = now;
        book.modified = now;
        const styleIds = m.styles.map((s) => book.styles.addStyleModel(s.model, s.date ? ExcelJS.ValueType.Date : ExcelJS.ValueType.String));
        this.#headerStyle = m.headerStyle;
        this.post({ op: 'opened', styleIds });
        return;
      }
      case 'pack': {
        await this.#pack(m.part, m.file);
        this.post({ op: 'packed', key: m.part.key });
        return;
      }
      case 'commit': {
        const book = this.#book!;
        // The renderers numbered their strings in interleaved slots of an empty table (set
        // directly: exceljs's add() would merge equal strings from two renderers).
        const table = book.sharedStrings.values;
        if (table.length !== 0) throw new Error('exceljs wrote shared strings of its own');
        for (const t of m.shared) t.strings.forEach((s, i) => (table[t.first + t.step * i] = s));
        for (let i = 0; i < table.length; i++) table[i] ??= '';
        if (m.order.length !== this.#sheets.size || m.order.some((key) => !this.#sheets.has(key))) throw new Error('the worksheets rendered are not those of the plan');
        book._worksheets = m.order.map((key) => this.#sheets.get(key)!);
        await book.commit();
        this.#check();
        this.post({ op: 'committed' });
      }
    }
  }

  async #pack(plan: PartPlan, file: string): Promise<void> {
    const sheet = this.#book!.addWorksheet(plan.name, {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
      autoFilter: `A1:${plan.lastColumn}1`,
      // Printed, every sheet is landscape and one page wide, its header repeated on each page.
      pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
    });
    this.#sheets.set(plan.key, sheet);
    sheet.columns = plan.widths.map((width) => ({ width }));
    // The header goes through exceljs, which also writes the column widths before it.
    const header = sheet.addRow(plan.headers);
    header.height = 30;
    header.eachCell((cell) => {
      cell.style = this.#headerStyle;
    });
    header.commit();
    // exceljs hands a sheet's XML to the compressor in 64 KB pieces; in megabytes the stream
    // machinery around zlib costs a third of what it does then (bench/report.ts).
    sheet.stream.bufSize = READ_CHUNK_BYTES;
    for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
      sheet.stream.write(chunk as Buffer);
      // Let the zip stream and compressor run, and wait for them if they fall behind.
      await new Promise((resolve) => setImmediate(resolve));
      while (pendingBytes(sheet.stream) > HIGH_WATER_BYTES) {
        this.#check();
        await pause(1);
      }
    }
    sheet.commit();
    await unlink(file);
  }

  #open(path: string): BookWriter {
    const out = createWriteStream(path, { mode: 0o600 });
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false, // the shared strings are the renderers', added at commit
      // Sheet XML compresses ~9:1 even at the fastest level; output in megabytes, as the input.
      zip: { zlib: { level: 1, chunkSize: READ_CHUNK_BYTES } },
    }) as unknown as BookWriter;
    if (typeof book.styles?.addStyleModel !== 'function' || !Array.isArray(book.sharedStrings?.values) || !Array.isArray(book._worksheets)) {
      throw new Error('The installed exceljs is not the 4.4 release oie-audit was built with; reinstall oie-audit (npm ci) to restore it.');
    }
    const fail = (e: Error): void => {
      this.#failure ??= e;
    };
    out.on('error', fail);
    book.zip?.on('error', fail);
    this.#book = book;
    return book;
  }
}

if (parentPort !== null) {
  nativeChecksums();
  const port = parentPort;
  const packager = new Packager((m) => port.postMessage(m));
  // One message at a time, in order: each waits for the one before it.
  let queue = Promise.resolve();
  port.on('message', (m: ToPackager) => {
    queue = queue.then(() => packager.handle(m));
  });
}
