/**
 * Snapshot contents for comparing two crawls of the same org: every table's rows, without the
 * columns that legitimately differ between runs (row ids, the tool's clocks, the database path in
 * the stored settings).
 */
import { rows } from '../support/crawl.js';
import { peek } from './helpers.js';
import { POLICY_TYPES } from '../../src/crawler/org_phase.js';

/** Columns left out per table, besides snapshot_id. */
export const COMPARED_TABLES: Readonly<Record<string, readonly string[]>> = {
  snapshots: ['id', 'started_at', 'finished_at', 'settings_json'],
  users: [],
  factors: [],
  authenticator_enrollments: [],
  authenticators: [],
  policies: [],
  policy_rules: [],
  log_events: [],
  event_hooks: [],
  api_tokens: [],
  apps: [],
  brands: [],
  sign_in_pages: [],
  domains: [],
  trusted_origins: [],
  inline_hooks: [],
  org_resources: [],
  crawl_errors: ['id', 'at'],
  crawl_progress: ['updated_at'],
  refresh_targets: [],
};

/** A table's rows, compared columns only, in a total order. */
export function tableRows(dbPath: string, table: string): Record<string, unknown>[] {
  const skip = new Set(['snapshot_id', ...(COMPARED_TABLES[table] ?? [])]);
  const columns = rows<{ name: string }>(dbPath, `SELECT name FROM pragma_table_info('${table}')`).map((c) => c.name).filter((c) => !skip.has(c));
  if (columns.length === 0) throw new Error(`no columns to compare in ${table}`);
  const list = columns.map((c) => `"${c}"`).join(', ');
  return rows(dbPath, `SELECT ${list} FROM ${table} ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`);
}

/** The crawl scope stored with the (only) snapshot: what a resumed run must keep. */
export function storedScope(dbPath: string): { usersSearch: string | null; logsSince: string; logsUntil: string } {
  const [row] = rows<{ settings_json: string }>(dbPath, 'SELECT settings_json FROM snapshots');
  return (JSON.parse(row!.settings_json) as { scope: { usersSearch: string | null; logsSince: string; logsUntil: string } }).scope;
}

/** Org-level resources the crawler records once read (or found not available). */
export const ORG_RESOURCES = ['wellKnown', 'authenticators', ...POLICY_TYPES.map((t) => `policies:${t}`), 'eventHooks', 'apiTokens', 'apps', 'brands', 'domains', 'trustedOrigins', 'inlineHooks'];

export interface CrawlState {
  snapshots: number;
  status: string;
  orgDone: boolean;
  usersListed: number;
  usersFinal: number;
  logEvents: number;
  logPagesDone: number;
  logsDone: boolean;
}

/** Where a crawl writing `dbPath` has got to, read-only; undefined before its snapshot exists. */
export function crawlState(dbPath: string): CrawlState | undefined {
  return peek(dbPath, (db) => {
    const snap = db.prepare<[], { status: string; n: number }>('SELECT status, (SELECT count(*) FROM snapshots) AS n FROM snapshots ORDER BY id DESC LIMIT 1').get();
    if (!snap) return undefined;
    const resources = new Set(db.prepare<[], string>('SELECT resource FROM org_resources').pluck().all());
    const users = db.prepare<[], { listed: number; final: number | null }>("SELECT count(*) AS listed, sum(crawl_state <> 'pending') AS final FROM users").get()!;
    return {
      snapshots: snap.n,
      status: snap.status,
      orgDone: ORG_RESOURCES.every((r) => resources.has(r)),
      usersListed: users.listed,
      usersFinal: users.final ?? 0,
      logEvents: db.prepare<[], number>('SELECT count(*) FROM log_events').pluck().get() ?? 0,
      logPagesDone: db.prepare<[], number>("SELECT count(*) FROM crawl_progress WHERE phase LIKE 'logs:%' AND done = 1").pluck().get() ?? 0,
      logsDone: resources.has('logs'),
    };
  });
}

/**
 * One snapshot's org data as a full crawl would hold it: every table but the crawl's bookkeeping
 * (snapshots, checkpoints, refresh targets, where a refresh copied a user from), rows as JSON.
 */
export function snapshotRows(dbPath: string, snapshot: number, table: string): string[] {
  const skip = new Set(['snapshot_id', 'carried_from', ...(COMPARED_TABLES[table] ?? [])]);
  const columns = rows<{ name: string }>(dbPath, `SELECT name FROM pragma_table_info('${table}')`).map((c) => c.name).filter((c) => !skip.has(c));
  return rows<Record<string, unknown>>(dbPath, `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${table} WHERE snapshot_id = ?`, snapshot)
    .map((r) => JSON.stringify(r)).sort();
}

export const ORG_DATA_TABLES = Object.keys(COMPARED_TABLES).filter((t) => !['snapshots', 'crawl_progress', 'refresh_targets'].includes(t));

/** Per table, the first rows only one side has and both counts; {} when the org data is the same. */
export function snapshotDifferences(a: { db: string; snapshot: number }, b: { db: string; snapshot: number }): Record<string, object> {
  const out: Record<string, object> = {};
  for (const table of ORG_DATA_TABLES) {
    const ra = snapshotRows(a.db, a.snapshot, table);
    const rb = snapshotRows(b.db, b.snapshot, table);
    const sa = new Set(ra);
    const sb = new Set(rb);
    const onlyA = ra.filter((r) => !sb.has(r));
    const onlyB = rb.filter((r) => !sa.has(r));
    if (onlyA.length + onlyB.length > 0) out[table] = { onlyA: onlyA.slice(0, 2), onlyB: onlyB.slice(0, 2), rowsA: ra.length, rowsB: rb.length };
  }
  return out;
}
