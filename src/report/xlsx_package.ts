/**
 * The workbook's packaging, run in a worker thread: exceljs's streaming WorkbookWriter builds the
 * package (workbook, styles, shared strings, sheet views, autofilter, header rows) and zips the
 * sheet XML that the main thread renders (xlsx.ts). Compressing and checksumming gigabytes of XML
 * is about a third of a big report's work; here it runs beside the rendering instead of after it.
 *
 * The worker writes the file itself. Messages are handled one at a time, in order; rows are
 * acknowledged once exceljs's buffers are below a high-water mark, which keeps memory flat.
 * @module
 */
import { createWriteStream } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import ExcelJS from 'exceljs';

export type ToPackager =
  | { op: 'open'; path: string; now: number; styles: Array<{ model: Partial<ExcelJS.Style>; date: boolean }> }
  | { op: 'sheet'; name: string; headers: string[]; widths: number[]; headerStyle: Partial<ExcelJS.Style>; lastColumn: string }
  | { op: 'rows'; xml: Uint8Array }
  | { op: 'endSheet' }
  | { op: 'commit'; shared: string[] };

export type FromPackager =
  | { op: 'opened'; styleIds: number[] }
  | { op: 'ack' }
  | { op: 'committed' }
  | { op: 'failed'; message: string; code?: string };

// ---- the exceljs internals this relies on (exceljs 4.4), checked on open ----

interface SheetStream {
  write(chunk: Uint8Array): unknown;
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
  readonly sharedStrings: { add(text: string): number; readonly count: number };
  readonly zip?: { on(event: 'error', fn: (e: Error) => void): unknown };
  addWorksheet(name: string, options: Partial<ExcelJS.AddWorksheetOptions> & { autoFilter?: string }): SheetWriter;
  commit(): Promise<void>;
}

// Sheet XML buffered in exceljs's stream and the zip entry above which rows wait for the compressor.
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

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
  #sheet: SheetWriter | undefined;
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
        this.post({ op: 'opened', styleIds });
        return;
      }
      case 'sheet': {
        const sheet = this.#book!.addWorksheet(m.name, {
          views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
          autoFilter: `A1:${m.lastColumn}1`,
          // Printed, every sheet is landscape and one page wide, its header repeated on each page.
          pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
        });
        sheet.columns = m.widths.map((width) => ({ width }));
        // The header goes through exceljs, which also writes the column widths before it.
        const header = sheet.addRow(m.headers);
        header.height = 30;
        header.eachCell((cell) => {
          cell.style = m.headerStyle;
        });
        header.commit();
        this.#sheet = sheet;
        return;
      }
      case 'rows': {
        const sheet = this.#sheet!;
        sheet.stream.write(Buffer.from(m.xml.buffer, m.xml.byteOffset, m.xml.byteLength));
        // Let the zip stream and compressor run, and wait for them if they fall behind.
        await new Promise((resolve) => setImmediate(resolve));
        while (pendingBytes(sheet.stream) > HIGH_WATER_BYTES) {
          this.#check();
          await pause(1);
        }
        this.post({ op: 'ack' });
        return;
      }
      case 'endSheet':
        this.#sheet!.commit();
        this.#sheet = undefined;
        return;
      case 'commit': {
        const book = this.#book!;
        // The main thread numbered these strings in this order, from an empty table.
        if (book.sharedStrings.count !== 0) throw new Error('exceljs wrote shared strings of its own');
        for (const s of m.shared) book.sharedStrings.add(s);
        await book.commit();
        this.#check();
        this.post({ op: 'committed' });
      }
    }
  }

  #open(path: string): BookWriter {
    const out = createWriteStream(path, { mode: 0o600 });
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: out,
      useStyles: true,
      useSharedStrings: false, // the shared strings are the main thread's, added at commit
      zip: { zlib: { level: 1 } }, // sheet XML compresses ~10:1 even at the fastest level
    }) as unknown as BookWriter;
    if (typeof book.styles?.addStyleModel !== 'function' || typeof book.sharedStrings?.add !== 'function') {
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
  const port = parentPort;
  const packager = new Packager((m) => port.postMessage(m));
  // One message at a time, in order: each waits for the one before it.
  let queue = Promise.resolve();
  port.on('message', (m: ToPackager) => {
    queue = queue.then(() => packager.handle(m));
  });
}
