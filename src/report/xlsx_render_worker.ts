/**
 * A render worker: renders the report's sheets (xlsx_render.ts) that the main thread hands it,
 * one at a time as it is free, from its own read-only connection, inside one read transaction
 * that it opens while the main thread holds writers off, so it reads exactly what the main
 * thread and the other renderers read.
 * @module
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { buildSheets, type ReportContext } from './sheets.js';
import { type PartPlan, renderSheet, SharedCells, Styles } from './xlsx_render.js';

/** What the main thread gives a render worker. */
export interface RenderJob {
  dbPath: string;
  context: Omit<ReportContext, 'db' | 'now'> & { now: number };
  plan: PartPlan[];
  styleIds: number[];
  slot: { first: number; step: number };
  /** Part k is written to `${filePrefix}${k}.xml`. */
  filePrefix: string;
}

/** The next sheet to render (an index into buildSheets()'s list, and its first part), or none. */
export type ToRenderer = { op: 'render'; index: number; firstPart: number } | { op: 'finish' };

export type FromRenderer =
  | { op: 'pinned' }
  | { op: 'ready' }
  | { op: 'part'; part: number; file: string; rows: number; ms: number }
  | { op: 'done'; shared: { first: number; step: number; strings: string[] } }
  | { op: 'failed'; message: string; code?: string };

async function render(job: RenderJob, port: MessagePort, post: (m: FromRenderer) => void): Promise<void> {
  const db = new Database(job.dbPath, { readonly: true, fileMustExist: true });
  try {
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM snapshots').get(); // the read transaction starts here
    post({ op: 'pinned' });
    const sheets = buildSheets({ ...job.context, db, now: new Date(job.context.now) });
    const styles = new Styles();
    styles.ids(job.styleIds);
    const shared = new SharedCells(job.slot.first, job.slot.step);
    for (;;) {
      const next = new Promise<ToRenderer>((resolve) => port.once('message', resolve));
      post({ op: 'ready' });
      const m = await next;
      if (m.op === 'finish') break;
      await renderSheet(sheets[m.index]!, m.firstPart, job.plan, { styles, shared, file: (k) => `${job.filePrefix}${k}.xml` }, async (p) => {
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
  render(workerData as RenderJob, port, post).catch((e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    post({ op: 'failed', message: err.message ?? String(e), ...(err.code === undefined ? {} : { code: err.code }) });
  });
}
