import { AuditError } from '../../src/errors.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { parseRaw, SnapshotReader } from '../../src/store/snapshot_reader.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import type { FactorRow, LogEventRow, PolicyRow, UserRow } from '../../src/store/types.js';
import {
  authenticatorsEnrollPolicy,
  classicEnrollPolicy,
  dump,
  emailEnrollment,
  logEvent,
  ORG_URL,
  oktaUser,
  oktaVerifyEnrollment,
  pushFactor,
  signedNonceFactor,
  smsFactor,
  tempDir,
} from './helpers.js';

describe('SnapshotWriter', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let w: SnapshotWriter;
  let id: number;
  const row = <T>(sql: string, ...params: unknown[]): T => db.prepare(sql).get(...params) as T;
  const count = (table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  beforeEach(() => {
    t = tempDir();
    db = openDatabase(t.file('w.db'));
    w = new SnapshotWriter(db);
    id = w.createSnapshot({ orgUrl: `${ORG_URL}/`, toolVersion: '0.1.0', settings: { concurrency: 4, token: '[redacted]' } });
  });
  afterEach(() => {
    db.close();
    t.cleanup();
  });

  describe('snapshots', () => {
    it('creates a running snapshot with normalized org url, then records org info and the finish', () => {
      let s = new SnapshotReader(db).getSnapshot(id);
      expect(s).toMatchObject({ org_url: ORG_URL, status: 'running', tool_version: '0.1.0', org_id: null, pipeline: null, finished_at: null });
      expect(JSON.parse(s.settings_json)).toEqual({ concurrency: 4, token: '[redacted]' });

      w.setOrgInfo(id, { orgId: '00o5rb5mt2H3d1TJd0h7', pipeline: 'v1' });
      w.setOrgInfo(id, { usersExpected: 3 });
      expect(w.latestIncomplete(ORG_URL)?.id).toBe(id);
      w.finishSnapshot(id, 'complete', { users: 3 });
      s = new SnapshotReader(db).getSnapshot('latest');
      expect(s).toMatchObject({ id, org_id: '00o5rb5mt2H3d1TJd0h7', pipeline: 'v1', users_expected: 3, status: 'complete', coverage_json: '{"users":3}' });
      expect(s.finished_at).not.toBeNull();
      expect(w.latestIncomplete(ORG_URL)).toBeUndefined();
    });

    it('latestIncomplete returns only the newest snapshot of that org, when it did not complete', () => {
      const other = w.createSnapshot({ orgUrl: 'https://other.okta.com', toolVersion: '0.1.0', settings: {} });
      expect(w.latestIncomplete(ORG_URL)?.id).toBe(id);
      expect(w.latestIncomplete()?.id).toBe(other);
      w.finishSnapshot(id, 'failed', {});
      expect(w.latestIncomplete(ORG_URL)).toMatchObject({ id, status: 'failed' });
      w.reopenSnapshot(id);
      expect(w.latestIncomplete(ORG_URL)).toMatchObject({ id, status: 'running', finished_at: null });
      const newer = w.createSnapshot({ orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {} });
      w.finishSnapshot(newer, 'complete', {});
      expect(w.latestIncomplete(ORG_URL)).toBeUndefined();
    });

    it('refuses an unknown snapshot id with a fix', () => {
      expect(() => w.finishSnapshot(999, 'complete', {})).toThrow(/Snapshot 999 is not in .*; start a new crawl/);
    });
  });

  describe('column extraction', () => {
    beforeEach(() => {
      w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'dade@example.com'), oktaUser('00u2', 'kate@example.com', 'SUSPENDED', null)], null);
    });

    it('users', () => {
      expect(row<UserRow>('SELECT * FROM users WHERE id = ?', '00u2')).toMatchObject({
        login: 'kate@example.com', status: 'SUSPENDED', created: '2023-01-10T09:00:00.000Z', last_updated: '2024-04-01T08:00:00.000Z',
        last_login: null, crawl_state: 'pending', factors_fetched: null, enrollments_fetched: null,
      });
    });

    it('signed_nonce with profile.keys and push with device profile', () => {
      const sn = { ...signedNonceFactor('sn1', 'ComputerName'), lastVerified: '2024-06-01T00:00:00.000Z' };
      w.completeUsers(id, [{ userId: '00u1', factors: [pushFactor('opf1', 'Gibson'), sn, smsFactor('sms1')], enrollments: [], state: 'complete' }]);
      expect(row<FactorRow>('SELECT * FROM factors WHERE id = ?', 'opf1')).toMatchObject({
        user_id: '00u1', factor_type: 'push', provider: 'OKTA', vendor_name: 'OKTA', status: 'ACTIVE', device_name: 'Gibson',
        platform: 'IOS', device_type: 'SmartPhone_IPhone', credential_id: 'dade.murphy@example.com',
        created: '2015-03-16T18:01:28.000Z', last_updated: '2015-08-27T14:25:17.000Z', last_verified: null,
      });
      const snRow = row<FactorRow>('SELECT * FROM factors WHERE id = ?', 'sn1');
      expect(snRow).toMatchObject({ factor_type: 'signed_nonce', device_name: 'ComputerName', platform: 'WINDOWS', device_type: 'Tablet_Windows', last_verified: '2024-06-01T00:00:00.000Z' });
      expect(parseRaw<{ profile: { keys: Array<{ jwkType: string }> } }>(snRow).profile.keys.map((k) => k.jwkType)).toEqual(['proofOfPossession', 'userVerification']);
      expect(row<FactorRow>('SELECT * FROM factors WHERE id = ?', 'sms1')).toMatchObject({ factor_type: 'sms', vendor_name: null, device_name: null, credential_id: null });
    });

    it('authenticator enrollments', () => {
      w.completeUsers(id, [{ userId: '00u1', factors: [], enrollments: [oktaVerifyEnrollment('pfd1', "Dade's phone"), emailEnrollment('eae1')], state: 'complete' }]);
      expect(db.prepare('SELECT id, key, type, status, name, nickname, created FROM authenticator_enrollments ORDER BY id').all()).toEqual([
        { id: 'eae1', key: 'okta_email', type: 'email', status: 'ACTIVE', name: 'Email', nickname: null, created: '2020-07-26T21:05:23.000Z' },
        { id: 'pfd1', key: 'okta_verify', type: 'app', status: 'ACTIVE', name: 'Okta Verify', nickname: "Dade's phone", created: '2024-01-02T03:04:05.000Z' },
      ]);
    });

    it('Classic vs AUTHENTICATORS policies, and a policy with neither', () => {
      w.writeOrgResource(id, 'policies:MFA_ENROLL', [classicEnrollPolicy('00p1'), authenticatorsEnrollPolicy('00p2'), { id: '00p3', type: 'MFA_ENROLL', name: 'Bare', priority: '3' }], 'policies');
      expect(db.prepare('SELECT id, resource, type, name, status, priority, is_system, settings_format FROM policies ORDER BY id').all()).toEqual([
        { id: '00p1', resource: 'policies:MFA_ENROLL', type: 'MFA_ENROLL', name: 'Default Policy', status: 'ACTIVE', priority: 2, is_system: 1, settings_format: 'FACTORS' },
        { id: '00p2', resource: 'policies:MFA_ENROLL', type: 'MFA_ENROLL', name: 'Contractors', status: 'ACTIVE', priority: 1, is_system: 0, settings_format: 'AUTHENTICATORS' },
        { id: '00p3', resource: 'policies:MFA_ENROLL', type: 'MFA_ENROLL', name: 'Bare', status: null, priority: 3, is_system: null, settings_format: null },
      ]);
      expect(new SnapshotReader(db).policies(id, 'MFA_ENROLL').map((p: PolicyRow) => p.id)).toEqual(['00p2', '00p1', '00p3']);
      expect(w.isOrgResourceDone(id, 'policies:MFA_ENROLL')).toBe(true);
    });

    it('policy rules, authenticators, event hooks, API tokens', () => {
      w.writeOrgResource(id, 'policyRules:00p1', [{ id: '0pr1', type: 'MFA_ENROLL', name: 'Default Rule', status: 'ACTIVE', priority: 99, system: true }], 'policy_rules', { policyId: '00p1' });
      w.writeOrgResource(id, 'authenticators', [{ type: 'email', id: 'aut1', key: 'okta_email', status: 'ACTIVE', name: 'Email', created: '2020-07-26T21:05:23.000Z', settings: { allowedFor: 'any' } }], 'authenticators');
      w.writeOrgResource(id, 'eventHooks', [{ id: 'who1', name: 'SIEM', status: 'ACTIVE', events: { type: 'EVENT_TYPE', items: ['user.mfa.factor.activate', 'user.mfa.factor.deactivate'] } }], 'event_hooks');
      w.writeOrgResource(id, 'apiTokens', [{ id: '00T1', name: 'Provisioning', userId: '00uadmin', clientName: 'Okta API', created: '2024-01-01T00:00:00.000Z', expiresAt: '2024-02-01T00:00:00.000Z', lastUpdated: '2024-01-15T00:00:00.000Z' }], 'api_tokens');
      const r = new SnapshotReader(db);
      expect(r.policyRules(id, '00p1')).toEqual([expect.objectContaining({ policy_id: '00p1', id: '0pr1', name: 'Default Rule', priority: 99, is_system: 1 })]);
      expect(r.authenticators(id)).toEqual([expect.objectContaining({ id: 'aut1', key: 'okta_email', type: 'email', name: 'Email', status: 'ACTIVE' })]);
      expect(JSON.parse(r.eventHooks(id)[0]!.events_json!)).toEqual(['user.mfa.factor.activate', 'user.mfa.factor.deactivate']);
      expect(r.apiTokens(id)).toEqual([
        expect.objectContaining({ id: '00T1', name: 'Provisioning', user_id: '00uadmin', client_name: 'Okta API', expires_at: '2024-02-01T00:00:00.000Z', last_updated: '2024-01-15T00:00:00.000Z' }),
      ]);
      expect(() => w.writeOrgResource(id, 'policyRules:x', [{ id: 'r' }], 'policy_rules')).toThrow(/without their policy id/);
    });

    it('a log event with requestUri, apiTokenId and a User target', () => {
      w.writeLogEvents(id, 'logs:all', [logEvent('e1', 'user.mfa.factor.activate', '/api/v1/users/00u1/factors/opf1/lifecycle/activate', { apiTokenId: '00T1', targetUserId: '00u1' })], null);
      expect(row<LogEventRow>('SELECT * FROM log_events WHERE uuid = ?', 'e1')).toMatchObject({
        published: '2024-08-13T15:58:20.353Z', event_type: 'user.mfa.factor.activate', actor_id: '00uadmin', actor_type: 'User',
        actor_alternate_id: 'admin@example.com', user_agent: 'okta-sdk-java/8.2.1 java/17', request_uri: '/api/v1/users/00u1/factors/opf1/lifecycle/activate',
        api_token_id: '00T1', client_id: '0oaclient1', outcome_result: 'SUCCESS', target_user_id: '00u1',
      });
      expect(w.getCursor(id, 'logs:all')).toEqual({ cursor: null, done: true });
    });
  });

  it('raw_json round-trips to JSON equal byte for byte', () => {
    const user = oktaUser('00u1', 'ünïcødé@example.com');
    const factor = { ...signedNonceFactor('sn1', 'Zoë’s PC \u{1F4BB}'), weird: { nested: [1, 2.5, null, true, 'a"b\\c'] } };
    const ev = logEvent('e1', 'user.session.start', '/idp/idx/authenticators/poll');
    w.writeUsersPage(id, 'users:all', [user], null);
    w.completeUsers(id, [{ userId: '00u1', factors: [factor], enrollments: [], state: 'complete' }]);
    w.writeLogEvents(id, 'logs:all', [ev], null);
    const r = new SnapshotReader(db);
    expect(r.userById(id, '00u1')!.raw_json).toBe(JSON.stringify(user));
    const f = [...r.iterateFactors(id)][0]!;
    expect(f.raw_json).toBe(JSON.stringify(factor));
    expect(JSON.stringify(parseRaw(f))).toBe(JSON.stringify(factor));
    expect(parseRaw([...r.iterateLogEvents(id)][0]!)).toEqual(ev);
  });

  describe('idempotency', () => {
    it('writing the same pages, users, org resources and log events twice yields identical tables', () => {
      const run = (): void => {
        w.writeOrgResource(id, 'policies:MFA_ENROLL', [classicEnrollPolicy('00p1')], 'policies');
        w.markOrgResource(id, 'logs', 'not_available', 'missing scope okta.logs.read', 403, 'E0000006');
        w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com'), oktaUser('00u2', 'b@example.com')], 'https://acme.okta.com/api/v1/users?after=00u2&limit=2');
        w.completeUsers(id, [
          { userId: '00u1', factors: [pushFactor('opf1', 'Gibson'), smsFactor('sms1')], enrollments: [oktaVerifyEnrollment('pfd1')], state: 'complete' },
          { userId: '00u2', factors: null, enrollments: null, state: 'failed', errors: [{ endpoint: '/api/v1/users/00u2/factors', kind: 'failed', httpStatus: 500, errorCode: null, message: 'Internal error' }] },
        ]);
        w.writeLogEvents(id, 'logs:all', [logEvent('e1', 'user.session.start', '/api/v1/authn')], 'https://acme.okta.com/api/v1/logs?after=1');
        w.recordError(id, { scope: 'org', subject: 'eventHooks', endpoint: 'https://acme.okta.com/api/v1/eventHooks?limit=20', kind: 'not_available', httpStatus: 403, errorCode: 'E0000006', message: 'You do not have permission' });
      };
      run();
      const first = dump(db);
      run();
      expect(dump(db)).toEqual(first);
      expect(count('factors')).toBe(2);
      expect(count('crawl_errors')).toBe(2);
    });

    it('re-listing never downgrades a user in a final state, nor replaces its row', () => {
      w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com')], null);
      w.completeUsers(id, [{ userId: '00u1', factors: [smsFactor('sms1')], enrollments: [], state: 'complete' }]);
      const listed = w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'renamed@example.com'), oktaUser('00u9', 'new@example.com')], null);
      expect(listed).toEqual({ todo: ['00u9'], added: 1, carried: 0 });
      expect(w.userState(id, '00u1')).toBe('complete');
      expect(row<UserRow>('SELECT * FROM users WHERE id = ?', '00u1').login).toBe('a@example.com');
      expect(count('factors')).toBe(1);
    });

    it('completing a user again replaces its factors, enrollments and errors', () => {
      w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com')], null);
      w.completeUsers(id, [{ userId: '00u1', factors: [smsFactor('sms1'), pushFactor('opf1', 'A')], enrollments: null, state: 'failed', errors: [{ endpoint: '/api/v1/users/00u1/authenticator-enrollments', kind: 'failed', httpStatus: 503, message: 'Service unavailable' }] }]);
      w.completeUsers(id, [{ userId: '00u1', factors: [smsFactor('sms1')], enrollments: [emailEnrollment('eae1')], state: 'complete' }]);
      expect(db.prepare('SELECT id FROM factors').pluck().all()).toEqual(['sms1']);
      expect(count('authenticator_enrollments')).toBe(1);
      expect(count('crawl_errors')).toBe(0);
      expect(row<UserRow>('SELECT * FROM users WHERE id = ?', '00u1')).toMatchObject({ crawl_state: 'complete', factors_fetched: 1, enrollments_fetched: 1 });
    });

    it('rewriting an org resource replaces exactly its rows', () => {
      w.writeOrgResource(id, 'policies:MFA_ENROLL', [classicEnrollPolicy('00p1'), authenticatorsEnrollPolicy('00p2')], 'policies');
      w.writeOrgResource(id, 'policies:OKTA_SIGN_ON', [{ id: '00pS', type: 'OKTA_SIGN_ON', name: 'Default' }], 'policies');
      w.writeOrgResource(id, 'policies:MFA_ENROLL', [classicEnrollPolicy('00p1')], 'policies');
      expect(db.prepare('SELECT id FROM policies ORDER BY id').pluck().all()).toEqual(['00p1', '00pS']);
    });
  });

  describe('a crash inside a transaction leaves no partial rows', () => {
    beforeEach(() => {
      w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com'), oktaUser('00u2', 'b@example.com')], 'https://acme.okta.com/api/v1/users?after=00u2');
    });

    it('completeUsers: a bad second user rolls back the first', () => {
      const before = dump(db);
      expect(() =>
        w.completeUsers(id, [
          { userId: '00u1', factors: [pushFactor('opf1', 'A')], enrollments: [oktaVerifyEnrollment('pfd1')], state: 'complete' },
          { userId: '00u2', factors: [smsFactor('sms2'), { factorType: 'sms' }], enrollments: [], state: 'complete' },
        ]),
      ).toThrow(AuditError);
      expect(dump(db)).toEqual(before);
      expect(w.userState(id, '00u1')).toBe('pending');
    });

    it('completeUsers for a user never listed rolls back and says why', () => {
      const before = dump(db);
      expect(() => w.completeUsers(id, [
        { userId: '00u1', factors: [smsFactor('sms1')], enrollments: [], state: 'complete' },
        { userId: '00uX', factors: [], enrollments: [], state: 'complete' },
      ])).toThrow(/User 00uX was crawled but never listed/);
      expect(dump(db)).toEqual(before);
    });

    it('writeUsersPage: a malformed item rolls back the page and its cursor', () => {
      const before = dump(db);
      expect(() => w.writeUsersPage(id, 'users:all', [oktaUser('00u3', 'c@example.com'), { profile: { login: 'no-id' } }], null)).toThrow(/has no "id"/);
      expect(dump(db)).toEqual(before);
    });

    it('writeLogEvents: the cursor does not move when a page fails', () => {
      w.writeLogEvents(id, 'logs:all', [logEvent('e1', 't', null)], 'https://acme.okta.com/api/v1/logs?after=1');
      const cyclic: Record<string, unknown> = { ...logEvent('e3', 't', null) };
      cyclic['self'] = cyclic;
      expect(() => w.writeLogEvents(id, 'logs:all', [logEvent('e2', 't', null), cyclic], 'https://acme.okta.com/api/v1/logs?after=3')).toThrow(/not plain JSON/);
      expect(w.getCursor(id, 'logs:all')).toEqual({ cursor: 'https://acme.okta.com/api/v1/logs?after=1', done: false });
      expect(count('log_events')).toBe(1);
    });

    it('writeOrgResource: neither rows nor the complete mark survive a failure', () => {
      expect(() => w.writeOrgResource(id, 'authenticators', [{ id: 'aut1', key: 'okta_email' }, { key: 'no-id' }], 'authenticators')).toThrow(AuditError);
      expect(count('authenticators')).toBe(0);
      expect(w.isOrgResourceDone(id, 'authenticators')).toBe(false);
    });
  });

  describe('users phase checkpoint', () => {
    const p1 = 'https://acme.okta.com/api/v1/users?after=00u2&limit=2';

    it('moves the cursor with the page; its users stay queued as pending until completed', () => {
      expect(w.getCursor(id, 'users:all')).toBeUndefined();
      expect(w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com'), oktaUser('00u2', 'b@example.com', 'DEPROVISIONED'), null as unknown as object], p1)).toEqual({ todo: ['00u1', '00u2'], added: 2, carried: 0 });
      expect(w.getCursor(id, 'users:all')).toEqual({ cursor: p1, done: false });
      // Listed again (a resumed crawl repeats the page it was storing): still to crawl, not new.
      expect(w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com'), oktaUser('00u2', 'b@example.com', 'DEPROVISIONED')], p1)).toEqual({ todo: ['00u1', '00u2'], added: 0, carried: 0 });
      expect(w.pendingUsers(id, 10)).toEqual([
        { id: '00u1', login: 'a@example.com', status: 'ACTIVE' },
        { id: '00u2', login: 'b@example.com', status: 'DEPROVISIONED' },
      ]);
      expect(w.pendingUsers(id, 10, '00u1').map((u) => u.id)).toEqual(['00u2']);
      expect(w.pendingUserIds(id, 1)).toEqual(['00u1']);

      w.completeUsers(id, [{ userId: '00u1', factors: [], enrollments: [], state: 'complete' }]);
      expect(w.pendingUserIds(id, 10)).toEqual(['00u2']);
      expect(w.userState(id, '00u1')).toBe('complete');
      expect(w.userState(id, '00uX')).toBeUndefined();

      // the last page: a null next cursor finishes the listing
      w.writeUsersPage(id, 'users:all', [oktaUser('00u3', 'c@example.com')], null);
      expect(w.getCursor(id, 'users:all')).toEqual({ cursor: null, done: true });
      expect(w.pendingUserIds(id, 10)).toEqual(['00u2', '00u3']);
    });

    it('advanceCursor sets any phase directly', () => {
      w.advanceCursor(id, 'logs:poll', 'https://acme.okta.com/api/v1/logs?after=9', true);
      expect(w.getCursor(id, 'logs:poll')).toEqual({ cursor: 'https://acme.okta.com/api/v1/logs?after=9', done: true });
    });

    it('snapshot() reads the row back', () => {
      expect(w.snapshot(id)?.org_url).toBe(ORG_URL);
      expect(w.snapshot(999)).toBeUndefined();
    });
  });

  describe('errors and coverage', () => {
    it('stores the path only and masks credentials in messages', () => {
      w.recordError(id, { scope: 'logs', subject: 'logs:all', endpoint: 'https://acme.okta.com/api/v1/logs?since=2024-01-01&after=abc', kind: 'failed', httpStatus: 429, errorCode: 'E0000047', message: 'retry failed, sent Authorization: SSWS 00abcDEFsecret\nline2' });
      expect(row('SELECT endpoint, message FROM crawl_errors')).toEqual({ endpoint: '/api/v1/logs', message: 'retry failed, sent Authorization: SSWS [redacted] line2' });
    });

    it('coverage() counts users by state, unavailable resources and errors by kind', () => {
      w.setOrgInfo(id, { usersExpected: 5 });
      w.writeUsersPage(id, 'users:all', ['00u1', '00u2', '00u3', '00u4', '00u5'].map((u) => oktaUser(u, `${u}@example.com`)), null);
      w.completeUsers(id, [
        { userId: '00u1', factors: [], enrollments: [], state: 'complete' },
        { userId: '00u2', factors: [], enrollments: null, state: 'complete', errors: [{ endpoint: '/api/v1/users/00u2/authenticator-enrollments', kind: 'not_available', httpStatus: 401, errorCode: 'E0000015', message: 'feature not enabled' }] },
        { userId: '00u3', factors: null, enrollments: null, state: 'deleted', errors: [{ endpoint: '/api/v1/users/00u3/factors', kind: 'deleted', httpStatus: 404, errorCode: 'E0000007', message: 'Not found' }] },
        { userId: '00u4', factors: null, enrollments: null, state: 'failed', errors: [{ endpoint: '/api/v1/users/00u4/factors', kind: 'failed', httpStatus: 500, message: 'boom' }] },
      ]);
      w.writeOrgResource(id, 'authenticators', [], 'authenticators');
      w.markOrgResource(id, 'logs', 'not_available', 'missing scope okta.logs.read', 403, 'E0000006');
      w.markOrgResource(id, 'wellKnown', 'complete');
      w.markOrgResource(id, 'authenticatorEnrollments', 'not_applicable', 'Identity Engine only');
      w.recordError(id, { scope: 'logs', subject: 'logs', endpoint: '/api/v1/logs', kind: 'not_available', httpStatus: 403, errorCode: 'E0000006', message: 'You do not have permission' });
      expect(w.coverage(id)).toEqual({
        snapshotId: id,
        usersExpected: 5,
        users: { total: 5, pending: 1, complete: 2, deleted: 1, failed: 1 },
        orgResources: {
          complete: ['authenticators', 'wellKnown'],
          notAvailable: [{ resource: 'logs', reason: 'missing scope okta.logs.read', httpStatus: 403, errorCode: 'E0000006' }],
          notApplicable: [{ resource: 'authenticatorEnrollments', reason: 'Identity Engine only', httpStatus: null, errorCode: null }],
        },
        errors: { failed: 1, deleted: 1, not_available: 2 },
        phases: [{ phase: 'users:all', done: true }],
      });
      expect(w.isOrgResourceDone(id, 'logs')).toBe(true);
      expect(w.isOrgResourceDone(id, 'eventHooks')).toBe(false);
    });
  });

  describe('refresh', () => {
    const ann = oktaUser('00u1', 'ann@example.com');
    const bob = oktaUser('00u2', 'bob@example.com');
    const cid = oktaUser('00u3', 'cid@example.com');
    let next: number;
    beforeEach(() => {
      w.writeUsersPage(id, 'users:all', [ann, bob, cid], null);
      w.completeUsers(id, [
        { userId: '00u1', factors: [pushFactor('opf1', 'Ann phone'), smsFactor('sms1')], enrollments: [oktaVerifyEnrollment('pfd1', 'Ann phone')], state: 'complete' },
        { userId: '00u2', factors: [smsFactor('sms2')], enrollments: [], state: 'complete' },
        { userId: '00u3', factors: [smsFactor('sms3')], enrollments: [], state: 'complete' },
      ]);
      w.writeLogEvents(id, 'logs:mfa', ['b', 'a', 'e', 'c', 'd'].map((u, i) => logEvent(`uuid-${u}`, 'user.mfa.factor.activate', null, { published: `2024-05-0${i + 1}T00:00:00.000Z` })), null);
      w.finishSnapshot(id, 'complete', {});
      next = w.createSnapshot({ orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {}, baseSnapshotId: id });
    });

    it('a page copies the unchanged users from the base; a changed object or a System Log target is read again', () => {
      w.addRefreshTargets(next, 'refresh:changes', [logEvent('uuid-x', 'user.mfa.factor.deactivate', null, { targetUserId: '00u3' })], null);
      const page = w.writeUsersPage(next, 'users:all', [ann, { ...bob, lastUpdated: '2024-06-01T00:00:00.000Z' }, cid, oktaUser('00u4', 'dee@example.com')], null, id);
      expect(page).toEqual({ todo: ['00u2', '00u3', '00u4'], added: 4, carried: 1 });
      const rows = (table: string, snapshot: number) => (db.prepare(`SELECT * FROM ${table} WHERE snapshot_id = ? ORDER BY user_id, id`).all(snapshot) as Array<{ user_id: string }>)
        .map((r) => ({ ...r, snapshot_id: 0 }));
      expect(rows('factors', next)).toEqual(rows('factors', id).filter((f) => f.user_id === '00u1'));
      expect(rows('authenticator_enrollments', next)).toEqual(rows('authenticator_enrollments', id));
      expect(db.prepare('SELECT id, crawl_state, carried_from, factors_fetched FROM users WHERE snapshot_id = ? ORDER BY id').all(next)).toEqual([
        { id: '00u1', crawl_state: 'complete', carried_from: id, factors_fetched: 1 },
        { id: '00u2', crawl_state: 'pending', carried_from: null, factors_fetched: null },
        { id: '00u3', crawl_state: 'pending', carried_from: null, factors_fetched: null },
        { id: '00u4', crawl_state: 'pending', carried_from: null, factors_fetched: null },
      ]);
    });

    it('log events of the window are copied in order of publication, a chunk per call, and a stop between chunks resumes where it was', () => {
      const uuids = () => db.prepare('SELECT uuid FROM log_events WHERE snapshot_id = ? ORDER BY rowid').pluck().all(next);
      // The window leaves out the first and the last event published (uuid-b and uuid-d).
      const carry = (writer: SnapshotWriter) => writer.carryLogEvents(next, 'logs:carried', id, '2024-05-02T00:00:00.000Z', '2024-05-05T00:00:00.000Z', 2);
      expect(carry(w)).toBe(false);
      expect(uuids()).toEqual(['uuid-a', 'uuid-e']); // published 05-02 and 05-03
      // A new writer (a resumed crawl) carries on from the cursor.
      expect(carry(new SnapshotWriter(db))).toBe(true);
      expect(uuids()).toEqual(['uuid-a', 'uuid-e', 'uuid-c']);
      expect(w.getCursor(next, 'logs:carried')?.done).toBe(true);
    });

    it('events published at one instant, more than a chunk of them, are copied together; a cursor that is not a time starts over', () => {
      const at = '2024-05-03T00:00:00.000Z';
      w.writeLogEvents(id, 'logs:authn', ['f', 'g', 'h'].map((u) => logEvent(`uuid-${u}`, 'user.session.start', null, { published: at })), null);
      db.prepare(`INSERT INTO crawl_progress (snapshot_id, phase, cursor, done, updated_at) VALUES (?, 'logs:carried', 'uuid-z', 0, '')`).run(next);
      const carry = () => w.carryLogEvents(next, 'logs:carried', id, '2024-05-02T00:00:00.000Z', '2024-05-05T00:00:00.000Z', 1);
      const uuids = () => db.prepare('SELECT uuid FROM log_events WHERE snapshot_id = ? ORDER BY uuid').pluck().all(next);
      expect(carry()).toBe(false);
      expect(uuids()).toEqual(['uuid-a']);
      expect(carry()).toBe(false);
      expect(uuids()).toEqual(['uuid-a', 'uuid-e', 'uuid-f', 'uuid-g', 'uuid-h']);
      expect(carry()).toBe(true);
      expect(uuids()).toEqual(['uuid-a', 'uuid-c', 'uuid-e', 'uuid-f', 'uuid-g', 'uuid-h']);
    });
  });
});
