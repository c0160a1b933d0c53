/**
 * All rules over the simulator's generated org (realistic shapes, every MFA profile), checked
 * against oracles computed straight from the served JSON rather than against fixed counts.
 */
import { createGeneratedOrg } from '../../src/simulator/org/generated.js';
import { RULES } from '../../src/rules/registry.js';
import { runRules } from '../../src/rules/run.js';
import type { RawObject } from '../../src/store/types.js';
import { fixtureFromSource, storedFindings, tempDb, writeSnapshot, type SnapshotFixture, type StoredFinding } from './helpers.js';

const NOW = new Date('2024-08-01T00:00:00.000Z');
const CLASSIC_ONLY_EVENTS = ['user.authentication.authenticate', 'user.credential.enroll', 'user.account.unlock_token', 'user.mfa.okta_verify.deny_push'];
const CLASSIC_PATH = /^\/api\/v1\/(authn|sessions)(\/|$)|^\/api\/v1\/users\/[^/]+\/factors(\/|$)/;

const str = (o: unknown, ...path: string[]): string | undefined => {
  let cur: unknown = o;
  for (const k of path) cur = typeof cur === 'object' && cur !== null ? (cur as RawObject)[k] : undefined;
  return typeof cur === 'string' ? cur : undefined;
};

function usersOf(findings: StoredFinding[], rule: string): string[] {
  return findings.filter((f) => f.rule_id === rule).map((f) => f.user_id ?? '').sort();
}

function oracle(fx: SnapshotFixture) {
  const status = new Map(fx.users.map((u) => [String(u['id']), String(u['status'])]));
  const factorsOf = (id: string): RawObject[] => fx.factors?.[id] ?? [];
  const ids = fx.users.map((u) => String(u['id'])).sort();
  const pushes = (id: string) => factorsOf(id).filter((f) => f['factorType'] === 'push');
  const dupName = (id: string, type: string) => {
    const names = factorsOf(id).filter((f) => f['factorType'] === type).map((f) => str(f, 'profile', 'name')).filter((n) => n !== undefined);
    return new Set(names).size < names.length;
  };
  const active = (id: string) => factorsOf(id).filter((f) => f['status'] === 'ACTIVE');
  return {
    signedNonce: ids.flatMap((id) => factorsOf(id).filter((f) => f['factorType'] === 'signed_nonce').map(() => id)),
    duplicateDevice: ids.filter((id) => dupName(id, 'push') || dupName(id, 'signed_nonce')),
    multiple: ids.filter((id) => new Set(pushes(id).filter((f) => f['status'] !== 'PENDING_ACTIVATION').map((f) => str(f, 'profile', 'name') ?? String(f['id']))).size >= 2),
    pending: ids.filter((id) => pushes(id).filter((f) => f['status'] === 'PENDING_ACTIVATION').length >= 2),
    hidden: ids.filter((id) => (fx.authenticatorEnrollments?.[id] ?? []).filter((e) => e['key'] === 'okta_verify').length > pushes(id).length),
    noActive: ids.filter((id) => status.get(id) === 'ACTIVE' && active(id).length === 0),
    weakOnly: ids.filter((id) => ['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY'].includes(status.get(id) ?? '')
      && active(id).length > 0 && active(id).every((f) => ['sms', 'call', 'email', 'question'].includes(String(f['factorType'])))),
    u2f: ids.flatMap((id) => factorsOf(id).filter((f) => f['factorType'] === 'u2f').map(() => id)),
    hooks: (fx.eventHooks ?? []).filter((h) => ((h['events'] as { items: string[] }).items).some((e) => CLASSIC_ONLY_EVENTS.includes(e))).map((h) => String(h['id'])).sort(),
    tokens: (fx.apiTokens ?? []).filter((t) => status.get(String(t['userId'])) !== 'ACTIVE').map((t) => String(t['id'])).sort(),
    callerTokens: [...new Set((fx.logs ?? [])
      .filter((e) => CLASSIC_PATH.test(str(e, 'debugContext', 'debugData', 'requestUri') ?? ''))
      .map((e) => str(e, 'transaction', 'detail', 'requestApiTokenId'))
      .filter((t): t is string => t !== undefined))].sort(),
  };
}

describe.each(['idx', 'v1'] as const)('all rules over a generated %s org', (pipeline) => {
  let env: ReturnType<typeof tempDb>;
  let fx: SnapshotFixture;
  let findings: StoredFinding[];
  let results: ReturnType<typeof runRules>;

  beforeAll(async () => {
    env = tempDb();
    fx = fixtureFromSource(createGeneratedOrg({ users: 1500, seed: 7, pipeline, baseUrl: 'https://gen.okta.com', now: NOW }));
    const id = await writeSnapshot(env.db, fx, { startedAt: NOW.toISOString() });
    results = runRules(env.db, id);
    findings = storedFindings(env.db, id);
  });
  afterAll(() => env.cleanup());

  it('evaluates every rule meant for the engine and skips only the others', async () => {
    const skipped = RULES.filter((r) => r.meta.appliesTo !== 'both' && r.meta.appliesTo !== pipeline).map((r) => r.meta.id);
    expect(results.filter((r) => r.status === 'skipped').map((r) => r.ruleId)).toEqual(skipped);
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
  });

  it('matches the oracles for per-user rules', async () => {
    const o = oracle(fx);
    expect(usersOf(findings, 'factor_signed_nonce_admin_console_only')).toEqual(o.signedNonce);
    expect(usersOf(findings, 'factor_push_duplicate_device')).toEqual(o.duplicateDevice);
    expect(usersOf(findings, 'factor_push_multiple_per_user')).toEqual(o.multiple);
    expect(usersOf(findings, 'factor_push_pending_activation_abandoned')).toEqual(o.pending);
    expect(usersOf(findings, 'user_active_without_active_factor')).toEqual(o.noActive);
    expect(usersOf(findings, 'user_weak_factors_only')).toEqual(o.weakOnly);
    expect(usersOf(findings, 'factor_u2f_classic_only')).toEqual(o.u2f);
    if (pipeline === 'idx') expect(usersOf(findings, 'enrollment_okta_verify_exceeds_push')).toEqual(o.hidden);
    // The generator's profiles make most of these non-empty, so the comparisons above mean something.
    expect(o.signedNonce.length + o.duplicateDevice.length + o.weakOnly.length + o.u2f.length).toBeGreaterThan(100);
  });

  it('matches the oracles for org-level rules', async () => {
    const o = oracle(fx);
    const subjects = (rule: string) => findings.filter((f) => f.rule_id === rule).map((f) => f.subject_id ?? '').sort();
    expect(subjects('eventhook_classic_only_events')).toEqual(o.hooks);
    expect(subjects('apitoken_owner_not_active')).toEqual(o.tokens);
    expect(subjects('log_classic_api_callers')).toEqual(o.callerTokens);
    expect(o.hooks.length * o.tokens.length * o.callerTokens.length).toBeGreaterThan(0);
    expect(subjects('org_pipeline_classic_engine')).toHaveLength(pipeline === 'v1' ? 1 : 0);
    expect(subjects('factor_email_expected_after_upgrade')).toHaveLength(1);
  });

  it('reports repeated push enrollment only above its thresholds', async () => {
    const repeated = findings.filter((f) => f.rule_id === 'log_push_enrollment_repeated');
    expect(repeated.length).toBeGreaterThan(0);
    for (const f of repeated) {
      const d = f.details as { attempts: number; failedAttempts: number };
      expect(d.attempts >= 3 || d.failedAttempts >= 2).toBe(true);
    }
  });
});
