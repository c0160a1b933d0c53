/**
 * A crawl through injected faults (5xx, dropped connections, answers slower than the request
 * timeout, truncated JSON, users deleted mid-crawl) and an org concurrency limit below the crawl's:
 * it completes, and every user ends complete or accounted for (deleted or failed, with a recorded
 * reason), exactly the simulator's deleted users are reported deleted, and the concurrency 429s
 * the simulator sent are the ones the executor counted.
 */
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { FaultInjector, parseFaultSpec } from '../../src/simulator/faults.js';
import type { Coverage } from '../../src/store/types.js';
import { simulator } from '../support/sim.js';
import { crawlSimulator, rows, type CrawlRun } from '../support/crawl.js';

const USERS = 500;
const CONCURRENCY = 8;

let sim: SimulatorHandle;
let run: CrawlRun;

beforeAll(async () => {
  sim = await simulator({
    users: USERS, seed: 31, windowMs: 1000, concurrencyLimit: 3,
    faults: parseFaultSpec('500=0.03,502=0.02,503=0.02,reset=0.02,slow=0.01,slowMs=3000,malformed=0.03,deleted=0.01,seed=5'),
  });
  run = await crawlSimulator(sim, { concurrency: CONCURRENCY, requestTimeoutMs: 1000 });
}, 150_000);

afterAll(async () => {
  await sim?.close();
});

interface UserRow { id: string; status: string; crawl_state: string; factors_fetched: number | null; enrollments_fetched: number | null }

test('the faults happened, and the crawl completed anyway', () => {
  const faults = sim.stats().faults;
  for (const kind of ['500', '502', '503', 'reset', 'slow', 'malformed']) expect([kind, (faults[kind] ?? 0) > 0]).toEqual([kind, true]);
  expect(run.interrupted).toBe(false);
  expect(rows(run.dbPath, 'SELECT status FROM snapshots')).toEqual([{ status: 'complete' }]);
  expect(run.reader.executor.metrics().transientFailures).toBeGreaterThan(0);
});

test('every user is complete, or deleted/failed with the reason recorded in crawl_errors', () => {
  const users = rows<UserRow>(run.dbPath, 'SELECT id, status, crawl_state, factors_fetched, enrollments_fetched FROM users ORDER BY id');
  expect(users.length).toBe(USERS);
  const errors = rows<{ subject: string; kind: string; message: string; endpoint: string }>(run.dbPath, "SELECT subject, kind, message, endpoint FROM crawl_errors WHERE scope = 'user'");
  for (const u of users) {
    if (u.crawl_state === 'complete') {
      // Both lists read; a DEPROVISIONED user has none to read (404, not an error).
      if (u.status !== 'DEPROVISIONED') expect([u.id, u.factors_fetched, u.enrollments_fetched]).toEqual([u.id, 1, 1]);
      continue;
    }
    expect([u.id, ['deleted', 'failed'].includes(u.crawl_state)]).toEqual([u.id, true]);
    const mine = errors.filter((e) => e.subject === u.id && e.kind === u.crawl_state);
    expect([u.id, mine.length > 0]).toEqual([u.id, true]);
    for (const e of mine) expect([u.id, e.message.trim().length > 0, e.endpoint.startsWith(`/api/v1/users/${u.id}/`)]).toEqual([u.id, true, true]);
  }
  // No error row without its user in the matching state.
  const state = new Map(users.map((u) => [u.id, u.crawl_state]));
  for (const e of errors) expect([e.subject, state.get(e.subject)]).toEqual([e.subject, e.kind]);
});

test("the snapshot's coverage_json reports the same counts as the users table", () => {
  const [snap] = rows<{ coverage_json: string }>(run.dbPath, 'SELECT coverage_json FROM snapshots');
  const coverage = JSON.parse(snap!.coverage_json) as Coverage;
  const counts = Object.fromEntries(rows<{ crawl_state: string; n: number }>(run.dbPath, 'SELECT crawl_state, count(*) AS n FROM users GROUP BY crawl_state').map((r) => [r.crawl_state, r.n]));
  expect(coverage.users).toEqual({
    total: USERS, pending: counts['pending'] ?? 0, complete: counts['complete'] ?? 0, deleted: counts['deleted'] ?? 0, failed: counts['failed'] ?? 0,
  });
  expect(coverage.users.pending).toBe(0);
  const errorKinds = Object.fromEntries(rows<{ kind: string; n: number }>(run.dbPath, 'SELECT kind, count(*) AS n FROM crawl_errors GROUP BY kind').map((r) => [r.kind, r.n]));
  expect(coverage.errors).toEqual({ failed: errorKinds['failed'] ?? 0, deleted: errorKinds['deleted'] ?? 0, not_available: errorKinds['not_available'] ?? 0 });
  expect(run.coverage).toEqual(coverage);
});

test("the users reported deleted are exactly the simulator's deleted users (DEPROVISIONED ones aside)", () => {
  const faults = new FaultInjector(sim.options.faults);
  const users = rows<UserRow>(run.dbPath, 'SELECT id, status, crawl_state FROM users ORDER BY id');
  const expected = users.filter((u) => u.status !== 'DEPROVISIONED' && faults.isDeleted(u.id)).map((u) => u.id);
  expect(expected.length).toBeGreaterThan(0);
  expect(users.filter((u) => u.crawl_state === 'deleted').map((u) => u.id)).toEqual(expected);
  // A deleted DEPROVISIONED user answers 404 as every DEPROVISIONED user does: complete, no error.
  for (const u of users.filter((x) => x.status === 'DEPROVISIONED')) expect([u.id, u.crawl_state]).toEqual([u.id, 'complete']);
});

test('the simulator sent concurrency 429s, and the executor counted each one', () => {
  const stats = sim.stats();
  const sent = Object.values(stats.buckets).flatMap((b) => b.windows).reduce((n, w) => n + w.rejectedConcurrency, 0);
  const quota = Object.values(stats.buckets).flatMap((b) => b.windows).reduce((n, w) => n + w.rejectedQuota, 0);
  const m = run.reader.executor.metrics();
  expect(sent).toBeGreaterThan(0);
  expect(m.concurrency429).toBe(sent);
  expect(m.quota429).toBe(quota);
  expect(stats.nonGetAttempts.count).toBe(0);
});
