/**
 * `crawl --refresh` through the CLI as a user runs it day to day: refused without a base, with a
 * base older than the System Log keeps, and when the log cannot be read; then a refresh of day 1
 * killed (SIGKILL) part way and resumed with --resume ends with exactly the rows of an
 * uninterrupted refresh.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { simulator } from '../support/sim.js';
import { rows } from '../support/crawl.js';
import { describeRun, peek, removeSandbox, runCli, sandbox, startCli, waitUntil } from './helpers.js';
import { snapshotDifferences } from './snapshot_tables.js';

const USERS = 1500;
const box = sandbox('oie-cli-refresh-');
const base = join(box.cwd, 'base.db');
let port = 0;

/** The org on `day`, at the same address every time (snapshots name their org by URL). */
async function org(day: number, slow = false, tokenScopes?: string[]): Promise<SimulatorHandle> {
  const sim = await simulator({
    users: USERS, seed: 31, pipeline: 'idx', day, port, windowMs: 1000, ...(tokenScopes === undefined ? {} : { tokenScopes }),
    // Slow listing (two pages a second at half the share), so the refresh can be cut in the middle.
    limits: slow ? { users_list: 4 } : { users_list: 2000, api_v1: 6000 },
  });
  port = Number(new URL(sim.url).port);
  return sim;
}

const env = (sim: SimulatorHandle) => ({ OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: sim.token });

afterAll(() => removeSandbox(box));

const lastLine = (text: string): string => text.trim().split('\n').pop() ?? '';
const snapshotRowsOf = (db: string) => rows<{ id: number; status: string }>(db, 'SELECT id, status FROM snapshots ORDER BY id');

test('refresh with nothing to start from is a usage error that writes nothing', async () => {
  const sim = await org(0);
  try {
    const db = join(box.cwd, 'none.db');
    const r = await runCli(box, ['crawl', '--db', db, '--refresh'], env(sim));
    expect([r.code, r.stderr.trim()]).toEqual([2, expect.stringMatching(/^oie-audit: --refresh: there is no complete snapshot of .* the file does not exist\. Check --db, or run the crawl without --refresh to start one\.$/)]);
    const first = await runCli(box, ['crawl', '--db', base], env(sim));
    expect([first.code, first.code === 0 ? '' : describeRun(first)]).toEqual([0, '']);
    const bad = await runCli(box, ['crawl', '--db', base, '--base', '1'], env(sim));
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'oie-audit: --base names the snapshot a refresh starts from: use it with --refresh']);
    const missing = await runCli(box, ['crawl', '--db', base, '--refresh', '--base', '9'], env(sim));
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('--base 9: there is no such snapshot in this database')]);
    expect(rows(base, 'SELECT id FROM snapshots')).toEqual([{ id: 1 }]);
  } finally {
    await sim.close();
  }
}, 120_000);

test('refused, and nothing of the base lost: a base older than the System Log keeps, a log the token may not read', async () => {
  const tried = join(box.cwd, 'tried.db');
  copyFileSync(base, tried);
  const before = snapshotRowsOf(tried);
  const late = await org(92);
  try {
    const r = await runCli(box, ['crawl', '--db', tried, '--refresh'], env(late));
    expect([r.code, lastLine(r.stderr)]).toEqual([2, expect.stringMatching(/^oie-audit: --refresh: base snapshot 1 started \S+Z, more than the 90 days the System Log keeps, so changes since could be missed; run a full crawl \(without --refresh\)\.$/)]);
  } finally {
    await late.close();
  }
  const noLogs = await org(1, false, ['okta.users.read', 'okta.authenticators.read', 'okta.policies.read', 'okta.eventHooks.read', 'okta.apiTokens.read', 'okta.apps.read']);
  try {
    const r = await runCli(box, ['crawl', '--db', tried, '--refresh'], env(noLogs));
    expect([r.code, lastLine(r.stderr)]).toEqual([2, expect.stringMatching(/^oie-audit: --refresh: the System Log since the base could not be read completely \(403 E0000006 .*\), so changed users cannot be told apart; fix the access \(okta\.logs\.read\) or run a full crawl \(without --refresh\)\.$/)]);
  } finally {
    await noLogs.close();
  }
  // The base is untouched and no refreshed snapshot is left behind.
  expect(snapshotDifferences({ db: tried, snapshot: 1 }, { db: base, snapshot: 1 })).toEqual({});
  expect(snapshotRowsOf(tried)).toEqual(before);
}, 180_000);

test('killed part way on day 1 and resumed: the same rows as an uninterrupted refresh', async () => {
  const whole = join(box.cwd, 'whole.db');
  const killed = join(box.cwd, 'killed.db');
  copyFileSync(base, whole);
  copyFileSync(base, killed);
  const sim = await org(1, true);
  try {
    const a = await runCli(box, ['crawl', '--db', whole, '--refresh'], env(sim));
    expect([a.code, a.stderr]).toEqual([0, expect.stringMatching(/snapshot 2: users \d+ complete \(\d+ unchanged, copied from snapshot 1\)/)]);

    const run = startCli(box, ['crawl', '--db', killed, '--refresh'], env(sim));
    // Kill once the listing is part way: some users copied, the rest still to list.
    await waitUntil(() => {
      const n = peek(killed, (db) => db.prepare('SELECT count(*) FROM users WHERE snapshot_id = 2').pluck().get() as number);
      return n !== undefined && n >= USERS * 0.3 ? n : undefined;
    }, { run, timeoutMs: 60_000, what: 'a third of the users listed' });
    run.child.kill('SIGKILL');
    const r = await run.done;
    expect(r.signal).toBe('SIGKILL');
    expect(rows(killed, 'SELECT status, base_snapshot_id FROM snapshots WHERE id = 2')).toEqual([{ status: 'running', base_snapshot_id: 1 }]);

    const resumed = await runCli(box, ['crawl', '--db', killed, '--resume'], env(sim));
    expect([resumed.code, resumed.stderr]).toEqual([0, expect.stringContaining('(resuming)')]);
    expect(snapshotDifferences({ db: killed, snapshot: 2 }, { db: whole, snapshot: 2 })).toEqual({});
    expect(rows(killed, 'SELECT status FROM snapshots WHERE id = 2')).toEqual([{ status: 'complete' }]);
    // Which users were read again, and why, is the same too.
    expect(rows(killed, 'SELECT user_id, event_type FROM refresh_targets ORDER BY 1')).toEqual(rows(whole, 'SELECT user_id, event_type FROM refresh_targets ORDER BY 1'));
    expect(rows(killed, 'SELECT count(*) AS n FROM refresh_targets')).not.toEqual([{ n: 0 }]);
  } finally {
    await sim.close();
  }
}, 180_000);
