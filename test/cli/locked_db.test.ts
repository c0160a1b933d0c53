/**
 * A storage failure mid-crawl is reported like any other: another process holds the snapshot
 * database's write lock while users are being crawled, so the crawl stops with exit 6 and the
 * one-line message (not a crash and a stack trace), and `--resume` completes the snapshot once
 * the lock is gone.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { simulator } from '../support/sim.js';
import { rows } from '../support/crawl.js';
import { describeRun, removeSandbox, runCli, sandbox, startCli, waitUntil, type CliResult } from './helpers.js';
import { crawlState } from './snapshot_tables.js';

const USERS = 400;
const box = sandbox('oie-cli-locked-');
let sim: SimulatorHandle;

beforeAll(async () => {
  sim = await simulator({ users: USERS, seed: 13, windowMs: 1000, latencyMs: 2, limits: { logs: 2 } });
});

afterAll(async () => {
  await sim?.close();
  removeSandbox(box);
});

test('database locked by another process mid-crawl: exit 6 with the lock message, then --resume completes', async () => {
  const db = join(box.cwd, 'locked.db');
  const env = { OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: sim.token };
  const run = startCli(box, ['crawl', '--db', db, '--logs-since', '20d'], env);
  await waitUntil(() => { const s = crawlState(db); return s && s.usersFinal > 0 ? s : undefined; }, { run, timeoutMs: 90_000, what: 'the first users stored' });

  const other = new Database(db);
  let r: CliResult;
  try {
    other.pragma('busy_timeout = 3000');
    other.exec('BEGIN IMMEDIATE'); // the write lock, held until the crawl has given up
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000); // a crawl that never gives up fails below
    r = await run.done;
    clearTimeout(timer);
  } finally {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
  }
  expect(r.code).toBe(6);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.at(-1)).toBe(`oie-audit: Snapshot database ${db} is locked by another process; stop the other oie-audit run, then resume.`);
  expect(r.stderr).not.toMatch(/unexpected error|^\s+at /m);
  expect(crawlState(db)).toMatchObject({ snapshots: 1, status: 'running' });

  const resumed = await runCli(box, ['crawl', '--db', db, '--resume'], env);
  if (resumed.code !== 0) throw new Error(describeRun(resumed));
  expect(rows(db, 'SELECT status FROM snapshots')).toEqual([{ status: 'complete' }]);
  expect(rows(db, 'SELECT crawl_state, count(*) AS n FROM users GROUP BY crawl_state')).toEqual([{ crawl_state: 'complete', n: USERS }]);
}, 150_000);
