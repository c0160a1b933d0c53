/**
 * One crawl of an org into a snapshot: org resources first (a few requests), then users and the
 * System Log side by side (they count against different rate-limit buckets). A resumed crawl keeps
 * the snapshot's own scope (users search, log window), so its rows equal an uninterrupted crawl's.
 * On abort (Ctrl-C) no new work starts, requests in flight finish, and everything is committed.
 */
import { AuditError } from '../errors.js';
import type { OktaReader } from '../okta/client.js';
import type { SnapshotWriter } from '../store/snapshot_writer.js';
import type { Coverage, SnapshotRow } from '../store/types.js';
import { checkSameEngine, collectChanges, REFRESH_OVERLAP_MS, refreshBase } from './refresh.js';
import { crawlOrg } from './org_phase.js';
import { crawlUsers, type UserCounters } from './users_phase.js';
import { type CarriedLogs, crawlLogs, logQueries } from './logs_phase.js';
import { budgetEtaSeconds, type ProgressState } from './progress.js';

export interface CrawlScope {
  usersSearch?: string | undefined;
  logsSince: Date;
  logsUntil: Date;
}

export interface CrawlRequest {
  reader: OktaReader;
  writer: SnapshotWriter;
  resume: boolean;
  toolVersion: string;
  /**
   * Used for a new snapshot; a resumed one keeps its stored scope. Without `logsUntil` the window
   * ends at the org's clock (its Date header), and starts `logsLookbackDays` before it when given.
   */
  scope: Omit<CrawlScope, 'logsUntil'> & { logsUntil?: Date; logsLookbackDays?: number };
  /** Settings without secrets, stored with the snapshot. */
  settings: object;
  concurrency: number;
  signal: AbortSignal;
  onProgress?: (p: ProgressState) => void;
  /** Build the snapshot from a complete earlier one (`baseId`, else the latest), re-reading only what may have changed. */
  refresh?: { baseId?: number };
}

export interface CrawlOutcome {
  snapshotId: number;
  interrupted: boolean;
  coverage: Coverage;
}

interface Opened {
  snapshotId: number;
  scope: CrawlScope;
  /** A refresh's base; undefined for a full crawl. */
  base: SnapshotRow | undefined;
  /** Created by this run (a refused refresh removes it again). */
  created: boolean;
}

export async function crawl(r: CrawlRequest): Promise<CrawlOutcome> {
  const opened = await openSnapshot(r);
  const { snapshotId, scope, base } = opened;
  const counters: UserCounters = { listed: 0, completed: 0 };
  const start = r.writer.coverage(snapshotId);
  const stopProgress = r.onProgress ? reportProgress(r, start, counters) : () => undefined;
  try {
    const pipeline = (await crawlOrg(r.reader, r.writer, snapshotId)) ?? r.writer.snapshot(snapshotId)?.pipeline ?? null;
    if (base !== undefined) {
      try {
        checkSameEngine(base, pipeline);
        // From when the base started on the org's clock (its log window's end).
        await collectChanges(r.reader, r.writer, snapshotId, new Date(storedScope(base).logsUntil.getTime() - REFRESH_OVERLAP_MS), scope.logsUntil, r.signal);
      } catch (e) {
        // Nothing a person needs was read yet: a refused refresh leaves no snapshot behind.
        if (opened.created && e instanceof AuditError && e.code === 'ERR_USAGE') r.writer.deleteSnapshot(snapshotId);
        throw e;
      }
    }
    // The first phase to fail stops the other, and is thrown once both have stopped: the caller
    // closes the store right after, so nothing may still be writing to it.
    const stop = new AbortController();
    const follow = () => stop.abort();
    r.signal.addEventListener('abort', follow, { once: true });
    if (r.signal.aborted) stop.abort();
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown) => { failure ??= { error }; stop.abort(); };
    await Promise.all([
      crawlUsers({ reader: r.reader, writer: r.writer, snapshotId, pipeline, usersSearch: scope.usersSearch, concurrency: r.concurrency, signal: stop.signal, counters, ...(base ? { baseId: base.id } : {}) }).catch(fail),
      crawlLogs(r.reader, r.writer, snapshotId, { since: scope.logsSince, until: scope.logsUntil }, stop.signal, base === undefined ? undefined : carriedLogs(r.writer, base)).catch(fail),
    ]);
    r.signal.removeEventListener('abort', follow);
    if (failure) throw failure.error;
  } finally {
    stopProgress();
  }
  const coverage = r.writer.coverage(snapshotId);
  if (r.signal.aborted) return { snapshotId, interrupted: true, coverage };
  r.writer.finishSnapshot(snapshotId, 'complete', coverage);
  return { snapshotId, interrupted: false, coverage };
}

/** The base's log window, whose events a refresh copies: only if the base ran every query this version runs. */
function carriedLogs(writer: SnapshotWriter, base: SnapshotRow): CarriedLogs | undefined {
  const s = storedScope(base);
  const ran = logQueries(s.logsSince, s.logsUntil).every((q) => writer.getCursor(base.id, q.phase)?.done === true);
  return ran ? { baseId: base.id, since: s.logsSince, until: s.logsUntil } : undefined;
}

async function openSnapshot(r: CrawlRequest): Promise<Opened> {
  const orgUrl = r.reader.orgUrl;
  if (r.resume) {
    const row = r.writer.latestIncomplete(orgUrl);
    if (!row) {
      throw new AuditError('ERR_USAGE', `--resume: there is no incomplete snapshot of ${orgUrl} in this database. Run the crawl without --resume to start one.`);
    }
    r.writer.reopenSnapshot(row.id);
    const base = row.base_snapshot_id === null ? undefined : r.writer.snapshot(row.base_snapshot_id);
    if (row.base_snapshot_id !== null && base === undefined) {
      throw new AuditError('ERR_SNAPSHOT', `snapshot ${row.id} refreshes snapshot ${row.base_snapshot_id}, which is no longer in this database; start a new crawl.`);
    }
    return { snapshotId: row.id, scope: storedScope(row), base, created: false };
  }
  const until = r.scope.logsUntil ?? await r.reader.serverTime();
  const since = r.scope.logsLookbackDays === undefined ? r.scope.logsSince : new Date(until.getTime() - r.scope.logsLookbackDays * 86_400_000);
  const scope: CrawlScope = { usersSearch: r.scope.usersSearch, logsSince: since, logsUntil: until };
  const base = r.refresh === undefined ? undefined : refreshBase(r.writer, orgUrl, until, r.refresh.baseId, (b) => storedScope(b).logsUntil);
  if (base !== undefined && scope.usersSearch !== storedScope(base).usersSearch) {
    throw new AuditError('ERR_USAGE', `--refresh: base snapshot ${base.id} was crawled with ${storedScope(base).usersSearch ? `--users-search '${storedScope(base).usersSearch}'` : 'every user'}; refresh it with the same scope.`);
  }
  const settings = {
    ...r.settings, scope: { usersSearch: scope.usersSearch ?? null, logsSince: since.toISOString(), logsUntil: until.toISOString() },
    ...(base ? { refresh: { base: base.id } } : {}),
  };
  const snapshotId = r.writer.createSnapshot({ orgUrl, toolVersion: r.toolVersion, settings, ...(base ? { baseSnapshotId: base.id } : {}) });
  return { snapshotId, scope, base, created: true };
}

function storedScope(row: SnapshotRow): CrawlScope {
  const s = (JSON.parse(row.settings_json) as { scope?: { usersSearch?: string | null; logsSince?: string; logsUntil?: string } }).scope;
  if (!s?.logsSince || !s.logsUntil) throw new AuditError('ERR_SNAPSHOT', `snapshot ${row.id} has no stored crawl scope; start a new crawl without --resume.`);
  return { usersSearch: s.usersSearch ?? undefined, logsSince: new Date(s.logsSince), logsUntil: new Date(s.logsUntil) };
}

/** Progress every second: users from the store's counts at start plus what this run did; ETA from the rate budget. */
function reportProgress(r: CrawlRequest, start: Coverage, c: UserCounters): () => void {
  const doneAtStart = start.users.total - start.users.pending;
  const started = Date.now();
  let lastRequests = 0;
  let lastAt = started;
  const tick = () => {
    const m = r.reader.executor.metrics();
    const now = Date.now();
    const rps = (m.requests - lastRequests) / Math.max(0.001, (now - lastAt) / 1000);
    lastRequests = m.requests;
    lastAt = now;
    // Both count distinct users (the store reports only users new to the snapshot), so done never passes total.
    const total = start.users.total + c.listed;
    const done = doneAtStart + c.completed;
    const perSecond = c.completed / Math.max(1, (now - started) / 1000);
    const measured = perSecond > 0 ? (total - done) / perSecond : null;
    r.onProgress?.({
      usersDone: done, usersTotal: total, listing: !c.listingDone, requestsPerSecond: rps,
      rateLimited: m.quota429 + m.concurrency429, etaSeconds: budgetEtaSeconds(r.reader.executor.budget.buckets(), total - done) ?? measured,
    });
  };
  const timer = setInterval(tick, 1000);
  return () => {
    clearInterval(timer);
    tick();
  };
}
