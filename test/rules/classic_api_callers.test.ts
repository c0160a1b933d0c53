import type { Db } from '../../src/store/db.js';
import { keys, run, tempDb, writeSnapshot, type SnapshotFixture } from './helpers.js';
import { apiToken, BROWSER_UA, logEvent, type LogOpts, user } from './okta_json.js';

const RULE = 'log_classic_api_callers';

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(async () => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

let n = 0;
const ev = (eventType: string, requestUri: string, opts: LogOpts = {}) => logEvent(`e${++n}`, eventType, { requestUri, ...opts });

function fixture(pipeline: 'idx' | 'v1'): SnapshotFixture {
  n = 0;
  const mobile = { apiTokenId: '00Tmobile', userAgent: 'okhttp/4.12.0' };
  const helpdesk = { apiTokenId: '00Thelp', userAgent: 'Java/17.0.8', actorId: '00uhelp', actorLogin: 'helpdesk@example.com' };
  const script = { apiTokenId: '00Tscript', userAgent: 'python-requests/2.31.0', actorId: '00uadm', actorLogin: 'admin@example.com' };
  return {
    org: { pipeline },
    users: [user('00u1', 'ann@example.com'), user('00u2', 'bob@example.com'), user('00uadm', 'admin@example.com'), user('00usus', 'svc@example.com', { status: 'SUSPENDED' })],
    apiTokens: [apiToken('00Tmobile', 'Mobile app sign-in backend', '00usus'), apiToken('00Tscript', 'Legacy MFA enrollment script', '00uadm')],
    logs: [
      // A sign-in backend: authn, authn factor verify, then a session.
      ev('user.session.start', '/api/v1/authn', { ...mobile, actorId: '00u1', published: '2024-07-02T08:00:00.000Z' }),
      ev('user.session.start', '/api/v1/authn', { ...mobile, actorId: '00u2', published: '2024-07-03T08:00:00.000Z', outcome: 'FAILURE', reason: 'INVALID_CREDENTIALS' }),
      ev('user.authentication.auth_via_mfa', '/api/v1/authn/factors/opf1/verify', { ...mobile, actorId: '00u1', targetUserId: '00u1', published: '2024-07-02T08:00:05.000Z' }),
      ev('user.session.start', '/api/v1/sessions', { ...mobile, actorId: '00u1', published: '2024-07-02T08:00:06.000Z' }),
      // A helpdesk tool verifying by push and polling the transaction; its token is not in the token list.
      ev('system.push.send_factor_verify_push', '/api/v1/users/00u1/factors/opf1/verify', { ...helpdesk, targetUserId: '00u1', published: '2024-07-05T09:00:00.000Z' }),
      ev('user.authentication.auth_via_mfa', '/api/v1/users/00u1/factors/opf1/transactions/v2mst.a1', { ...helpdesk, targetUserId: '00u1', published: '2024-07-05T09:00:04.000Z' }),
      ev('user.authentication.auth_via_mfa', '/api/v1/users/00u1/factors/opf1/transactions/v2mst.a1', { ...helpdesk, targetUserId: '00u1', published: '2024-07-05T09:00:08.000Z' }),
      // An enrollment script: enroll, activate, delete.
      ev('user.mfa.factor.activate', '/api/v1/users/00u2/factors', { ...script, targetUserId: '00u2', published: '2024-07-06T10:00:00.000Z' }),
      ev('user.mfa.factor.activate', '/api/v1/users/00u2/factors/opf2/lifecycle/activate', { ...script, targetUserId: '00u2', published: '2024-07-06T10:01:00.000Z' }),
      ev('user.mfa.factor.deactivate', '/api/v1/users/00u2/factors/sms2', { ...script, targetUserId: '00u2', published: '2024-07-06T10:02:00.000Z' }),
      // An OAuth app embedding the Classic widget (browser, with a client id).
      ev('user.session.start', '/api/v1/authn', { clientId: '0oaportal', actorId: '00u1', published: '2024-07-07T11:00:00.000Z' }),
      // A native app with no token or client id.
      ev('user.session.access_admin_app', '/api/v1/sessions/me', { userAgent: 'AcmeDesk/2.1 CFNetwork/1410.0.3 Darwin/22.6.0', actorId: '00u2', published: '2024-07-08T12:00:00.000Z' }),
      // Plain browser sign-ins with no token or client id.
      ev('user.session.start', '/api/v1/authn', { actorId: '00u2', published: '2024-07-09T13:00:00.000Z' }),
      // Not Classic-only APIs.
      ev('user.session.start', '/idp/idx/identify', { ...mobile, published: '2024-07-10T13:00:00.000Z' }),
      ev('user.account.update_profile', '/api/v1/users/00u1', { ...script, published: '2024-07-10T13:00:01.000Z' }),
      ev('user.session.start', '/api/v1/authnfoo', { ...mobile, published: '2024-07-10T13:00:02.000Z' }),
    ],
  };
}

describe(RULE, () => {
  it('groups Classic API calls by API token, client id and user agent, naming each operation (Identity Engine org)', async () => {
    const id = await writeSnapshot(db, fixture('idx'));
    const { results, findings } = run(db, id, [RULE]);
    expect(results).toEqual([{ ruleId: RULE, status: 'evaluated', findings: 6 }]);
    expect(keys(findings)).toEqual([
      `${RULE} integration:00Thelp user:- high`,
      `${RULE} integration:00Tmobile user:00usus high`,
      `${RULE} integration:00Tscript user:00uadm high`,
      `${RULE} integration:0oaportal user:- high`,
      `${RULE} integration:AcmeDesk/2.1 CFNetwork/1410.0.3 Darwin/22.6.0 user:- high`,
      `${RULE} integration:browser user:- medium`,
    ].sort());
    const by = (subject: string) => findings.find((f) => f.subject_id === subject);

    expect(by('00Tmobile')?.evidence).toBe(
      'Classic API caller still active on Identity Engine, where these APIs have limits: API token "Mobile app sign-in backend" ' +
      '(00Tmobile, owner svc@example.com SUSPENDED) made 4 Classic API calls (1 failed) from 2024-07-02T08:00:00.000Z to 2024-07-03T08:00:00.000Z: ' +
      'primary sign-in (/api/v1/authn) ×2, create session (/api/v1/sessions) ×1 and authn factor verify (/api/v1/authn/factors/{id}/verify) ×1; ' +
      '1 distinct target user; user agents: okhttp/4.12.0 (non-browser).',
    );
    expect(by('00Tmobile')?.details).toMatchObject({
      integration: { kind: 'api_token', id: '00Tmobile', tokenName: 'Mobile app sign-in backend', tokenInSnapshot: true, ownerStatus: 'SUSPENDED' },
      calls: 4, failedCalls: 1, apis: ['authn', 'sessions'], distinctActors: 2, nonBrowserUserAgents: 1,
      userAgents: [{ userAgent: 'okhttp/4.12.0', calls: 4, browser: false }],
    });

    expect(by('00Thelp')?.evidence).toContain('API token 00Thelp (not in the API token list) made 3 Classic API calls from 2024-07-05T09:00:00.000Z to 2024-07-05T09:00:08.000Z: ');
    expect(by('00Thelp')?.evidence).toContain('getFactorTransactionStatus, push polling (/api/v1/users/{uid}/factors/{fid}/transactions/{tid}) ×2 and verifyFactor (/api/v1/users/{uid}/factors/{fid}/verify) ×1');
    expect((by('00Thelp')?.details['operations'] as Array<{ operation: string; calls: number }>).map((o) => [o.operation, o.calls]))
      .toEqual([['getFactorTransactionStatus', 2], ['verifyFactor', 1]]);

    expect((by('00Tscript')?.details['operations'] as Array<{ operation: string }>).map((o) => o.operation).sort())
      .toEqual(['activateFactor', 'deleteFactor', 'enrollFactor']);
    expect(by('00Tscript')?.user_login).toBe('admin@example.com');

    expect(by('0oaportal')?.evidence).toContain(`OAuth client 0oaportal made 1 Classic API call from 2024-07-07T11:00:00.000Z`);
    expect(by('0oaportal')?.evidence).toContain(`user agents: ${BROWSER_UA} (browser).`);
    expect(by('AcmeDesk/2.1 CFNetwork/1410.0.3 Darwin/22.6.0')?.evidence).toContain(
      'An integration without API token or client id, user agent "AcmeDesk/2.1 CFNetwork/1410.0.3 Darwin/22.6.0", made 1 Classic API call',
    );
    expect(by('AcmeDesk/2.1 CFNetwork/1410.0.3 Darwin/22.6.0')?.evidence).toContain('current session (/api/v1/sessions/me, deprecated) ×1');
    expect(by('browser')?.evidence).toContain('Browsers (custom or embedded sign-in pages, no API token or client id) made 1 Classic API call');
  });

  it('leaves out the Okta-hosted sign-in page of a Classic Engine org', async () => {
    const id = await writeSnapshot(db, fixture('v1'));
    const { findings } = run(db, id, [RULE]);
    expect(findings.map((f) => f.subject_id).sort()).toEqual(['00Thelp', '00Tmobile', '00Tscript', '0oaportal', 'AcmeDesk/2.1 CFNetwork/1410.0.3 Darwin/22.6.0']);
    expect(findings.every((f) => f.evidence.startsWith('Classic API caller to migrate before the upgrade: '))).toBe(true);
  });

  it('finds nothing when no Classic API was called', async () => {
    const id = await writeSnapshot(db, { org: { pipeline: 'idx' }, users: [user('00u1', 'ann@example.com')], logs: [logEvent('x', 'user.session.start', { requestUri: '/idp/idx/identify' })] });
    expect(run(db, id, [RULE]).results).toEqual([{ ruleId: RULE, status: 'evaluated', findings: 0 }]);
  });
});
