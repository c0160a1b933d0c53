/**
 * Every rule's findings over a generated org, pinned: a digest of each rule's rows (in id order,
 * every stored column but the row id) in the jest snapshot. The snapshot was written before the
 * rules' SQL was restructured for speed, so a rewrite that changes any finding's severity,
 * subject, user, evidence or details fails here, naming the rule.
 *
 * A deliberate change of a rule's output updates the snapshot (`npx jest -u` on this file), with
 * the reason in the commit.
 */
import { createHash } from 'node:crypto';
import { createGeneratedOrg } from '../../src/simulator/org/generated.js';
import { runRules } from '../../src/rules/run.js';
import type { Db } from '../../src/store/db.js';
import type { RawObject } from '../../src/store/types.js';
import { fixtureFromSource, type SnapshotFixture, tempDb, writeSnapshotDirect } from './helpers.js';

const NOW = new Date('2024-08-01T00:00:00.000Z');

/** Per rule: how many findings and a digest of them all, in the order they were written. */
export function findingDigests(db: Db, snapshotId: number): Record<string, { findings: number; sha256: string }> {
  const rows = db.prepare(`
    SELECT rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json
    FROM findings WHERE snapshot_id = ? ORDER BY id`).raw().all(snapshotId) as unknown[][];
  const out: Record<string, { findings: number; hash: ReturnType<typeof createHash> }> = {};
  for (const r of rows) {
    const rule = String(r[0]);
    const acc = (out[rule] ??= { findings: 0, hash: createHash('sha256') });
    acc.findings += 1;
    acc.hash.update(`${JSON.stringify(r)}\n`);
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, { findings: out[k]!.findings, sha256: out[k]!.hash.digest('hex') }]));
}

/**
 * The generated org, plus second registrations the generator does not make: for some users a
 * push factor on another device, on the same device, on an unnamed device, pending twice or once,
 * and a FastPass factor on the same device. Rules that compare a user's factors get work of every kind.
 */
function withSecondRegistrations(fx: SnapshotFixture): SnapshotFixture {
  const factors: Record<string, RawObject[] | null> = {};
  fx.users.forEach((u, k) => {
    const id = String(u['id']);
    const list = fx.factors?.[id];
    if (list === null || list === undefined) {
      factors[id] = list ?? [];
      return;
    }
    const copy = (f: RawObject, suffix: string, change: (p: RawObject) => void): RawObject => {
      const c = structuredClone(f);
      c['id'] = `${String(f['id'])}${suffix}`;
      change(c);
      return c;
    };
    const profile = (f: RawObject): RawObject => (f['profile'] ??= {}) as RawObject;
    const extra: RawObject[] = [];
    const push = list.find((f) => f['factorType'] === 'push');
    if (push !== undefined) {
      if (k % 7 === 0) extra.push(copy(push, 'b', (c) => { profile(c)['name'] = `${String(profile(push)['name'])} (new)`; c['status'] = 'ACTIVE'; }));
      if (k % 7 === 1) extra.push(copy(push, 'b', (c) => { c['status'] = 'ACTIVE'; }));
      if (k % 7 === 2) extra.push(copy(push, 'b', (c) => { delete profile(c)['name']; }));
      if (k % 7 === 3) extra.push(...['b', 'c'].map((s) => copy(push, s, (c) => { c['status'] = 'PENDING_ACTIVATION'; })));
      if (k % 7 === 4) extra.push(copy(push, 'b', (c) => { c['status'] = 'PENDING_ACTIVATION'; }));
    }
    const fastPass = list.find((f) => f['factorType'] === 'signed_nonce');
    if (fastPass !== undefined && k % 3 === 0) extra.push(copy(fastPass, 'b', () => undefined));
    factors[id] = [...list, ...extra];
  });
  return { ...fx, factors };
}

describe.each(['idx', 'v1'] as const)('findings over a generated %s org', (pipeline) => {
  it('are the same, rule by rule, as before the rules were restructured', () => {
    const env = tempDb();
    try {
      const fx = withSecondRegistrations(fixtureFromSource(createGeneratedOrg({ users: 3000, seed: 11, pipeline, baseUrl: 'https://gen.okta.com', now: NOW })));
      const id = writeSnapshotDirect(env.db, fx, { startedAt: NOW.toISOString() });
      const results = runRules(env.db, id);
      expect(results.filter((r) => r.status === 'error')).toEqual([]);
      const digests = findingDigests(env.db, id);
      // Every rule that reads users' factors has something to find.
      const expected = ['factor_push_multiple_per_user', 'factor_push_duplicate_device', 'factor_push_pending_activation_abandoned',
        'factor_u2f_classic_only', 'user_weak_factors_only', 'factor_email_expected_after_upgrade', 'factor_question_expected_after_upgrade',
        ...(pipeline === 'idx' ? ['factor_signed_nonce_admin_console_only', 'enrollment_okta_verify_exceeds_push'] : ['user_active_without_active_factor'])];
      expect(expected.filter((r) => digests[r] === undefined)).toEqual([]);
      expect(digests).toMatchSnapshot();
    } finally {
      env.cleanup();
    }
  });
});
