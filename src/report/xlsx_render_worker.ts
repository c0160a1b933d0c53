/**
 * A render worker: renders the report's sheets (xlsx_render.ts) that the main thread hands it,
 * one at a time as it is free, from its own read-only connection. It opens its read transaction
 * as soon as it starts, while the main thread holds writers off, so it reads exactly what the
 * main thread and the other renderers read; the job follows once the lock is released. When the
 * rules run meanwhile, it opens a second read transaction on their commit (repin) for the
 * sheets that read their results.
 * @module
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { pinnedReader } from '../store/db.js';
import { buildSheets, type KnownResults, type ReportContext } from './sheets.js';
import { renderSheet, SharedCells, sheetParts, Styles } from './xlsx_render.js';

/** What the main thread gives a render worker, after it has pinned its read transaction. */
export interface RenderJob {
  context: Omit<ReportContext, 'db' | 'now'> & { now: number };
  styleIds: number[];
  slot: { first: number; step: number };
  /** Part "i.k" is written to `${filePrefix}i.k.xml`. */
  filePrefix: string;
}

/**
 * The job; the next sheet to render (an index into buildSheets()'s list, and its first part; with
 * `only`, that part alone; with `after`, read in the second transaction), or none; and `repin`:
 * open a second read transaction, on the commit that holds the rules' results.
 */
export type ToRenderer =
  | { op: 'job'; job: RenderJob }
  | { op: 'render'; index: number; firstPart: number; only: boolean; after: boolean }
  | { op: 'repin'; known: KnownResults }
  | { op: 'finish' };

export type FromRenderer =
  | { op: 'pinned' }
  | { op: 'ready' }
  | { op: 'repinned' }
  | { op: 'part'; key: string; file: string; rows: number; ms: number }
  | { op: 'done'; shared: { first: number; step: number; strings: string[] } }
  | { op: 'failed'; message: string; code?: string };

async function render(dbPath: string, port: MessagePort, post: (m: FromRenderer) => void): Promise<void> {
  // Messages in order; a repin is answered at once, even in the middle of a sheet.
  const inbox: ToRenderer[] = [];
  let wake: (() => void) | undefined;
  let job: RenderJob | undefined;
  const views: Array<{ db: Database.Database; known?: KnownResults; sheets?: ReturnType<typeof buildSheets> }> = [];
  const sheetsOf = (view: (typeof views)[number]): ReturnType<typeof buildSheets> =>
    (view.sheets ??= buildSheets({ ...job!.context, db: view.db, now: new Date(job!.context.now), ...(view.known === undefined ? {} : { known: view.known }) }));
  port.on('message', (m: ToRenderer) => {
    if (m.op === 'repin') {
      try {
        views.push({ db: pinnedReader(dbPath), known: m.known });
        post({ op: 'repinned' });
      } catch (e) {
        fail(e);
      }
      return;
    }
    inbox.push(m);
    wake?.();
  });
  const next = async (): Promise<ToRenderer> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return inbox.shift()!;
  };
  try {
    views.push({ db: pinnedReader(dbPath) });
    post({ op: 'pinned' });
    const m0 = await next();
    if (m0.op !== 'job') return;
    job = m0.job;
    const styles = new Styles();
    styles.ids(job.styleIds);
    const shared = new SharedCells(job.slot.first, job.slot.step);
    const file = (key: string): string => `${job!.filePrefix}${key}.xml`;
    for (;;) {
      post({ op: 'ready' });
      const m = await next();
      if (m.op !== 'render') break;
      const sheets = sheetsOf(views[m.after ? 1 : 0]!);
      const spec = sheets[m.index]!;
      const parts = sheetParts(spec, m.index, job.context.rowLimit);
      await renderSheet(spec, parts, m.firstPart, { styles, shared, file, only: m.only }, async (p) => {
        post({ op: 'part', ...p });
      });
    }
    // Closed before saying so: the caller may then checkpoint past their read transactions.
    for (const v of views.splice(0)) v.db.close();
    post({ op: 'done', shared: { first: shared.first, step: shared.step, strings: shared.strings } });
  } finally {
    for (const v of views) v.db.close();
    port.removeAllListeners('message');
  }
}

let post: (m: FromRenderer) => void = () => undefined;

function fail(e: unknown): void {
  const err = e as NodeJS.ErrnoException;
  post({ op: 'failed', message: err.message ?? String(e), ...(err.code === undefined ? {} : { code: err.code }) });
}

if (parentPort !== null) {
  const port = parentPort;
  post = (m) => port.postMessage(m);
  render((workerData as { dbPath: string }).dbPath, port, post).catch(fail);
}
