/**
 * The rules on the org's integration surface and single Classic calls: apps on the Classic
 * pipeline, custom app login, old sign-in widgets, trusted origins, registration hooks, Device
 * Trust events, cookie-token sessions, /sessions/me and /org/factors callers. Each fixture is served
 * by the simulator and crawled with the real SDK.
 */
import type { Db } from '../../src/store/db.js';
import { widgetVersionVerdict } from '../../src/rules/classic_workflows/brand_signin_widget_outdated.js';
import { keys, run, tempDb, writeSnapshot, type SnapshotFixture } from './helpers.js';
import { BROWSER_UA, app, brand, domain, inlineHook, logEvent, signInPage, trustedOrigin, user } from './okta_json.js';

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(() => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

const NOW = '2024-08-01T00:00:00.000Z';
const at = (day: number): string => `2024-07-${String(day).padStart(2, '0')}T10:00:00.000Z`;

test.each([
  ['*', 'ok'], ['^7', 'ok'], ['7', 'ok'], ['6.9', 'ok'], ['5.11', 'ok'], ['5.16', 'ok'], ['5', 'ok'], ['^5', 'ok'],
  ['5.10', 'old'], ['5.8', 'old'], ['5.8.2', 'old'], ['4.5', 'old'], ['^4', 'old'], ['2', 'old'],
  ['latest', 'unknown'], ['', 'unknown'], [null, 'unknown'],
] as const)('widgetVersion %p is %s', (version, verdict) => {
  expect(widgetVersionVerdict(version)).toBe(verdict);
});

describe('integration rules', () => {
  const base = (pipeline: 'idx' | 'v1'): SnapshotFixture => ({
    org: { pipeline },
    users: [user('00u1', 'ann@example.com')],
    apps: [
      app('0oa1', 'Portal', { ...(pipeline === 'idx' ? { pipeline: 'CLASSIC' as const } : {}) }),
      app('0oa2', 'Wiki', { status: 'INACTIVE', ...(pipeline === 'idx' ? { pipeline: 'CLASSIC' as const } : {}) }),
      app('0oa3', 'Mail', { ...(pipeline === 'idx' ? { pipeline: 'ORG_DEFAULT' as const } : {}) }),
      app('0oa4', 'Intranet', { status: 'INACTIVE', loginRedirectUrl: 'https://intranet.example.com/login' }),
    ],
    brands: [brand('bnd1', 'Main', true), brand('bnd2', 'Odd'), brand('bnd3', 'Plain')],
    signInPages: { bnd1: signInPage('5.10'), bnd2: signInPage('next') },
    domains: [domain('OcD1', 'login.example.com', 'bnd1')],
    trustedOrigins: [
      trustedOrigin('tos1', 'SPA', 'https://spa.example.com', ['REDIRECT', 'CORS']),
      trustedOrigin('tos2', 'Embed', 'https://embed.example.com', ['IFRAME_EMBED']),
    ],
    inlineHooks: [inlineHook('cal1', 'Screening', 'com.okta.user.pre-registration', 'INACTIVE'), inlineHook('cal2', 'Telephony', 'com.okta.telephony.provider')],
  });

  test('on Identity Engine: apps still on CLASSIC (inactive ones low), old and unreadable widget versions, CORS origins, inactive hooks low', async () => {
    const id = await writeSnapshot(db, base('idx'), { startedAt: NOW });
    const { results, findings } = run(db, id, ['app_pipeline_classic_remaining', 'app_custom_login_redirect', 'brand_signin_widget_outdated',
      'trustedorigin_cors_embedded_auth', 'inlinehook_registration_contract_change']);
    expect(results.map((r) => r.status)).toEqual(['evaluated', 'evaluated', 'evaluated', 'evaluated', 'evaluated']);
    expect(keys(findings)).toEqual([
      'app_custom_login_redirect app:0oa4 user:- low',
      'app_pipeline_classic_remaining app:0oa1 user:- high',
      'app_pipeline_classic_remaining app:0oa2 user:- low',
      'brand_signin_widget_outdated brand:bnd1 user:- high',
      'brand_signin_widget_outdated brand:bnd2 user:- medium',
      'inlinehook_registration_contract_change inline_hook:cal1 user:- low',
      'trustedorigin_cors_embedded_auth trusted_origin:tos1 user:- medium',
    ]);
    const widget = findings.filter((f) => f.rule_id === 'brand_signin_widget_outdated').map((f) => f.evidence);
    expect(widget).toEqual([
      'The customized sign-in page of brand "Main" (the default brand, served on login.example.com) uses Sign-In Widget "5.10", older than the 5.11 Identity Engine needs (kept for a brand still on Classic Engine).',
      'The customized sign-in page of brand "Odd" uses Sign-In Widget "next", a version oie-audit cannot compare with the 5.11 that Identity Engine needs: check it by hand.',
    ]);
  });

  test('on Classic Engine the pipeline rule is not applicable: Okta exposes no pipeline before the upgrade', async () => {
    const id = await writeSnapshot(db, base('v1'), { startedAt: NOW });
    const { results, findings } = run(db, id, ['app_pipeline_classic_remaining', 'app_custom_login_redirect']);
    expect(results.map((r) => [r.ruleId, r.status])).toEqual([['app_pipeline_classic_remaining', 'not_applicable'], ['app_custom_login_redirect', 'evaluated']]);
    expect(keys(findings)).toEqual(['app_custom_login_redirect app:0oa4 user:- low']);
  });
});

describe('single Classic calls in the System Log', () => {
  const fixture = (pipeline: 'idx' | 'v1'): SnapshotFixture => ({
    org: { pipeline },
    users: [user('00u1', 'ann@example.com'), user('00u2', 'ben@example.com')],
    logs: [
      // Sessions: only the call asking for a cookie token counts; the query is in debugData.url.
      logEvent('e1', 'user.session.start', { published: at(1), requestUri: '/api/v1/sessions', url: '/api/v1/sessions?additionalFields=cookieToken', apiTokenId: '00Ta', userAgent: 'okhttp/4.12.0', targetUserId: '00u1' }),
      logEvent('e2', 'user.session.start', { published: at(2), requestUri: '/api/v1/sessions', apiTokenId: '00Tb', userAgent: 'okhttp/4.12.0', targetUserId: '00u2' }),
      // /sessions/me from a browser page and from a script with the same token: two callers.
      logEvent('e3', 'user.session.end', { published: at(3), requestUri: '/api/v1/sessions/me', userAgent: BROWSER_UA, targetUserId: '00u1' }),
      logEvent('e4', 'user.session.end', { published: at(4), requestUri: '/api/v1/sessions/me', apiTokenId: '00Tc', userAgent: BROWSER_UA, targetUserId: '00u2' }),
      logEvent('e5', 'user.session.end', { published: at(5), requestUri: '/api/v1/sessions/me', apiTokenId: '00Tc', userAgent: 'curl/8.5.0', targetUserId: '00u2' }),
      logEvent('e6', 'system.mfa.factor.deactivate', { published: at(6), requestUri: '/api/v1/org/factors/okta_sms/lifecycle/deactivate', clientId: '0oaterraform', userAgent: 'okta-sdk-golang/2.20.0' }),
      logEvent('e7', 'system.mfa.factor.activate', { published: at(7), requestUri: '/api/v1/org/factors/okta_sms/lifecycle/activate', clientId: '0oaterraform', userAgent: 'okta-sdk-golang/2.20.0', outcome: 'FAILURE' }),
      logEvent('e8', 'user.authentication.authenticate', { published: at(8), requestUri: '/sso/devicetrust/verify', targetUserId: '00u1' }),
      logEvent('e9', 'user.credential.enroll', { published: at(9), targetUserId: '00u2' }),
      logEvent('e10', 'user.credential.enroll', { published: at(10), targetUserId: '00u2' }),
    ],
  });
  const RULES = ['log_sessions_cookie_token_callers', 'log_sessions_me_callers', 'log_org_factors_callers', 'log_device_trust_classic_events'];

  test('one finding per caller, browsers apart from scripts, with counts and last seen', async () => {
    const id = await writeSnapshot(db, fixture('v1'), { startedAt: NOW });
    const { findings } = run(db, id, RULES);
    expect(keys(findings)).toEqual([
      'log_device_trust_classic_events org:00o1acme user:- critical',
      'log_org_factors_callers integration:0oaterraform user:- medium',
      'log_sessions_cookie_token_callers integration:00Ta user:- high',
      'log_sessions_me_callers integration:00Tc user:- high',
      'log_sessions_me_callers integration:00Tc user:- medium',
      'log_sessions_me_callers integration:browser user:- medium',
    ]);
    const org = findings.find((f) => f.rule_id === 'log_org_factors_callers')!;
    expect(org.evidence).toBe('Org factor changes through /api/v1/org/factors, which loses SMS activation after the upgrade, by OAuth client 0oaterraform from scripts or servers: '
      + '2 calls (1 failed), first 2024-07-06T10:00:00.000Z, last 2024-07-07T10:00:00.000Z; user agents: okta-sdk-golang/2.20.0 ×2.');
    expect(org.details).toMatchObject({ calls: 2, failedCalls: 1, exampleUrls: ['/api/v1/org/factors/okta_sms/lifecycle/activate', '/api/v1/org/factors/okta_sms/lifecycle/deactivate'] });
    const dt = findings.find((f) => f.rule_id === 'log_device_trust_classic_events')!;
    expect(dt.evidence).toBe('Classic Device Trust is in use: the System Log holds 1 user.authentication.authenticate event and 2 user.credential.enroll events for 2 users, '
      + 'from 2024-07-08T10:00:00.000Z to 2024-07-10T10:00:00.000Z. Turn Device Trust off before the upgrade.');
    const me = findings.filter((f) => f.rule_id === 'log_sessions_me_callers').map((f) => (f.details as { caller: { browser: boolean } }).caller.browser);
    expect(me.sort()).toEqual([false, true, true]);
  });

  test('Device Trust events are a Classic-only question', async () => {
    const id = await writeSnapshot(db, fixture('idx'), { startedAt: NOW });
    const { results } = run(db, id, ['log_device_trust_classic_events']);
    expect(results).toEqual([{ ruleId: 'log_device_trust_classic_events', status: 'not_applicable', reason: 'Applies to Classic Engine orgs only; this org runs Identity Engine (pipeline idx)', findings: 0 }]);
  });
});
