/**
 * A whole crawl against the simulator, checked the way a user would: every table equals the
 * simulator's ground truth (its `--dump-fixture` output), and the simulator's own counters show the
 * crawl stayed within `maxShare` of every bucket in every window, within its concurrency, without
 * a quota 429, and without a single non-GET request.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { dumpFixture } from '../../src/simulator/org/fixture.js';
import type { FixtureFile, LogEvent } from '../../src/simulator/org/types.js';
import { MFA_EVENT_TYPES } from '../../src/crawler/logs_phase.js';
import { DEVICE_TRUST_EVENT_TYPES } from '../../src/okta/event_types.js';
import { simulator } from '../support/sim.js';
import { crawlSimulator, rows, tempDir, type CrawlRun } from '../support/crawl.js';

const MAX_SHARE = 0.5;
const CONCURRENCY = 8;

function byId<T extends { id?: unknown }>(list: T[]): Map<string, T> {
  return new Map(list.map((x) => [String(x.id), x]));
}

function inLogWindow(e: LogEvent, since: Date, until: Date): boolean {
  const uri = String((e.debugContext as { debugData?: { requestUri?: string } } | undefined)?.debugData?.requestUri ?? '');
  const t = Date.parse(e.published);
  return t >= since.getTime() && t < until.getTime()
    && (MFA_EVENT_TYPES.includes(e.eventType) || DEVICE_TRUST_EVENT_TYPES.includes(e.eventType)
      || uri.startsWith('/api/v1/authn') || uri.startsWith('/api/v1/sessions') || uri.startsWith('/api/v1/org/factors'));
}

describe.each(['idx', 'v1'] as const)('crawl of a 2,000-user %s org', (pipeline) => {
  let sim: SimulatorHandle;
  let truth: FixtureFile;
  let run: CrawlRun;
  const since = new Date(Date.now() - 30 * 86400_000);
  const until = new Date();

  beforeAll(async () => {
    // 3 s windows: the crawl and the simulator share this process, which serves a few hundred requests/s.
    sim = await simulator({ users: 2000, seed: 42, pipeline, windowMs: 3000, latencyMs: 2 });
    const file = join(tempDir(), 'truth.json');
    await dumpFixture(sim.source, file);
    truth = JSON.parse(readFileSync(file, 'utf8')) as FixtureFile;
    run = await crawlSimulator(sim, { maxShare: MAX_SHARE, concurrency: CONCURRENCY, logsSince: since, logsUntil: until });
  }, 300_000);
  afterAll(() => sim.close());

  test('the snapshot is complete and records the org', () => {
    const [snap] = rows<{ status: string; pipeline: string; org_id: string }>(run.dbPath, 'SELECT status, pipeline, org_id FROM snapshots');
    expect(snap).toEqual({ status: 'complete', pipeline, org_id: truth.org.id });
    expect(run.coverage.users.pending).toBe(0);
    expect(run.coverage.users.failed).toBe(0);
  });

  test('users: every user of every status, each raw JSON as served', () => {
    const stored = rows<{ id: string; login: string; status: string; raw_json: string; crawl_state: string }>(run.dbPath, 'SELECT id, login, status, raw_json, crawl_state FROM users ORDER BY id');
    expect(stored.map((u) => u.id)).toEqual(truth.users.map((u) => u.id));
    const statuses = new Set(stored.map((u) => u.status));
    expect(statuses).toEqual(new Set(['ACTIVE', 'DEPROVISIONED', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'PROVISIONED', 'RECOVERY', 'STAGED', 'SUSPENDED']));
    const t = byId(truth.users);
    for (const u of stored) {
      expect(JSON.parse(u.raw_json)).toEqual(t.get(u.id));
      expect(u.login).toBe(t.get(u.id)!.profile.login);
      expect(u.crawl_state).toBe('complete');
    }
  });

  test('factors: each user\'s rows as served, signed_nonce profile.keys included', () => {
    const stored = rows<{ user_id: string; id: string; factor_type: string; raw_json: string }>(run.dbPath, 'SELECT user_id, id, factor_type, raw_json FROM factors');
    const expected = truth.users.filter((u) => u.status !== 'DEPROVISIONED').flatMap((u) => (truth.factors?.[u.id] ?? []).map((f) => ({ user_id: u.id, f })));
    expect(stored.length).toBe(expected.length);
    const got = new Map(stored.map((r) => [`${r.user_id}/${r.id}`, JSON.parse(r.raw_json)]));
    for (const { user_id, f } of expected) expect(got.get(`${user_id}/${String(f.id)}`)).toEqual(f);
    const signedNonce = stored.filter((r) => r.factor_type === 'signed_nonce');
    if (pipeline === 'idx') {
      expect(signedNonce.length).toBeGreaterThan(50);
      expect((JSON.parse(signedNonce[0]!.raw_json) as { profile: { keys: unknown[] } }).profile.keys.length).toBeGreaterThan(0);
    } else {
      expect(signedNonce.length).toBe(0);
    }
  });

  test('authenticator enrollments: as served on idx, not applicable on v1 (and never asked for)', () => {
    const stored = rows<{ user_id: string; id: string; raw_json: string }>(run.dbPath, 'SELECT user_id, id, raw_json FROM authenticator_enrollments');
    if (pipeline === 'v1') {
      expect(stored).toEqual([]);
      expect(run.coverage.orgResources.notAvailable).toEqual([]);
      expect(run.coverage.orgResources.notApplicable.map((r) => r.resource).sort()).toEqual(['authenticatorEnrollments', 'authenticators', 'policies:ACCESS_POLICY']);
      expect(sim.stats().byEndpoint['authenticator_enrollments']).toBeUndefined();
      expect(sim.stats().byEndpoint['user_factors']).toBe(truth.users.length);
      return;
    }
    expect(run.coverage.orgResources.notApplicable).toEqual([]);
    const expected = truth.users.filter((u) => u.status !== 'DEPROVISIONED').flatMap((u) => (truth.authenticatorEnrollments?.[u.id] ?? []).map((e) => ({ user_id: u.id, e })));
    expect(stored.length).toBe(expected.length);
    const got = new Map(stored.map((r) => [`${r.user_id}/${r.id}`, JSON.parse(r.raw_json)]));
    for (const { user_id, e } of expected) expect(got.get(`${user_id}/${String(e.id)}`)).toEqual(e);
  });

  test('org resources: authenticators, policies with rules, event hooks, API tokens, apps, brands and sign-in pages, domains, origins, inline hooks', () => {
    const raw = (table: string) => rows<{ raw_json: string }>(run.dbPath, `SELECT raw_json FROM ${table} ORDER BY id`).map((r) => JSON.parse(r.raw_json));
    const sorted = <T extends { id?: unknown }>(l: T[] | undefined) => [...(l ?? [])].sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));
    const policyTypes = pipeline === 'idx' ? ['MFA_ENROLL', 'OKTA_SIGN_ON', 'ACCESS_POLICY', 'IDP_DISCOVERY'] : ['MFA_ENROLL', 'OKTA_SIGN_ON', 'IDP_DISCOVERY'];
    const policies = sorted((truth.policies ?? []).filter((p) => policyTypes.includes(String(p.type))));
    expect(raw('policies')).toEqual(policies);
    expect(raw('policy_rules')).toEqual(sorted(policies.flatMap((p) => truth.policyRules?.[String(p.id)] ?? [])));
    expect(raw('event_hooks')).toEqual(sorted(truth.eventHooks));
    expect(raw('api_tokens')).toEqual(sorted(truth.apiTokens));
    expect(raw('authenticators')).toEqual(pipeline === 'idx' ? sorted(truth.authenticators) : []);
    expect(raw('apps')).toEqual(sorted(truth.apps));
    expect(raw('brands')).toEqual(sorted(truth.brands));
    expect(rows<{ brand_id: string; raw_json: string }>(run.dbPath, 'SELECT brand_id, raw_json FROM sign_in_pages ORDER BY brand_id')
      .map((r) => [r.brand_id, JSON.parse(r.raw_json)])).toEqual(Object.entries(truth.signInPages ?? {}).sort());
    expect(raw('domains')).toEqual(sorted(truth.domains));
    expect(raw('trusted_origins')).toEqual(sorted(truth.trustedOrigins));
    expect(raw('inline_hooks')).toEqual(sorted(truth.inlineHooks));
  });

  test('System Log: the MFA and Classic-API events of the window, each as served', () => {
    const stored = rows<{ uuid: string; raw_json: string }>(run.dbPath, 'SELECT uuid, raw_json FROM log_events ORDER BY uuid');
    const expected = (truth.logs ?? []).filter((e) => inLogWindow(e, since, until)).sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
    expect(expected.length).toBeGreaterThan(100);
    expect(stored.map((r) => JSON.parse(r.raw_json))).toEqual(expected);
  });

  test('the simulator saw at most maxShare of each bucket per window, no quota 429, no write, concurrency within the cap', () => {
    const stats = sim.stats();
    expect(stats.nonGetAttempts.count).toBe(0);
    expect(stats.peakConcurrency).toBeLessThanOrEqual(CONCURRENCY);
    for (const [bucket, b] of Object.entries(stats.buckets)) {
      for (const w of b.windows) {
        expect([bucket, w.windowStart, w.requests <= Math.floor(MAX_SHARE * b.limit)]).toEqual([bucket, w.windowStart, true]);
        expect(w.rejectedQuota).toBe(0);
      }
    }
    // The budget was actually used: the busiest catch-all window came close to its share.
    const catchAll = stats.buckets.api_v1!.windows.map((w) => w.requests);
    expect(Math.max(...catchAll)).toBeGreaterThanOrEqual(Math.floor(MAX_SHARE * 1200) - 20);
  });
});
