/**
 * Both engines end to end, through the built CLI, as a user runs it: `demo` on a Classic and an
 * Identity Engine org; `run` against `oie-audit simulate` serving a generated Classic org and
 * hand-written orgs of each engine, with every finding spelled out; and a permission gap (an
 * OAuth app without okta.apps.read) that makes the report refuse without --allow-partial.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { FixtureFile } from '../../src/simulator/org/types.js';
import { RULES } from '../../src/rules/registry.js';
import { describeRun, removeSandbox, runCli, sandbox, startCli, type CliRun, type Sandbox } from '../cli/helpers.js';
import { rows } from '../support/crawl.js';
import { fixtureFromSource, keys, type StoredFinding } from '../rules/helpers.js';
import { oracle } from '../rules/oracle.js';
import { fixtureOrg } from '../../src/simulator/org/fixture.js';
import { classicOrg, identityEngineOrg } from './org_fixtures.js';

const TOKEN = '00e2eEnginesTestToken000000000000000000000';

let box: Sandbox;
beforeEach(() => { box = sandbox('oie-engines-'); });
afterEach(() => removeSandbox(box));

/** `oie-audit simulate …` in the background; resolves with its base URL once it prints it. */
async function simulate(args: string[]): Promise<{ url: string; run: CliRun; stop: () => Promise<void> }> {
  const run = startCli(box, ['simulate', '--token', TOKEN, '--window-ms', '1000', ...args]);
  const deadline = Date.now() + 20_000;
  while (!/\n/.test(run.stdout())) {
    if (Date.now() > deadline) throw new Error(`simulate did not start: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const url = run.stdout().split('\n')[0]!;
  return { url, run, stop: async () => { run.child.kill('SIGTERM'); await run.done; } };
}

function findingsOf(db: string): StoredFinding[] {
  return rows<Omit<StoredFinding, 'details'> & { details_json: string }>(db,
    `SELECT rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json FROM findings ORDER BY rule_id, id`)
    .map(({ details_json, ...r }) => ({ ...r, details: JSON.parse(details_json) as Record<string, unknown> }));
}

function runStatuses(db: string): Record<string, string> {
  return Object.fromEntries(rows<{ rule_id: string; status: string }>(db, 'SELECT rule_id, status FROM rule_runs').map((r) => [r.rule_id, r.status]));
}

async function summaryOf(workbook: string): Promise<Map<string, { value: unknown; notes: unknown; section: unknown }>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(workbook);
  const sheet = wb.getWorksheet('Summary')!;
  const out = new Map<string, { value: unknown; notes: unknown; section: unknown }>();
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    out.set(String(row.getCell(2).value), { section: row.getCell(1).value, value: row.getCell(3).value, notes: row.getCell(5).value });
  });
  return out;
}

describe.each(['v1', 'idx'] as const)('oie-audit demo --pipeline %s', (pipeline) => {
  test('exits 0 and writes a complete workbook; data the engine lacks is named as not in this org', async () => {
    const r = await runCli(box, ['demo', '--pipeline', pipeline, '--users', '300', '--out', join(box.cwd, 'reports')]);
    expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/WARN|ERROR|incomplete/)]);
    const workbook = /^Workbook: (\S+)/m.exec(r.stdout)?.[1];
    expect(workbook && existsSync(workbook)).toBeTruthy();
    const summary = await summaryOf(workbook!);
    expect([...summary.values()].some((x) => x.section === 'WARNING')).toBe(false);
    expect(summary.get('Snapshot complete')?.value).toBe('Yes');
    expect(summary.get('Engine')?.value).toBe(pipeline === 'v1' ? 'Classic Engine (v1)' : 'Identity Engine (idx)');
    const notInOrg = [...summary.keys()].filter((k) => k.startsWith('Not in this org: '));
    if (pipeline === 'v1') {
      expect(notInOrg.sort()).toEqual(['Not in this org: ACCESS_POLICY policies', 'Not in this org: Authenticator enrollments', 'Not in this org: Authenticators']);
      expect(summary.get('Not in this org: Authenticator enrollments')).toMatchObject({ value: 'Does not exist on Classic Engine', notes: expect.stringMatching(/Identity Engine API/) });
    } else {
      expect(notInOrg).toEqual([]);
    }
    const db = /^Database: (\S+)/m.exec(r.stdout)?.[1]!;
    const statuses = runStatuses(db);
    const other = RULES.filter((x) => x.meta.appliesTo !== 'both' && x.meta.appliesTo !== pipeline).map((x) => x.meta.id).sort();
    expect(Object.entries(statuses).filter(([, s]) => s === 'not_applicable').map(([id]) => id).sort()).toEqual(other);
    expect(Object.values(statuses).filter((s) => s !== 'evaluated' && s !== 'not_applicable')).toEqual([]);
    expect(summary.get('Rules not applicable to this org')?.value).toBe(other.length);
    expect(summary.get('Rules skipped (their data was not read)')?.value).toBe(0);
  }, 120_000);
});

describe('oie-audit run against oie-audit simulate', () => {
  test('a generated Classic org: every finding the org\'s data calls for, no more', async () => {
    const dump = join(box.root, 'truth.json');
    const sim = await simulate(['--pipeline', 'v1', '--users', '400', '--seed', '11', '--dump-fixture', dump]);
    try {
      const db = join(box.cwd, 'classic.db');
      const r = await runCli(box, ['run', '--db', db, '--out', join(box.cwd, 'out'), '--format', 'xlsx'], { OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: TOKEN });
      expect([r.code, r.code === 0 ? '' : describeRun(r)]).toEqual([0, '']);
      const fx = fixtureFromSource(fixtureOrg(JSON.parse(readFileSync(dump, 'utf8')) as FixtureFile));
      const o = oracle(fx);
      const found = findingsOf(db);
      const users = (rule: string) => found.filter((f) => f.rule_id === rule).map((f) => f.user_id ?? '').sort();
      const subjects = (rule: string) => found.filter((f) => f.rule_id === rule).map((f) => f.subject_id ?? '').sort();
      expect(users('factor_push_duplicate_device')).toEqual(o.duplicateDevice);
      expect(users('factor_push_multiple_per_user')).toEqual(o.multiple);
      expect(users('user_active_without_active_factor')).toEqual(o.noActive);
      expect(users('user_weak_factors_only')).toEqual(o.weakOnly);
      expect(users('factor_u2f_classic_only')).toEqual(o.u2f);
      expect(users('factor_signed_nonce_admin_console_only')).toEqual([]);
      expect(subjects('eventhook_classic_only_events')).toEqual(o.hooks);
      expect(subjects('apitoken_owner_not_active')).toEqual(o.tokens);
      expect(subjects('log_classic_api_callers')).toEqual(o.callerTokens);
      expect(subjects('log_sessions_cookie_token_callers')).toEqual(o.cookieTokenCallers);
      expect(subjects('log_sessions_me_callers')).toEqual(o.sessionsMeCallers);
      expect(subjects('log_org_factors_callers')).toEqual(o.orgFactorCallers);
      expect(subjects('trustedorigin_cors_embedded_auth')).toEqual(o.corsOrigins);
      expect(subjects('inlinehook_registration_contract_change')).toEqual(o.registrationHooks);
      expect(subjects('brand_signin_widget_outdated')).toEqual(o.oldWidgets);
      expect(subjects('app_custom_login_redirect')).toEqual(o.customLoginApps);
      expect(found.filter((f) => f.rule_id === 'log_device_trust_classic_events').map((f) => (f.details as { events: number }).events)).toEqual([o.deviceTrustEvents]);
      // Every rule family has findings on this Classic org.
      const families = new Set(found.map((f) => RULES.find((x) => x.meta.id === f.rule_id)!.meta.family));
      expect([...families].sort()).toEqual([...new Set(RULES.map((x) => x.meta.family))].filter((f) => f !== 'Signed Nonce').sort());
    } finally {
      await sim.stop();
    }
  }, 120_000);

  test.each([
    ['v1', classicOrg] as const,
    ['idx', identityEngineOrg] as const,
  ])('a hand-written %s org: exactly the findings listed', async (pipeline, build) => {
    const file = join(box.root, `${pipeline}.json`);
    writeFileSync(file, JSON.stringify(build(new Date())));
    const sim = await simulate(['--fixture', file]);
    try {
      const db = join(box.cwd, `${pipeline}.db`);
      const out = join(box.cwd, 'out');
      const r = await runCli(box, ['run', '--db', db, '--out', out], { OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: TOKEN });
      expect([r.code, r.stderr]).toEqual([0, expect.not.stringMatching(/WARN|ERROR/)]);
      const found = findingsOf(db);
      expect(keys(found)).toEqual(EXPECTED[pipeline]);
      if (pipeline === 'idx') {
        // An Okta Verify enrollment named only by its nickname is shown by that name, never by its bare id.
        const bob = found.find((f) => f.rule_id === 'enrollment_okta_verify_exceeds_push' && f.user_id === '00ubob')!;
        expect(bob.evidence).toContain('("Bob iPhone" and "Bob old Android")');
        expect(bob.evidence).not.toContain('pfdbob2');
      }
      expect(readdirSync(out).filter((f) => f.endsWith('.xlsx'))).toHaveLength(1);
    } finally {
      await sim.stop();
    }
  }, 120_000);
});

/** Every finding of the hand-written orgs (org_fixtures.ts says which object triggers which). */
const EXPECTED: Record<'v1' | 'idx', string[]> = {
  v1: [
    'apitoken_owner_not_active api_token:00Tscript user:00ugone high', // owner DEPROVISIONED; 00Tmobile's owner is active
    'app_custom_login_redirect app:0oaintranet user:- medium',
    'brand_signin_widget_outdated brand:bndacme user:- high', // widget 5.8; Partners uses the default page
    'eventhook_classic_only_events event_hook:whodt user:- high',
    'factor_email_expected_after_upgrade org:00oclassic00000000001 user:- info',
    'factor_push_duplicate_device user:00ubob user:00ubob high',
    'factor_push_multiple_per_user user:00ualice user:00ualice high',
    'factor_push_pending_activation_abandoned user:00ubob user:00ubob medium',
    'factor_signed_nonce_admin_console_only user:00ucarol user:00ucarol high', // an anomaly on Classic
    'factor_u2f_classic_only user:00ucarol user:00ucarol medium',
    'inlinehook_registration_contract_change inline_hook:calreg user:- high',
    'log_classic_api_callers integration:00Tmobile user:00uadmin high', // authn and sessions
    'log_classic_api_callers integration:00Tscript user:00ugone high', // factor lifecycle
    'log_device_trust_classic_events org:00oclassic00000000001 user:- critical',
    'log_org_factors_callers integration:00Tscript user:00ugone medium',
    'log_push_enrollment_repeated user:00ualice user:00ualice medium',
    'log_sessions_cookie_token_callers integration:00Tmobile user:00uadmin high',
    'log_sessions_me_callers integration:browser user:- medium',
    'org_pipeline_classic_engine org:00oclassic00000000001 user:- info',
    'policy_idp_discovery_iwa_routing policy_rule:0priwa user:- critical',
    'policy_mfa_enroll_email_optional policy:00pdefault user:- high',
    'policy_mfa_enroll_factors_format policy:00pdefault user:- low',
    'policy_mfa_enroll_rule_do_not_enroll policy_rule:0prkiosk user:- medium',
    'trustedorigin_cors_embedded_auth trusted_origin:tosportal user:- medium', // the inactive and redirect-only origins are not
    'user_active_without_active_factor user:00uerin user:00uerin medium',
    'user_weak_factors_only user:00udave user:00udave medium',
  ],
  idx: [
    'apitoken_owner_not_active api_token:00Tscript user:00ugone high',
    'app_custom_login_redirect app:0oaintranet user:- medium',
    'app_pipeline_classic_remaining app:0oaold user:- low', // inactive: housekeeping
    'app_pipeline_classic_remaining app:0oaportal user:- high',
    'brand_signin_widget_outdated brand:bndpartner user:- high', // 5.10; Acme is on ^7
    'enrollment_okta_verify_exceeds_push user:00ualice user:00ualice medium',
    'enrollment_okta_verify_exceeds_push user:00ubob user:00ubob medium',
    'eventhook_classic_only_events event_hook:whodt user:- high',
    'factor_email_expected_after_upgrade org:00oidx000000000000001 user:- info',
    'factor_signed_nonce_admin_console_only user:00ualice user:00ualice medium',
    'factor_u2f_classic_only user:00ucarol user:00ucarol medium',
    'inlinehook_registration_contract_change inline_hook:calreg user:- high',
    'log_classic_api_callers integration:00Tmobile user:00uadmin high',
    'log_classic_api_callers integration:00Tscript user:00ugone high',
    'log_classic_api_callers integration:browser user:- medium', // /sessions/me from a custom page
    'log_org_factors_callers integration:00Tscript user:00ugone medium',
    'log_push_enrollment_repeated user:00ualice user:00ualice medium',
    'log_sessions_cookie_token_callers integration:00Tmobile user:00uadmin high',
    'log_sessions_me_callers integration:browser user:- medium',
    'policy_mfa_enroll_factors_format policy:00pdefault user:- medium',
    'trustedorigin_cors_embedded_auth trusted_origin:tosportal user:- medium',
    'user_weak_factors_only user:00udave user:00udave medium', // SMS plus the verified email
  ],
};

describe('a permission gap', () => {
  test('an OAuth app without okta.apps.read: the report refuses (exit 7) without --allow-partial, and marks it with it', async () => {
    const keyPair = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const pub = join(box.root, 'app.pub.pem');
    const key = join(box.root, 'app.key.pem');
    writeFileSync(pub, keyPair.publicKey);
    writeFileSync(key, keyPair.privateKey, { mode: 0o600 });
    const scopes = ['okta.users.read', 'okta.logs.read', 'okta.authenticators.read', 'okta.policies.read', 'okta.eventHooks.read', 'okta.apiTokens.read',
      'okta.brands.read', 'okta.domains.read', 'okta.trustedOrigins.read', 'okta.inlineHooks.read'];
    const sim = await simulate(['--pipeline', 'v1', '--users', '60', '--oauth-client', `0oaaudit=${pub}=${scopes.join(',')}`]);
    try {
      const config = join(box.cwd, 'config.yaml');
      writeFileSync(config, `okta:\n  orgUrl: ${sim.url}\n  authorizationMode: PrivateKey\n  clientId: 0oaaudit\n  privateKeyFile: ${key}\n  scopes: [${scopes.join(', ')}]\n`);
      const out = join(box.cwd, 'out');
      const refused = await runCli(box, ['run', '--config', config, '--db', join(box.cwd, 'gap.db'), '--out', out]);
      expect(refused.code).toBe(7);
      expect(refused.stderr).toMatch(/incomplete: Org data not read: Apps \(403 E0000006\)\..*--allow-partial/);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
      const partial = await runCli(box, ['report', '--config', config, '--db', join(box.cwd, 'gap.db'), '--out', out, '--allow-partial', '--format', 'xlsx']);
      expect(partial.code).toBe(0);
      const workbook = partial.stdout.trim().split('\n').find((l) => l.endsWith('.xlsx'))!;
      const summary = await summaryOf(workbook);
      expect(summary.get('INCOMPLETE SNAPSHOT')?.section).toBe('WARNING');
      expect(summary.get('Org data not read: Apps')?.value).toBe('Not read: a gap in this snapshot');
      expect(runStatuses(join(box.cwd, 'gap.db'))['app_custom_login_redirect']).toBe('skipped');
    } finally {
      await sim.stop();
    }
  }, 120_000);
});
