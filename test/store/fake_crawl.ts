/**
 * A minimal crawler over an in-memory org that follows the resume protocol documented in
 * src/store/snapshot_writer.ts, in two styles: 'paged' crawls each page's users before listing
 * the next; 'runAhead' lists every page first and then works the pending queue, as a crawler
 * whose listing outpaces its workers does. `tick` runs before every store call and, through temp triggers,
 * on every row the store writes, so a test can crash the crawl at any point: between
 * transactions or inside one.
 */
import type { Db } from '../../src/store/db.js';
import type { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import type { RawObject, UserResult } from '../../src/store/types.js';

export interface FakeOrg {
  url: string;
  users: RawObject[];
  factors: (userId: string) => RawObject[] | 404;
  enrollments: (userId: string) => RawObject[] | 500;
  logs: RawObject[];
}

const ORG = 'https://acme.okta.com';
const USER_PAGE = 4;
const LOG_PAGE = 3;
const USER_BATCH = 3;

export function fakeOrg(): FakeOrg {
  const users = Array.from({ length: 13 }, (_, i) => {
    const id = `00u${String(i + 1).padStart(2, '0')}`;
    return { id, status: i % 5 === 4 ? 'SUSPENDED' : 'ACTIVE', lastLogin: null, profile: { login: `${id}@example.com` } };
  });
  return {
    url: ORG,
    users,
    factors: (u) =>
      u === '00u05'
        ? 404
        : [
            { id: `opf${u}`, factorType: 'push', provider: 'OKTA', status: 'ACTIVE', profile: { name: `phone of ${u}`, platform: 'IOS', deviceType: 'SmartPhone_IPhone' } },
            { id: `sms${u}`, factorType: 'sms', provider: 'OKTA', status: Number(u.slice(3)) % 2 ? 'ACTIVE' : 'PENDING_ACTIVATION', profile: { phoneNumber: '+1 555' } },
          ],
    enrollments: (u) => (u === '00u09' ? 500 : [{ id: `pfd${u}`, key: 'okta_verify', type: 'app', status: 'ACTIVE', name: 'Okta Verify', nickname: null }]),
    logs: Array.from({ length: 7 }, (_, i) => ({
      uuid: `ev-${i}`,
      published: `2024-08-01T00:00:0${i}.000Z`,
      eventType: 'user.authentication.auth_via_mfa',
      debugContext: { debugData: { requestUri: i % 2 ? '/api/v1/authn/factors/x/verify' : '/idp/idx/challenge' } },
    })),
  };
}

function page<T>(items: T[], cursor: string | null, size: number, key: (t: T) => string, path: string): { items: T[]; next: string | null } {
  const after = cursor === null ? null : new URL(cursor).searchParams.get('after');
  const start = after === null ? 0 : items.findIndex((t) => key(t) === after) + 1;
  const slice = items.slice(start, start + size);
  const last = slice[slice.length - 1];
  const next = start + size < items.length && last !== undefined ? `${ORG}${path}?after=${key(last)}&limit=${size}` : null;
  return { items: slice, next };
}

function crawlUser(org: FakeOrg, userId: string): UserResult {
  const factors = org.factors(userId);
  if (factors === 404) {
    return { userId, factors: null, enrollments: null, state: 'deleted', errors: [{ endpoint: `/api/v1/users/${userId}/factors`, kind: 'deleted', httpStatus: 404, errorCode: 'E0000007', message: 'Not found' }] };
  }
  const enrollments = org.enrollments(userId);
  if (enrollments === 500) {
    return { userId, factors, enrollments: null, state: 'failed', errors: [{ endpoint: `${ORG}/api/v1/users/${userId}/authenticator-enrollments`, kind: 'failed', httpStatus: 500, message: 'Internal Server Error' }] };
  }
  return { userId, factors, enrollments, state: 'complete' };
}

function crawlUsers(w: SnapshotWriter, id: number, org: FakeOrg, ids: readonly string[], tick: () => void): void {
  for (let i = 0; i < ids.length; i += USER_BATCH) {
    const results = ids.slice(i, i + USER_BATCH).map((u) => crawlUser(org, u));
    tick();
    w.completeUsers(id, results);
  }
}

/** Runs (or resumes) the crawl of `org` to completion; returns the snapshot id. */
export function crawl(w: SnapshotWriter, org: FakeOrg, tick: () => void, style: 'paged' | 'runAhead' = 'paged'): number {
  const existing = w.latestIncomplete(org.url);
  let id: number;
  if (existing === undefined) {
    tick();
    id = w.createSnapshot({ orgUrl: org.url, toolVersion: '0.1.0', settings: { pageSize: USER_PAGE } });
  } else {
    id = existing.id;
  }

  if (!w.isOrgResourceDone(id, 'wellKnown')) {
    tick();
    w.setOrgInfo(id, { orgId: '00o1', pipeline: 'v1', usersExpected: org.users.length });
    tick();
    w.markOrgResource(id, 'wellKnown', 'complete');
  }
  const policies = [
    { id: '00p1', type: 'MFA_ENROLL', name: 'Default', priority: 1, system: true, settings: { factors: { okta_push: { enroll: { self: 'OPTIONAL' } } } } },
    { id: '00p2', type: 'MFA_ENROLL', name: 'IdE', priority: 2, system: false, settings: { type: 'AUTHENTICATORS', authenticators: [] } },
  ];
  const resources: Array<[string, () => void]> = [
    ['authenticators', () => w.writeOrgResource(id, 'authenticators', [{ id: 'aut1', key: 'okta_verify', type: 'app', name: 'Okta Verify', status: 'ACTIVE' }], 'authenticators')],
    ['policies:MFA_ENROLL', () => w.writeOrgResource(id, 'policies:MFA_ENROLL', policies, 'policies')],
    ...policies.map((p): [string, () => void] => [`policyRules:${p.id}`, () => w.writeOrgResource(id, `policyRules:${p.id}`, [{ id: `0pr${p.id}`, name: 'Rule', priority: 1 }], 'policy_rules', { policyId: p.id })]),
    ['eventHooks', () => {
      w.recordError(id, { scope: 'org', subject: 'eventHooks', endpoint: `${ORG}/api/v1/eventHooks`, kind: 'not_available', httpStatus: 403, errorCode: 'E0000006', message: 'You do not have permission' });
      tick();
      w.markOrgResource(id, 'eventHooks', 'not_available', 'missing scope okta.eventHooks.read', 403, 'E0000006');
    }],
    ['apiTokens', () => w.writeOrgResource(id, 'apiTokens', [{ id: '00T1', name: 'ci', userId: '00u01' }], 'api_tokens')],
  ];
  for (const [resource, fetch] of resources) {
    if (w.isOrgResourceDone(id, resource)) continue;
    tick();
    fetch();
  }

  const phase = 'users:all';
  const drain = (): void => {
    for (let ids = w.pendingUserIds(id, 5); ids.length > 0; ids = w.pendingUserIds(id, 5)) crawlUsers(w, id, org, ids, tick);
  };
  // Users listed before a crash are still pending: crawl them whatever the listing state.
  drain();
  const at = w.getCursor(id, phase);
  let url = at?.done === true ? undefined : (at?.cursor ?? null);
  while (url !== undefined) {
    const { items, next } = page(org.users, url, USER_PAGE, (u) => String(u['id']), '/api/v1/users');
    tick();
    const { todo } = w.writeUsersPage(id, phase, items, next);
    if (style === 'paged') crawlUsers(w, id, org, todo, tick);
    url = next ?? undefined;
  }
  drain();

  const logs = 'logs:all';
  for (let c = w.getCursor(id, logs); c?.done !== true; c = w.getCursor(id, logs)) {
    const { items, next } = page(org.logs, c?.cursor ?? null, LOG_PAGE, (e) => String(e['uuid']), '/api/v1/logs');
    tick();
    w.writeLogEvents(id, logs, items, next);
  }

  tick();
  w.finishSnapshot(id, 'complete', w.coverage(id));
  return id;
}

const WATCHED = ['users', 'factors', 'authenticator_enrollments', 'log_events', 'crawl_progress', 'org_resources', 'crawl_errors', 'policies', 'snapshots'];

/** Calls `tick` on every row written to the store's tables (connection-local temp triggers). */
export function installCrashTriggers(db: Db, tick: () => void): void {
  db.function('crash_point', () => {
    tick();
    return 0;
  });
  for (const table of WATCHED) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      db.exec(`CREATE TEMP TRIGGER crash_${table}_${op.toLowerCase()} AFTER ${op} ON main.${table} BEGIN SELECT crash_point(); END`);
    }
  }
}
