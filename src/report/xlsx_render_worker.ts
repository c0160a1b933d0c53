/**
 * A render worker: renders the report's sheets (xlsx_render.ts) that the main thread hands it,
 * one at a time as it is free, from its own read-only connection. It opens its read transaction
 * as soon as it starts, while the main thread holds writers off, so it reads exactly what the
 * main thread and the other renderers read; the job follows once the lock is released.
 * @module
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { buildSheets, type ReportContext } from './sheets.js';
import { type PartPlan, renderSheet, SharedCells, Styles } from './xlsx_render.js';

/** What the main thread gives a render worker, after it has pinned its read transaction. */
export interface RenderJob {
  context: Omit<ReportContext, 'db' | 'now'> & { now: number };
  plan: PartPlan[];
  styleIds: number[];
  slot: { first: number; step: number };
  /** Part k is written to `${filePrefix}${k}.xml`. */
  filePrefix: string;
}

/**
 * The job, then the next sheet to render (an index into buildSheets()'s list, and its first part;
 * with `only`, that part alone), or none.
 */
export type ToRenderer = { op: 'job'; job: RenderJob } | { op: 'render'; index: number; firstPart: number; only: boolean } | { op: 'finish' };

export type FromRenderer =
  | { op: 'pinned' }
  | { op: 'ready' }
  | { op: 'part'; part: number; file: string; rows: number; ms: number }
  | { op: 'done'; shared: { first: number; step: number; strings: string[] } }
  | { op: 'failed'; message: string; code?: string };

async function render(dbPath: string, port: MessagePort, post: (m: FromRenderer) => void): Promise<void> {
  const next = (): Promise<ToRenderer> => new Promise((resolve) => port.once('message', resolve));
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM snapshots').get(); // the read transaction starts here
    const first = next();
    post({ op: 'pinned' });
    const m0 = await first;
    if (m0.op !== 'job') return;
    const job = m0.job;
    const sheets = buildSheets({ ...job.context, db, now: new Date(job.context.now) });
    const styles = new Styles();
    styles.ids(job.styleIds);
    const shared = new SharedCells(job.slot.first, job.slot.step);
    for (;;) {
      const coming = next();
      post({ op: 'ready' });
      const m = await coming;
      if (m.op !== 'render') break;
      await renderSheet(sheets[m.index]!, m.firstPart, job.plan, { styles, shared, file: (k) => `${job.filePrefix}${k}.xml`, only: m.only }, async (p) => {
        post({ op: 'part', ...p });
      });
    }
    post({ op: 'done', shared: { first: shared.first, step: shared.step, strings: shared.strings } });
  } finally {
    db.close();
  }
}

if (parentPort !== null) {
  const port = parentPort;
  const post = (m: FromRenderer): void => port.postMessage(m);
  render((workerData as { dbPath: string }).dbPath, port, post).catch((e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    post({ op: 'failed', message: err.message ?? String(e), ...(err.code === undefined ? {} : { code: err.code }) });
  });
}
