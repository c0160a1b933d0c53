/**
 * Users: listing pages go straight into the store as `pending` users (the users-list bucket is
 * separate from the per-user one, so listing runs ahead and the total is known early); workers take
 * pending users from the store in id order and read each one's factors and authenticator
 * enrollments. Memory holds one batch, whatever the org size. The store's resume protocol makes a
 * resumed crawl re-read at most what was in flight.
 */
import pLimit from 'p-limit';
import type { OktaReader } from '../okta/client.js';
import type { SnapshotWriter } from '../store/snapshot_writer.js';
import type { Pipeline, UserResult } from '../store/types.js';
import { AuditError } from '../errors.js';
import { classify } from './classify.js';
import { notOnEngine } from './engine_only.js';
import { listAll } from './org_phase.js';

/** Shared with progress reporting. */
export interface UserCounters {
  listed: number;
  completed: number;
  listingDone?: boolean;
}

export interface UsersPhaseOptions {
  reader: OktaReader;
  writer: SnapshotWriter;
  snapshotId: number;
  pipeline: Pipeline | null;
  usersSearch: string | undefined;
  concurrency: number;
  signal: AbortSignal;
  counters: UserCounters;
  /** A refresh: users unchanged since this snapshot are copied from it, not read. */
  baseId?: number;
}

/** Without a search Okta omits DEPROVISIONED users, so they get a listing of their own. */
export function userListings(usersSearch: string | undefined): { phase: string; path: string }[] {
  const q = (expr: string) => `/api/v1/users?limit=200&search=${encodeURIComponent(expr)}`;
  if (usersSearch) return [{ phase: 'users:search', path: q(usersSearch) }];
  return [
    { phase: 'users:all', path: '/api/v1/users?limit=200' },
    { phase: 'users:deprovisioned', path: q('status eq "DEPROVISIONED"') },
  ];
}

export async function crawlUsers(o: UsersPhaseOptions): Promise<void> {
  // The first failure of either half stops both and is thrown once neither runs, so nothing
  // writes to the store after the crawl has given up on it.
  const stop = new AbortController();
  const follow = () => stop.abort();
  o.signal.addEventListener('abort', follow, { once: true });
  if (o.signal.aborted) stop.abort();
  const inner = { ...o, signal: stop.signal };
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => { failure ??= { error }; stop.abort(); };
  let listingDone = false;
  const listing = listUsers(inner).catch(fail).finally(() => { listingDone = true; o.counters.listingDone = true; });
  const working = workUsers(inner, () => listingDone).catch(fail);
  await Promise.all([listing, working]);
  o.signal.removeEventListener('abort', follow);
  if (failure) throw failure.error;
}

async function listUsers(o: UsersPhaseOptions): Promise<void> {
  for (const { phase, path } of userListings(o.usersSearch)) {
    const at = o.writer.getCursor(o.snapshotId, phase);
    if (at?.done) continue;
    try {
      for await (const page of o.reader.pages(at?.cursor ?? path)) {
        const listed = o.writer.writeUsersPage(o.snapshotId, phase, page.items, page.next, o.baseId);
        o.counters.listed += listed.added;
        o.counters.completed += listed.carried;
        if (o.signal.aborted) return;
      }
    } catch (e) {
      const f = classify(e, 'org');
      if (f.httpStatus === null) {
        throw new AuditError('ERR_OKTA_UNREACHABLE', `cannot reach ${o.reader.orgUrl} (${f.message}). Check okta.orgUrl and the network, then run again with --resume`);
      }
      // The listing stays incomplete (its phase is not done): the coverage says so, --resume retries it.
      o.writer.recordError(o.snapshotId, { scope: 'org', subject: phase, endpoint: '/api/v1/users', kind: f.kind === 'not_applicable' ? 'not_available' : f.kind, httpStatus: f.httpStatus, errorCode: f.errorCode, message: f.message });
    }
  }
}

const BATCH = 100;

async function workUsers(o: UsersPhaseOptions, listingDone: () => boolean): Promise<void> {
  const limit = pLimit(o.concurrency);
  const inProgress = new Set<string>();
  let batch: UserResult[] = [];
  // A user stays in progress until its batch is stored: until then it is still pending in the
  // store, and a rescan must not take it again.
  const flush = () => {
    if (batch.length) o.writer.completeUsers(o.snapshotId, batch);
    for (const r of batch) inProgress.delete(r.userId);
    batch = [];
  };
  // Classic orgs have no authenticator-enrollments API: say so once instead of asking per user.
  const absent = notOnEngine('authenticatorEnrollments', o.pipeline);
  let enrollments = absent === undefined;
  if (absent !== undefined) o.writer.markOrgResource(o.snapshotId, 'authenticatorEnrollments', 'not_applicable', absent);
  const readEnrollments = () => enrollments;
  const noEnrollments = () => { enrollments = false; };

  // A worker's error (a store write, a refused credential) stops the work and is thrown below.
  let failure: { error: unknown } | undefined;
  let after = '';
  for (;;) {
    if (o.signal.aborted || failure) break;
    const wasListing = !listingDone();
    const users = o.writer.pendingUsers(o.snapshotId, 500, after).filter((u) => !inProgress.has(u.id));
    if (users.length === 0) {
      if (after !== '') { after = ''; continue; } // rescan: other listings may add lower ids
      // Done when listing has ended and nothing is in flight (read users may wait in the batch).
      if (!wasListing && limit.activeCount + limit.pendingCount === 0) break;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    for (const user of users) {
      if (o.signal.aborted || failure) break;
      inProgress.add(user.id);
      after = user.id;
      // Keep a bounded queue ahead of the executor, no more.
      while (limit.activeCount + limit.pendingCount >= o.concurrency * 4) await new Promise((r) => setTimeout(r, 5));
      void limit(async () => {
        try {
          const result = await readUser(o, user, readEnrollments, noEnrollments);
          if (failure) return; // stopping: not stored, so the user stays pending
          batch.push(result);
          o.counters.completed += 1;
          if (batch.length >= BATCH) flush();
        } catch (error) {
          failure ??= { error };
          limit.clearQueue();
        }
      });
    }
  }
  while (limit.activeCount + limit.pendingCount > 0) await new Promise((r) => setTimeout(r, 10));
  // After a failure the unsaved batch is dropped: those users stay pending and --resume reads them again.
  if (failure) throw failure.error;
  flush();
}

async function readUser(o: UsersPhaseOptions, user: { id: string; status: string | null },
  readEnrollments: () => boolean, noEnrollments: () => void): Promise<UserResult> {
  const base = `/api/v1/users/${encodeURIComponent(user.id)}`;
  const wantEnrollments = readEnrollments();
  const [factors, enrollments] = await Promise.allSettled([
    listAll(o.reader, `${base}/factors`),
    wantEnrollments ? listAll(o.reader, `${base}/authenticator-enrollments`) : Promise.resolve(null),
  ]);
  const errors: NonNullable<UserResult['errors']>[number][] = [];
  let deleted = false;
  const take = <T>(r: PromiseSettledResult<T>, endpoint: string): T | null => {
    if (r.status === 'fulfilled') return r.value;
    const f = classify(r.reason, 'user');
    if (f.kind === 'deleted') {
      deleted = true;
      return null;
    }
    if ((f.kind === 'not_available' || f.kind === 'not_applicable') && endpoint.endsWith('authenticator-enrollments')) {
      noEnrollments();
      o.writer.markOrgResource(o.snapshotId, 'authenticatorEnrollments', f.kind, f.message, f.httpStatus, f.errorCode);
      return null;
    }
    errors.push({ endpoint, kind: f.kind === 'not_applicable' ? 'not_available' : f.kind, httpStatus: f.httpStatus, errorCode: f.errorCode, message: f.message });
    return null;
  };
  const f = take(factors, `${base}/factors`);
  const e = take(enrollments, `${base}/authenticator-enrollments`);
  // A DEPROVISIONED user's sub-resources answer 404: expected, no data, not an error.
  if (deleted && user.status === 'DEPROVISIONED') return { userId: user.id, factors: f, enrollments: e, state: 'complete' };
  if (deleted) return { userId: user.id, factors: null, enrollments: null, state: 'deleted', errors: [{ endpoint: `${base}/factors`, kind: 'deleted', httpStatus: 404, errorCode: 'E0000007', message: 'user no longer exists (deleted since it was listed)' }] };
  return { userId: user.id, factors: f, enrollments: e, state: errors.length ? 'failed' : 'complete', ...(errors.length ? { errors } : {}) };
}
