/**
 * The upgrade end to end, through the CLI: a full crawl of a generated Classic org, the same org
 * served as its upgrade left it, a refresh refused across the engines, a full crawl after, then
 * `verify-upgrade` and `diff`. What they must report comes from the generator's own record of the
 * losses it seeded (3 % of Okta Verify devices not mapped, 15 % of U2F keys not carried over).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import type { GenContext } from '../../src/simulator/org/generated_context.js';
import { initialState } from '../../src/simulator/org/generated_history.js';
import { userCore } from '../../src/simulator/org/generated_users.js';
import { simulator } from '../support/sim.js';
import { rows } from '../support/crawl.js';
import { describeRun, removeSandbox, runCli, sandbox } from '../cli/helpers.js';

const USERS = 2000;
const SEED = 11;
const box = sandbox('oie-e2e-upgrade-');
const db = join(box.cwd, 'acme.db');
let port = 0;

async function org(upgraded: boolean): Promise<SimulatorHandle> {
  const sim = await simulator({ users: USERS, seed: SEED, pipeline: 'v1', upgraded, port, windowMs: 200 });
  port = Number(new URL(sim.url).port);
  return sim;
}
const env = (sim: SimulatorHandle) => ({ OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: sim.token });

async function json(args: string[], out: string): Promise<{ sheets: Record<string, Record<string, unknown>[]> }> {
  const r = await runCli(box, [...args, '--db', db, '--out', out, '--format', 'json']);
  if (r.code !== 0) throw new Error(describeRun(r));
  return JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8'));
}

/** ACTIVE users' seeded losses, from the generator's plan of each user. */
function seededLosses() {
  const ctx: GenContext = { users: USERS, seed: SEED, pipeline: 'v1', baseUrl: 'http://127.0.0.1', nowMs: Math.floor(Date.now() / 86_400_000) * 86_400_000, upgraded: true };
  const lostFactors: string[] = [];
  const deviceless: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const core = userCore(ctx, i);
    if (core.status !== 'ACTIVE') continue;
    const { plan } = initialState(ctx, core);
    // U2F and WebAuthn factors both become WebAuthn enrollments: lost only if none carried over.
    const keys = plan.factors.filter((f) => (f.kind === 'u2f' || f.kind === 'webauthn') && f.status === 'ACTIVE');
    if (keys.length > 0 && keys.every((f) => f.noEnrollment === true)) lostFactors.push(...keys.map((f) => `${core.id} ${f.id}`));
    if (plan.devices.some((d) => d.unmapped === true)) deviceless.push(core.id);
  }
  return { lostFactors: lostFactors.sort(), deviceless: [...new Set(deviceless)].sort() };
}

afterAll(() => removeSandbox(box));

test('Classic snapshot, upgraded org, refresh refused across engines, verify-upgrade finds exactly the seeded losses', async () => {
  const before = await org(false);
  try {
    const r = await runCli(box, ['crawl', '--db', db], env(before));
    if (r.code !== 0) throw new Error(describeRun(r));
  } finally {
    await before.close();
  }
  const after = await org(true);
  try {
    const refused = await runCli(box, ['crawl', '--db', db, '--refresh'], env(after));
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('the org runs idx now but ran v1 in base snapshot 1 (an upgrade?); run a full crawl (without --refresh)')]);
    expect(rows(db, 'SELECT id, pipeline FROM snapshots')).toEqual([{ id: 1, pipeline: 'v1' }]);
    const r = await runCli(box, ['crawl', '--db', db], env(after));
    if (r.code !== 0) throw new Error(describeRun(r));
  } finally {
    await after.close();
  }

  // The refused refresh left no snapshot, but its id is not reused.
  const [classic, upgraded] = rows<{ id: number; pipeline: string }>(db, 'SELECT id, pipeline FROM snapshots ORDER BY id');
  expect([classic, upgraded]).toEqual([{ id: 1, pipeline: 'v1' }, { id: 3, pipeline: 'idx' }]);
  const pair = [String(classic!.id), String(upgraded!.id)];
  const expected = seededLosses();
  expect(expected.lostFactors.length).toBeGreaterThan(0); // the seed must exercise both kinds of loss
  expect(expected.deviceless.length).toBeGreaterThan(0);
  const v = (await json(['verify-upgrade', '--before', pair[0]!, '--after', pair[1]!], join(box.cwd, 'verify'))).sheets;
  expect(v['lost-factors']!.map((x) => `${String(x['User ID'])} ${String(x['Factor ID before'])}`).sort()).toEqual(expected.lostFactors);
  expect([...new Set(v['okta-verify-without-device']!.map((x) => String(x['User ID'])))].sort()).toEqual(expected.deviceless);
  expect(v['apps-on-classic-pipeline']!.map((x) => x['App']).sort()).toEqual(['Customer portal', 'Legacy intranet', 'Workday']);

  // The diff of the same pair: the email and question factors Identity Engine lists appear, nothing is removed.
  const d = (await json(['diff', ...pair], join(box.cwd, 'diff'))).sheets;
  const changes = (sheet: string) => [...new Set(d[sheet]!.map((x) => String(x['Change'])))].sort();
  expect(changes('factors')).toEqual(['Appears after the upgrade']);
  expect(new Set(d['factors']!.map((x) => x['Factor type']))).toEqual(new Set(['email', 'question']));
  expect(changes('authenticator-enrollments')).toEqual(['Added']);
  expect(d['users']).toEqual([]);
}, 300_000);
