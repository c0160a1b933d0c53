import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Db, openDatabase } from '../../src/store/db.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import {
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

/**
 * `latest` is the interesting one: the newest complete snapshot. `old` is an older complete one of
 * the same org, `other` an older one of another org, `running` a newer crawl still in progress.
 */
function seed(w: SnapshotWriter): { old: number; latest: number; running: number; other: number } {
  const meta = { orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {} };
  const old = w.createSnapshot(meta);
  w.writeUsersPage(old, 'users:all', [oktaUser('00u1', 'alice@example.com')], null);
  w.completeUsers(old, [{ userId: '00u1', factors: [pushFactor('opfOLD', 'Old phone')], enrollments: [], state: 'complete' }]);
  w.finishSnapshot(old, 'complete', {});

  const other = w.createSnapshot({ orgUrl: 'https://other.okta.com', toolVersion: '0.1.0', settings: {} });
  w.finishSnapshot(other, 'complete', {});

  const latest = w.createSnapshot({ ...meta, usersExpected: 7 });
  w.writeUsersPage(latest, 'users:all', [
    oktaUser('00u1', 'alice@example.com'),
    oktaUser('00u2', 'bob@example.com'),
    oktaUser('00u3', 'carol@example.com'),
    oktaUser('00u4', 'dave@example.com', 'ACTIVE', null),
    oktaUser('00u5', 'erin@example.com'),
    oktaUser('00u6', 'frank@example.com'),
    oktaUser('00u7', 'grace@example.com', 'SUSPENDED'),
  ], null);
  w.completeUsers(latest, [
    // OIE user with Okta Verify on two devices: the Factors API shows one.
    { userId: '00u1', factors: [pushFactor('opf1', 'iPhone'), signedNonceFactor('snf1', 'iPhone'), { id: 'ost1', factorType: 'token:software:totp', provider: 'OKTA', status: 'ACTIVE' }], enrollments: [oktaVerifyEnrollment('pfd1a'), oktaVerifyEnrollment('pfd1b'), emailEnrollment('eae1')], state: 'complete' },
    // Two push factors; enrollments could not be read.
    { userId: '00u2', factors: [pushFactor('opf2a', 'Pixel'), pushFactor('opf2b', 'Galaxy'), { id: 'fuf2', factorType: 'u2f', provider: 'FIDO', vendorName: 'FIDO', status: 'ACTIVE', profile: { credentialId: 'WVO-QyHE', version: 'U2F_V2' } }], enrollments: null, state: 'complete', errors: [{ endpoint: '/api/v1/users/00u2/authenticator-enrollments', kind: 'not_available', httpStatus: 401, errorCode: 'E0000015', message: 'feature not enabled' }] },
    { userId: '00u3', factors: [smsFactor('sms3', 'PENDING_ACTIVATION')], enrollments: [], state: 'complete' },
    { userId: '00u4', factors: [], enrollments: [], state: 'complete' },
    { userId: '00u5', factors: null, enrollments: null, state: 'deleted', errors: [{ endpoint: '/api/v1/users/00u5/factors', kind: 'deleted', httpStatus: 404, errorCode: 'E0000007', message: 'Not found' }] },
    // Okta Verify enrolled, no push factor projected.
    { userId: '00u7', factors: [smsFactor('sms7')], enrollments: [oktaVerifyEnrollment('pfd7')], state: 'complete' },
  ]);
  w.markOrgResource(latest, 'eventHooks', 'not_available', 'missing scope okta.eventHooks.read', 403, 'E0000006');
  w.writeLogEvents(latest, 'logs:all', [
    logEvent('e-authn', 'user.session.start', '/api/v1/authn', { published: '2024-08-01T00:00:01.000Z' }),
    logEvent('e-authn-factor', 'user.authentication.auth_via_mfa', '/api/v1/authn/factors/opf1/verify', { published: '2024-08-01T00:00:02.000Z', targetUserId: '00u1' }),
    logEvent('e-sessions', 'user.session.access_admin_app', '/api/v1/sessions/me', { published: '2024-08-01T00:00:03.000Z' }),
    logEvent('e-factors', 'user.mfa.factor.activate', '/api/v1/users/00u1/factors/opf1/lifecycle/activate', { published: '2024-08-01T00:00:04.000Z', apiTokenId: '00T1', targetUserId: '00u1' }),
    logEvent('e-idx', 'user.authentication.verify', '/idp/idx/authenticators/poll', { published: '2024-08-01T00:00:05.000Z' }),
    logEvent('e-user', 'user.account.update_profile', '/api/v1/users/00u1', { published: '2024-08-01T00:00:06.000Z' }),
    logEvent('e-as', 'app.oauth2.as.token.grant', '/api/v1/authorizationServers/default', { published: '2024-08-01T00:00:07.000Z' }),
    logEvent('e-none', 'system.push.send_factor_verify_push', null, { published: '2024-08-01T00:00:08.000Z' }),
  ], null);
  w.finishSnapshot(latest, 'complete', {});

  const running = w.createSnapshot(meta);
  w.writeUsersPage(running, 'users:all', [oktaUser('00u1', 'alice@example.com')], 'https://acme.okta.com/api/v1/users?after=00u1');
  return { old, latest, running, other };
}

describe('views', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let ids: ReturnType<typeof seed>;
  const q = (sql: string, ...params: unknown[]): unknown[] => db.prepare(sql).all(...params);

  beforeAll(() => {
    t = tempDir();
    db = openDatabase(t.file('views.db'));
    ids = seed(new SnapshotWriter(db));
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('v_latest_snapshot: the newest complete snapshot, not the newer running one', () => {
    expect(q('SELECT id, org_url, status FROM v_latest_snapshot')).toEqual([{ id: ids.latest, org_url: ORG_URL, status: 'complete' }]);
  });

  it('v_user_factors', () => {
    expect(q('SELECT login, user_status, factor_id, factor_type, factor_status, device_name FROM v_user_factors WHERE snapshot_id = ? ORDER BY factor_id', ids.latest)).toEqual([
      { login: 'bob@example.com', user_status: 'ACTIVE', factor_id: 'fuf2', factor_type: 'u2f', factor_status: 'ACTIVE', device_name: null },
      { login: 'alice@example.com', user_status: 'ACTIVE', factor_id: 'opf1', factor_type: 'push', factor_status: 'ACTIVE', device_name: 'iPhone' },
      { login: 'bob@example.com', user_status: 'ACTIVE', factor_id: 'opf2a', factor_type: 'push', factor_status: 'ACTIVE', device_name: 'Pixel' },
      { login: 'bob@example.com', user_status: 'ACTIVE', factor_id: 'opf2b', factor_type: 'push', factor_status: 'ACTIVE', device_name: 'Galaxy' },
      { login: 'alice@example.com', user_status: 'ACTIVE', factor_id: 'ost1', factor_type: 'token:software:totp', factor_status: 'ACTIVE', device_name: null },
      { login: 'carol@example.com', user_status: 'ACTIVE', factor_id: 'sms3', factor_type: 'sms', factor_status: 'PENDING_ACTIVATION', device_name: null },
      { login: 'grace@example.com', user_status: 'SUSPENDED', factor_id: 'sms7', factor_type: 'sms', factor_status: 'ACTIVE', device_name: null },
      { login: 'alice@example.com', user_status: 'ACTIVE', factor_id: 'snf1', factor_type: 'signed_nonce', factor_status: 'ACTIVE', device_name: 'iPhone' },
    ]);
  });

  it('v_signed_nonce_factors: key count and JWK types read with json_each', () => {
    expect(q('SELECT login, factor_id, device_name, platform, key_count, jwk_types FROM v_signed_nonce_factors WHERE snapshot_id = ?', ids.latest)).toEqual([
      { login: 'alice@example.com', factor_id: 'snf1', device_name: 'iPhone', platform: 'WINDOWS', key_count: 2, jwk_types: 'proofOfPossession,userVerification' },
    ]);
  });

  it('v_push_factors_per_user', () => {
    const rows = q('SELECT user_id, login, push_factors, signed_nonce_factors, distinct_devices, device_names FROM v_push_factors_per_user WHERE snapshot_id = ? ORDER BY user_id', ids.latest) as Array<Record<string, unknown>>;
    expect(rows.map(({ device_names, ...r }) => ({ ...r, device_names: String(device_names).split(',').sort() }))).toEqual([
      { user_id: '00u1', login: 'alice@example.com', push_factors: 1, signed_nonce_factors: 1, distinct_devices: 1, device_names: ['iPhone'] },
      { user_id: '00u2', login: 'bob@example.com', push_factors: 2, signed_nonce_factors: 0, distinct_devices: 2, device_names: ['Galaxy', 'Pixel'] },
    ]);
  });

  it('v_okta_verify_enrollments_vs_push: NULL where enrollments were not read', () => {
    expect(q('SELECT user_id, okta_verify_enrollments, push_factors, signed_nonce_factors, enrollments_minus_push FROM v_okta_verify_enrollments_vs_push WHERE snapshot_id = ? ORDER BY user_id', ids.latest)).toEqual([
      { user_id: '00u1', okta_verify_enrollments: 2, push_factors: 1, signed_nonce_factors: 1, enrollments_minus_push: 1 },
      { user_id: '00u2', okta_verify_enrollments: null, push_factors: 2, signed_nonce_factors: 0, enrollments_minus_push: null },
      { user_id: '00u7', okta_verify_enrollments: 1, push_factors: 0, signed_nonce_factors: 0, enrollments_minus_push: 1 },
    ]);
  });

  it('v_users_without_active_factor: only users whose factors were read', () => {
    expect(q('SELECT user_id, login, user_status, factor_count, last_login FROM v_users_without_active_factor WHERE snapshot_id = ? ORDER BY user_id', ids.latest)).toEqual([
      { user_id: '00u3', login: 'carol@example.com', user_status: 'ACTIVE', factor_count: 1, last_login: '2024-05-01T10:00:00.000Z' },
      { user_id: '00u4', login: 'dave@example.com', user_status: 'ACTIVE', factor_count: 0, last_login: null },
    ]);
  });

  it('v_classic_api_calls: /api/v1/authn*, /api/v1/sessions*, /api/v1/users/*/factors*', () => {
    expect(q('SELECT uuid, api, request_uri, api_token_id FROM v_classic_api_calls WHERE snapshot_id = ? ORDER BY published', ids.latest)).toEqual([
      { uuid: 'e-authn', api: 'authn', request_uri: '/api/v1/authn', api_token_id: null },
      { uuid: 'e-authn-factor', api: 'authn', request_uri: '/api/v1/authn/factors/opf1/verify', api_token_id: null },
      { uuid: 'e-sessions', api: 'sessions', request_uri: '/api/v1/sessions/me', api_token_id: null },
      { uuid: 'e-factors', api: 'factors', request_uri: '/api/v1/users/00u1/factors/opf1/lifecycle/activate', api_token_id: '00T1' },
    ]);
  });

  it('v_coverage: users by crawl_state per snapshot', () => {
    expect(q('SELECT * FROM v_coverage ORDER BY snapshot_id')).toEqual([
      { snapshot_id: ids.old, org_url: ORG_URL, status: 'complete', users_expected: null, users_total: 1, users_pending: 0, users_complete: 1, users_deleted: 0, users_failed: 0, org_resources_not_available: 0, org_resources_not_applicable: 0, errors: 0 },
      { snapshot_id: ids.other, org_url: 'https://other.okta.com', status: 'complete', users_expected: null, users_total: 0, users_pending: 0, users_complete: 0, users_deleted: 0, users_failed: 0, org_resources_not_available: 0, org_resources_not_applicable: 0, errors: 0 },
      { snapshot_id: ids.latest, org_url: ORG_URL, status: 'complete', users_expected: 7, users_total: 7, users_pending: 1, users_complete: 5, users_deleted: 1, users_failed: 0, org_resources_not_available: 1, org_resources_not_applicable: 0, errors: 2 },
      { snapshot_id: ids.running, org_url: ORG_URL, status: 'running', users_expected: null, users_total: 1, users_pending: 1, users_complete: 0, users_deleted: 0, users_failed: 0, org_resources_not_available: 0, org_resources_not_applicable: 0, errors: 0 },
    ]);
  });

  const docQueries = [...readFileSync(new URL('../../docs/database.md', import.meta.url), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('every example query in docs/database.md runs and returns rows on this dataset', () => {
    expect(docQueries.length).toBeGreaterThanOrEqual(10);
    for (const sql of docQueries) {
      expect({ sql, rows: db.prepare(sql).all().length > 0 }).toEqual({ sql, rows: true });
    }
  });

  // The views must parse in the sqlite3 shells people have, not only in the bundled SQLite.
  const shell = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  (shell.status === 0 ? it : it.skip)(`the system sqlite3 shell (${shell.stdout?.trim().split(' ')[0] ?? 'absent'}) reads the schema and runs the doc queries`, () => {
    db.pragma('wal_checkpoint(TRUNCATE)');
    for (const sql of docQueries) {
      const out = spawnSync('sqlite3', ['-readonly', t.file('views.db'), sql], { encoding: 'utf8' });
      expect({ sql, stderr: out.stderr, status: out.status }).toEqual({ sql, stderr: '', status: 0 });
      expect(out.stdout.length).toBeGreaterThan(0);
    }
  });
});
