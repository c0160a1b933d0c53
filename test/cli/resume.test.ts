/**
 * Crash safety through the CLI: a crawl SIGKILLed at several points and resumed with `--resume`
 * each time ends with exactly the rows of an uninterrupted crawl, table by table; so does a crawl
 * stopped with Ctrl-C (exit 130, told how to resume). `--resume` with nothing to resume is a usage
 * error (exit 2).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { parseFaultSpec } from '../../src/simulator/faults.js';
import { simulator } from '../support/sim.js';
import { rows } from '../support/crawl.js';
import { describeRun, removeSandbox, runCli, sandbox, startCli, waitUntil, type CliRun } from './helpers.js';
import { COMPARED_TABLES, crawlState, storedScope, tableRows, type CrawlState } from './snapshot_tables.js';

const USERS = 1000;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const box = sandbox('oie-cli-resume-');
const dbA = join(box.cwd, 'uninterrupted.db');
const dbB = join(box.cwd, 'killed.db');
const dbC = join(box.cwd, 'ctrl-c.db');
// One explicit start for every crawl: the window's end is each crawl's own start time, and the
// simulator's events all precede its "now", set before any crawl starts.
const LOGS_SINCE = new Date(Math.floor((Date.now() - 29 * DAY) / MINUTE) * MINUTE).toISOString();

let sim: SimulatorHandle;
let env: Record<string, string>;

/** A resumed run is given another System Log start: it must keep its snapshot's own window. */
function crawlArgs(db: string, resume = false): string[] {
  return ['crawl', '--db', db, '--concurrency', '8', ...(resume ? ['--resume', '--logs-since', '7d'] : ['--logs-since', LOGS_SINCE])];
}

/** Waits until the crawl writing `db` satisfies `when`, then SIGKILLs it; returns the state it was killed in. */
async function killWhen(run: CliRun, db: string, what: string, when: (s: CrawlState) => boolean): Promise<CrawlState> {
  await waitUntil(() => { const s = crawlState(db); return s && when(s) ? s : undefined; }, { run, timeoutMs: 90_000, what });
  run.child.kill('SIGKILL');
  const r = await run.done;
  if (r.signal !== 'SIGKILL') throw new Error(`the crawl was meant to be killed ${what}, but it ended first: ${describeRun(r)}`);
  const after = crawlState(db);
  if (!after) throw new Error(`the database is unreadable after a SIGKILL ${what}`);
  return after;
}

function expectSameSnapshot(db: string, reference: string): void {
  for (const table of Object.keys(COMPARED_TABLES)) {
    const got = tableRows(db, table);
    const want = tableRows(reference, table);
    expect([table, got.length]).toEqual([table, want.length]);
    const first = got.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(want[i]));
    if (first >= 0) expect({ table, row: got[first] }).toEqual({ table, row: want[first] });
  }
  expect(storedScope(db).logsSince).toBe(storedScope(reference).logsSince);
  expect(storedScope(db).usersSearch).toBe(storedScope(reference).usersSearch);
}

beforeAll(async () => {
  sim = await simulator({
    users: USERS, seed: 23, windowMs: 1000, latencyMs: 2,
    // The System Log gets one request per window, so its phase lasts a few seconds and can be cut.
    limits: { logs: 2 },
    // Deleted users give crawl_errors rows to compare; no transient faults, so both crawls read the same.
    faults: parseFaultSpec('deleted=0.01,seed=3'),
    now: new Date(Date.now() - 5 * MINUTE),
  });
  env = { OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: sim.token };
  const a = await runCli(box, crawlArgs(dbA), env);
  if (a.code !== 0) throw new Error(`the uninterrupted crawl failed: ${describeRun(a)}`);
}, 120_000);

afterAll(async () => {
  await sim?.close();
  removeSandbox(box);
});

test('the uninterrupted crawl is complete, with deleted users and System Log events to compare', () => {
  const [snap] = rows<{ status: string; pipeline: string }>(dbA, 'SELECT status, pipeline FROM snapshots');
  expect(snap).toEqual({ status: 'complete', pipeline: 'idx' });
  const states = Object.fromEntries(rows<{ crawl_state: string; n: number }>(dbA, 'SELECT crawl_state, count(*) AS n FROM users GROUP BY crawl_state').map((r) => [r.crawl_state, r.n]));
  expect(states['pending']).toBeUndefined();
  expect(states['complete']).toBeGreaterThan(USERS * 0.9);
  expect(states['deleted']).toBeGreaterThan(0);
  expect(rows(dbA, "SELECT 1 FROM crawl_errors WHERE kind = 'deleted'").length).toBe(states['deleted']);
  expect(rows(dbA, 'SELECT 1 FROM log_events').length).toBeGreaterThan(1000);
});

test('killed (SIGKILL) after the org phase, during the System Log, at ~30% and ~80% of users, resumed each time: same rows as the uninterrupted crawl', async () => {
  const kills: { what: string; when: (s: CrawlState, before: CrawlState | undefined) => boolean }[] = [
    { what: 'after the org phase, before any user is stored', when: (s) => s.orgDone && s.usersFinal === 0 },
    { what: 'during the System Log phase', when: (s, before) => s.logEvents > (before?.logEvents ?? 0) && !s.logsDone },
    // "In this run": a threshold already met when the run starts would kill it before it did anything.
    { what: 'at ~30% of users', when: (s, before) => s.usersFinal >= USERS * 0.3 && s.usersFinal > (before?.usersFinal ?? 0) },
    { what: 'at ~80% of users', when: (s, before) => s.usersFinal >= USERS * 0.8 && s.usersFinal > (before?.usersFinal ?? 0) },
  ];
  let before: CrawlState | undefined;
  const seen: CrawlState[] = [];
  for (const [i, kill] of kills.entries()) {
    const run = startCli(box, crawlArgs(dbB, i > 0), env);
    const state = await killWhen(run, dbB, kill.what, (s) => kill.when(s, before));
    // Still one snapshot, still resumable, and nothing lost that had been stored.
    expect(state).toMatchObject({ snapshots: 1, status: 'running' });
    if (before) expect(state.usersFinal).toBeGreaterThanOrEqual(before.usersFinal);
    seen.push(state);
    before = state;
  }
  // The kills fell where intended.
  expect(seen[0]).toMatchObject({ orgDone: true, usersFinal: 0 });
  expect(seen[1]!.logsDone).toBe(false);
  expect(seen[3]!.usersFinal).toBeLessThan(USERS);

  const last = await runCli(box, crawlArgs(dbB, true), env);
  expect([last.code, last.stderr]).toEqual([0, expect.stringContaining('(resuming)')]);
  expectSameSnapshot(dbB, dbA);
}, 180_000);

test('--resume with no incomplete snapshot: the documented error, exit 2, nothing written', async () => {
  // A database whose only snapshot is complete.
  const bytes = readFileSync(dbA);
  const mtime = statSync(dbA).mtimeMs;
  const r = await runCli(box, crawlArgs(dbA, true), env);
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`oie-audit: --resume: there is no incomplete snapshot of ${sim.url} in this database. Run the crawl without --resume to start one.`);
  expect(readFileSync(dbA).equals(bytes)).toBe(true);
  expect(statSync(dbA).mtimeMs).toBe(mtime);

  // No database at all: refused without creating one.
  const none = join(box.cwd, 'never-crawled.db');
  const r2 = await runCli(box, crawlArgs(none, true), env);
  expect(r2.code).toBe(2);
  expect(r2.stderr).toBe(`oie-audit: --resume: there is no incomplete snapshot of ${sim.url} in ${none}: the file does not exist. Check --db, or run the crawl without --resume to start one.\n`);
  expect([none, `${none}-wal`, `${none}-shm`].filter((p) => existsSync(p))).toEqual([]);
}, 60_000);

test('Ctrl-C (SIGINT): saves what is in flight, exits 130 saying how to resume; --resume completes it with the same rows', async () => {
  const run = startCli(box, crawlArgs(dbC), env);
  const at = await waitUntil(() => { const s = crawlState(dbC); return s && s.usersFinal >= USERS * 0.25 ? s : undefined; }, { run, timeoutMs: 90_000, what: 'a quarter of the users' });
  run.child.kill('SIGINT');
  const r = await run.done;
  expect(r.code).toBe(130);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.at(-1)).toBe(`oie-audit: interrupted; snapshot 1 is saved. Resume with: oie-audit crawl --resume --db ${dbC}`);
  expect(r.stderr).toContain('interrupted: finishing requests in flight and saving');

  const after = crawlState(dbC)!;
  expect(after).toMatchObject({ snapshots: 1, status: 'running' });
  expect(after.usersFinal).toBeGreaterThanOrEqual(at.usersFinal);
  expect(after.usersFinal).toBeLessThan(USERS);

  const resumed = await runCli(box, crawlArgs(dbC, true), env);
  expect(resumed.code).toBe(0);
  expectSameSnapshot(dbC, dbA);
}, 120_000);
