/**
 * All rules over the simulator's generated org (realistic shapes, every MFA profile), checked
 * against oracles computed straight from the served JSON rather than against fixed counts.
 */
import { createGeneratedOrg } from '../../src/simulator/org/generated.js';
import { RULES } from '../../src/rules/registry.js';
import { runRules } from '../../src/rules/run.js';
import { fixtureFromSource, storedFindings, tempDb, writeSnapshot, type SnapshotFixture, type StoredFinding } from './helpers.js';
import { oracle, usersOf } from './oracle.js';

const NOW = new Date('2024-08-01T00:00:00.000Z');
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

  it('evaluates every rule meant for the engine; the others are not applicable, none skipped', async () => {
    const skipped = RULES.filter((r) => r.meta.appliesTo !== 'both' && r.meta.appliesTo !== pipeline).map((r) => r.meta.id);
    expect(results.filter((r) => r.status === 'not_applicable').map((r) => r.ruleId)).toEqual(skipped);
    expect(results.filter((r) => r.status === 'skipped')).toEqual([]);
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
    expect(subjects('log_sessions_cookie_token_callers')).toEqual(o.cookieTokenCallers);
    expect(subjects('log_sessions_me_callers')).toEqual(o.sessionsMeCallers);
    expect(subjects('log_org_factors_callers')).toEqual(o.orgFactorCallers);
    expect(o.cookieTokenCallers.length * o.sessionsMeCallers.length * o.orgFactorCallers.length).toBeGreaterThan(0);
    expect(subjects('app_custom_login_redirect')).toEqual(o.customLoginApps);
    expect(subjects('trustedorigin_cors_embedded_auth')).toEqual(o.corsOrigins);
    expect(subjects('inlinehook_registration_contract_change')).toEqual(o.registrationHooks);
    expect(subjects('brand_signin_widget_outdated')).toEqual(o.oldWidgets);
    expect(o.customLoginApps.length * o.corsOrigins.length * o.registrationHooks.length * o.oldWidgets.length).toBe(1);
    if (pipeline === 'idx') {
      expect(subjects('app_pipeline_classic_remaining')).toEqual(o.classicApps);
      expect(o.classicApps.length).toBeGreaterThan(0);
      expect(o.deviceTrustEvents).toBe(0);
    } else {
      expect(o.classicApps).toEqual([]);
      expect(o.deviceTrustEvents).toBeGreaterThan(0);
      const dt = findings.filter((f) => f.rule_id === 'log_device_trust_classic_events');
      expect(dt.map((f) => [f.severity, (f.details as { events: number }).events])).toEqual([['critical', o.deviceTrustEvents]]);
    }
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
