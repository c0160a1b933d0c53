/**
 * The rules of a report, in a thread of their own, so the thread that hands sheets to the render
 * workers is never held up by a long query. Its connection holds other writers off from before
 * the render workers open their read transactions (a write transaction begun on the last
 * commit) until the results are committed; the rules read that same commit through a read
 * transaction of their own (run.ts's `read`).
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditError } from '../errors.js';
import { dataVersion, openAnotherConnection, pinnedReader } from '../store/db.js';
import { runRules, type RuleRunResult } from './run.js';

/** Main thread → rules thread: after `ran`, whether another connection has committed since `locked`. */
export type ToRules = { op: 'check' };

export type FromRules =
  | { op: 'locked' }
  | { op: 'ran'; results: RuleRunResult[] }
  | { op: 'checked'; othersCommitted: boolean }
  | { op: 'failed'; message: string; code?: string; auditCode?: AuditError['code'] };

async function run(path: string, snapshotId: number, post: (m: FromRules) => void, next: () => Promise<ToRules>): Promise<void> {
  const db = openAnotherConnection(path);
  try {
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw new AuditError('ERR_SNAPSHOT', `Snapshot database ${path} is locked by another process; wait for the other oie-audit run to finish.`, { cause: e });
    }
    const began = dataVersion(db);
    const read = pinnedReader(path);
    post({ op: 'locked' });
    let results: RuleRunResult[];
    try {
      results = runRules(db, snapshotId, { read });
    } finally {
      read.close();
    }
    db.exec('COMMIT');
    post({ op: 'ran', results });
    if ((await next()).op === 'check') post({ op: 'checked', othersCommitted: dataVersion(db) !== began });
  } finally {
    db.close();
  }
}

if (parentPort !== null) {
  const port = parentPort;
  const post = (m: FromRules): void => port.postMessage(m);
  const { path, snapshotId } = workerData as { path: string; snapshotId: number };
  run(path, snapshotId, post, () => new Promise((resolve) => port.once('message', resolve))).catch((e: unknown) => {
    const err = e as NodeJS.ErrnoException;
    post({ op: 'failed', message: err.message ?? String(e), ...(typeof err.code === 'string' ? { code: err.code } : {}), ...(e instanceof AuditError ? { auditCode: e.code } : {}) });
  });
}
