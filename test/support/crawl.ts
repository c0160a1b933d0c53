/** Test helpers: crawl a simulator into a temp SQLite file with the real SDK and executor. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { OktaReader } from '../../src/okta/client.js';
import { openDatabase } from '../../src/store/db.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import { crawl, type CrawlOutcome } from '../../src/crawler/crawl.js';
import type { ProgressState } from '../../src/crawler/progress.js';

export function tempDir(prefix = 'oie-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CrawlRun extends CrawlOutcome {
  dbPath: string;
  reader: OktaReader;
}

export async function crawlSimulator(sim: SimulatorHandle, opts: {
  dbPath?: string; maxShare?: number; concurrency?: number; resume?: boolean; usersSearch?: string;
  logsSince?: Date; logsUntil?: Date; requestTimeoutMs?: number; maxRetries?: number; signal?: AbortSignal;
  onProgress?: (p: ProgressState) => void; refresh?: { baseId?: number };
} = {}): Promise<CrawlRun> {
  const dbPath = opts.dbPath ?? join(tempDir(), 'snapshot.db');
  const reader = new OktaReader({
    orgUrl: sim.url, auth: { mode: 'SSWS', token: sim.token }, maxShare: opts.maxShare ?? 0.5,
    concurrency: opts.concurrency ?? 8, requestTimeoutMs: opts.requestTimeoutMs ?? 10_000, maxRetries: opts.maxRetries ?? 5,
    backoffBaseMs: 20,
  });
  const db = openDatabase(dbPath);
  try {
    const outcome = await crawl({
      reader, writer: new SnapshotWriter(db), resume: opts.resume ?? false, toolVersion: 'test',
      scope: { usersSearch: opts.usersSearch, logsSince: opts.logsSince ?? new Date(Date.now() - 30 * 86400_000), logsUntil: opts.logsUntil ?? new Date() },
      settings: { test: true }, concurrency: opts.concurrency ?? 8, signal: opts.signal ?? new AbortController().signal,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}), ...(opts.refresh ? { refresh: opts.refresh } : {}),
    });
    return { ...outcome, dbPath, reader };
  } finally {
    db.close();
  }
}

/** Rows of a table as plain objects, for comparisons (read-only connection). */
export function rows<T = Record<string, unknown>>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
