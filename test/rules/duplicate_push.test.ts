import type { Db } from '../../src/store/db.js';
import { keys, run, tempDb, writeSnapshot, type SnapshotFixture } from './helpers.js';
import { BROWSER_UA, logEvent, oktaTotp, oktaVerifyEnrollment, push, signedNonce, sms, user } from './okta_json.js';

const MULTIPLE = 'factor_push_multiple_per_user';
const DUPLICATE = 'factor_push_duplicate_device';
const PENDING = 'factor_push_pending_activation_abandoned';
const REPEATED = 'log_push_enrollment_repeated';
const HIDDEN = 'enrollment_okta_verify_exceeds_push';
const ALL = [MULTIPLE, DUPLICATE, PENDING, REPEATED, HIDDEN];

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(async () => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

/** Factor states that trigger (or must not trigger) the factor-based rules, on either engine. */
function factorFixture(pipeline: 'idx' | 'v1'): SnapshotFixture {
  const ua = user('00ua', 'two.phones@example.com');
  const ub = user('00ub', 'same.phone@example.com');
  const uc = user('00uc', 'pending@example.com');
  const ud = user('00ud', 'one.pending@example.com');
  const ue = user('00ue', 'desktops@example.com');
  const uf = user('00uf', 'trio@example.com');
  return {
    org: { pipeline },
    users: [ua, ub, uc, ud, ue, uf, user('00ug', 'unread@example.com')],
    factors: {
      // Two phones; the Pixel not used since 2024-01-02 (212 days before the snapshot).
      '00ua': [
        push(ua, 'opfa1', 'iPhone 15', { created: '2023-06-01T00:00:00.000Z', lastVerified: '2024-07-30T00:00:00.000Z' }),
        push(ua, 'opfa2', 'Pixel 6', { platform: 'ANDROID', deviceType: 'SmartPhone_Android', created: '2022-01-01T00:00:00.000Z', lastVerified: '2024-01-02T00:00:00.000Z' }),
      ],
      // The same phone enrolled twice: one device, so not "more than one device".
      '00ub': [
        push(ub, 'opfb1', 'Bob iPhone', { created: '2021-05-01T00:00:00.000Z', lastVerified: '2021-06-01T00:00:00.000Z' }),
        push(ub, 'opfb2', 'Bob iPhone', { created: '2024-03-01T00:00:00.000Z', lastVerified: '2024-07-29T00:00:00.000Z' }),
        oktaTotp(ub, 'ostb'),
      ],
      // Three abandoned enrollments (no device profile yet).
      '00uc': [
        push(uc, 'opfc1', null, { status: 'PENDING_ACTIVATION', created: '2024-05-03T00:00:00.000Z', lastVerified: null }),
        push(uc, 'opfc2', null, { status: 'PENDING_ACTIVATION', created: '2024-04-03T00:00:00.000Z', lastVerified: null }),
        push(uc, 'opfc3', null, { status: 'PENDING_ACTIVATION', created: '2024-06-03T00:00:00.000Z', lastVerified: null }),
        sms('smsc'),
      ],
      // One active and one pending push: below every threshold.
      '00ud': [push(ud, 'opfd1', 'Dee iPhone'), push(ud, 'opfd2', null, { status: 'PENDING_ACTIVATION', lastVerified: null })],
      // Two desktops with different names but one device credential: the same machine twice.
      '00ue': [
        signedNonce(ue, 'snfe1', 'LAPTOP-OLD', { credentialId: 'dev-4f1c', created: '2023-02-01T00:00:00.000Z' }),
        signedNonce(ue, 'snfe2', 'LAPTOP-RENAMED', { credentialId: 'dev-4f1c', created: '2024-02-01T00:00:00.000Z' }),
      ],
      // The Identity Engine trio on one phone: push and signed_nonce share the name legitimately.
      '00uf': [push(uf, 'opff', 'Fay iPhone'), oktaTotp(uf, 'ostf'), signedNonce(uf, 'snff', 'Fay iPhone', { platform: 'IOS' })],
      '00ug': null,
    },
  };
}

describe('Duplicate Push rules on a Classic Engine org', () => {
  it('find exactly the anomalies: two devices, one device twice, abandoned enrollments', async () => {
    const id = await writeSnapshot(db, factorFixture('v1'));
    const { results, findings } = run(db, id, ALL);
    expect(results.map((r) => [r.ruleId, r.status, r.findings])).toEqual([
      [MULTIPLE, 'evaluated', 1], [DUPLICATE, 'evaluated', 2], [PENDING, 'evaluated', 1], [REPEATED, 'evaluated', 0], [HIDDEN, 'not_applicable', 0],
    ]);
    expect(keys(findings)).toEqual([
      `${DUPLICATE} user:00ub user:00ub high`,
      `${DUPLICATE} user:00ue user:00ue high`,
      `${PENDING} user:00uc user:00uc medium`,
      `${MULTIPLE} user:00ua user:00ua high`,
    ].sort());

    const multiple = findings.find((f) => f.rule_id === MULTIPLE);
    expect(multiple?.evidence).toBe(
      'Anomaly on a Classic Engine org, which registers one Okta Verify device per user: 2 push factors on 2 devices: ' +
      '"Pixel 6" (ANDROID, opfa2) created 2022-01-01T00:00:00.000Z, last verified 2024-01-02T00:00:00.000Z (212 days before the snapshot) and ' +
      '"iPhone 15" (IOS, opfa1) created 2023-06-01T00:00:00.000Z, last verified 2024-07-30T00:00:00.000Z (2 days before the snapshot); ' +
      'not used for over 90 days: "Pixel 6".',
    );
    expect(multiple?.details).toMatchObject({ pushFactors: 2, devices: 2, staleFactorIds: ['opfa2'] });

    const sameName = findings.find((f) => f.rule_id === DUPLICATE && f.user_id === '00ub');
    expect(sameName?.evidence).toBe(
      'Anomaly on a Classic Engine org: 2 push factors for the same device name "Bob iPhone": ' +
      'opfb1 (ACTIVE, created 2021-05-01T00:00:00.000Z, last verified 2021-06-01T00:00:00.000Z) and ' +
      'opfb2 (ACTIVE, created 2024-03-01T00:00:00.000Z, last verified 2024-07-29T00:00:00.000Z); the older registration was never removed.',
    );
    expect(sameName?.details).toMatchObject({ factorType: 'push', matchedOn: ['device name'], likelyStaleFactorId: 'opfb1' });

    const sameCredential = findings.find((f) => f.rule_id === DUPLICATE && f.user_id === '00ue');
    expect(sameCredential?.evidence).toContain('2 signed_nonce factors for the same credential id "dev-4f1c": snfe1');
    expect(sameCredential?.details).toMatchObject({ factorType: 'signed_nonce', matchedOn: ['credential id'] });

    const pending = findings.find((f) => f.rule_id === PENDING);
    expect(pending?.evidence).toBe(
      'Anomaly on a Classic Engine org: 3 push factors left in PENDING_ACTIVATION (opfc2 created 2024-04-03T00:00:00.000Z, ' +
      'opfc1 created 2024-05-03T00:00:00.000Z and opfc3 created 2024-06-03T00:00:00.000Z), the oldest 120 days before the snapshot.',
    );
  });
});

describe('Duplicate Push rules on an Identity Engine org', () => {
  it('word the same states as expected but stale, with engine-specific severities', async () => {
    const id = await writeSnapshot(db, factorFixture('idx'));
    const { findings } = run(db, id, [MULTIPLE, DUPLICATE, PENDING]);
    expect(keys(findings)).toEqual([
      `${DUPLICATE} user:00ub user:00ub medium`,
      `${DUPLICATE} user:00ue user:00ue medium`,
      `${MULTIPLE} user:00ua user:00ua medium`,
      `${PENDING} user:00uc user:00uc low`,
    ].sort());
    expect(findings.find((f) => f.rule_id === MULTIPLE)?.evidence).toMatch(/^Expected on Identity Engine but possibly stale: 2 push factors on 2 devices/);
    expect(findings.find((f) => f.user_id === '00ub')?.evidence).toMatch(/^Expected but stale on Identity Engine: .*left the older registration opfb1\.$/);
    expect(findings.find((f) => f.rule_id === PENDING)?.evidence).toMatch(/^Stale on Identity Engine: 3 push factors left in PENDING_ACTIVATION/);
  });

  it('flags users whose Okta Verify enrollments outnumber their push factors', async () => {
    const id = await writeSnapshot(db, {
      org: { pipeline: 'idx' },
      users: [user('00u1', 'three.devices@example.com'), user('00u2', 'one.device@example.com'), user('00u3', 'unread@example.com'), user('00u4', 'no.factors.read@example.com')],
      factors: {
        '00u1': [push('00u1', 'opf1', 'Phone A'), oktaTotp('00u1', 'ost1'), signedNonce('00u1', 'snf1', 'Phone A', { platform: 'IOS' })],
        '00u2': [push('00u2', 'opf2', 'Phone'), signedNonce('00u2', 'snf2', 'Phone', { platform: 'IOS' })],
        '00u3': [],
        '00u4': null,
      },
      authenticatorEnrollments: {
        '00u1': [
          oktaVerifyEnrollment('pfd1a', 'Phone A', 'IOS', '2024-01-01T00:00:00.000Z'),
          oktaVerifyEnrollment('pfd1b', 'Phone B', 'ANDROID', '2024-02-01T00:00:00.000Z'),
          oktaVerifyEnrollment('pfd1c', null, 'MACOS', '2024-03-01T00:00:00.000Z'),
        ],
        '00u2': [oktaVerifyEnrollment('pfd2', 'Phone')],
        '00u3': null,
        '00u4': [oktaVerifyEnrollment('pfd4', 'Phone')],
      },
    });
    const { results, findings } = run(db, id, [HIDDEN]);
    expect(results).toEqual([{ ruleId: HIDDEN, status: 'evaluated', findings: 1 }]);
    expect(keys(findings)).toEqual([`${HIDDEN} user:00u1 user:00u1 medium`]);
    expect(findings[0]?.evidence).toBe(
      'Expected on Identity Engine, but hidden from Factors-API tools: 3 Okta Verify enrollments ("Phone A", "Phone B" and an unnamed device (enrollment pfd1c)) ' +
      'against 1 push factor and 1 signed_nonce factor in the Factors API, so 2 devices cannot be reached through push factors.',
    );
    expect(findings[0]?.details).toMatchObject({ oktaVerifyEnrollments: 3, pushFactors: 1, signedNonceFactors: 1, devicesWithoutPushFactor: 2 });
  });
});

describe(REPEATED, () => {
  const activate = (uuid: string, userId: string, published: string, opts: Parameters<typeof logEvent>[2] = {}) =>
    logEvent(uuid, 'user.mfa.factor.activate', { targetUserId: userId, published, ...opts });
  const timeout = { outcome: 'FAILURE', reason: 'Okta Verify activation timed out' };

  const fixture: SnapshotFixture = {
    org: { pipeline: 'idx' },
    users: ['00uk', '00ul', '00um', '00un', '00uo', '00up'].map((id) => user(id, `${id}@example.com`)),
    factors: {
      '00uk': [push('00uk', 'opfk', 'K phone')],
      '00ul': [push('00ul', 'opfl', 'L phone')],
      '00un': [sms('smsn')],
      '00uo': [push('00uo', 'opfo', 'O phone'), oktaTotp('00uo', 'osto')],
      '00up': [push('00up', 'opfp', 'P phone')],
    },
    logs: [
      // k: two timeouts then a success, through the browser.
      activate('k1', '00uk', '2024-07-10T10:00:00.000Z', { factorTargets: [['opfk', 'Okta Verify']], requestUri: '/idp/idx/challenge/poll', ...timeout }),
      activate('k2', '00uk', '2024-07-10T10:05:00.000Z', { factorTargets: [['opfk', 'Okta Verify']], requestUri: '/idp/idx/challenge/poll', ...timeout }),
      activate('k3', '00uk', '2024-07-10T10:09:00.000Z', { factorTargets: [['opfk', 'Okta Verify']], requestUri: '/idp/idx/challenge/poll' }),
      // l: one retry only: below both thresholds.
      activate('l1', '00ul', '2024-07-11T10:00:00.000Z', { factorTargets: [['opfl', 'Okta Verify']], ...timeout }),
      activate('l2', '00ul', '2024-07-11T10:02:00.000Z', { factorTargets: [['opfl', 'Okta Verify']] }),
      // m: two failures on an Okta Verify enrollment that no longer exists.
      activate('m1', '00um', '2024-07-12T10:00:00.000Z', { factorTargets: [['opfgone', 'Okta Verify']], ...timeout }),
      activate('m2', '00um', '2024-07-13T10:00:00.000Z', { factorTargets: [['opfgone', 'Okta Verify']], ...timeout }),
      // n: SMS activations are not push enrollments.
      activate('n1', '00un', '2024-07-14T10:00:00.000Z', { factorTargets: [['smsn', 'Phone']], ...timeout }),
      activate('n2', '00un', '2024-07-14T10:01:00.000Z', { factorTargets: [['smsn', 'Phone']], ...timeout }),
      activate('n3', '00un', '2024-07-14T10:02:00.000Z', { factorTargets: [['smsn', 'Phone']] }),
      // o: Okta Verify TOTP, a known non-push factor labelled "Okta Verify".
      activate('o1', '00uo', '2024-07-15T10:00:00.000Z', { factorTargets: [['osto', 'Okta Verify']], ...timeout }),
      activate('o2', '00uo', '2024-07-15T10:01:00.000Z', { factorTargets: [['osto', 'Okta Verify']], ...timeout }),
      // p: a script activating push through the Factors API, no enrollment target: the path names the factor.
      ...['p1', 'p2', 'p3'].map((uuid, i) => activate(uuid, '00up', `2024-07-16T10:0${i}:00.000Z`, {
        requestUri: '/api/v1/users/00up/factors/opfp/lifecycle/activate', apiTokenId: '00Tscript', userAgent: 'python-requests/2.31.0',
      })),
      // Other event types are ignored.
      logEvent('x1', 'user.authentication.auth_via_mfa', { targetUserId: '00ul', factorTargets: [['opfl', 'Okta Verify']], published: '2024-07-11T10:03:00.000Z' }),
    ],
  };

  it('flags users with three or more push activations, or two or more failed ones, and no one else', async () => {
    const id = await writeSnapshot(db, fixture);
    const { results, findings } = run(db, id, [REPEATED]);
    expect(results).toEqual([{ ruleId: REPEATED, status: 'evaluated', findings: 3 }]);
    expect(keys(findings)).toEqual([
      `${REPEATED} user:00uk user:00uk medium`,
      `${REPEATED} user:00um user:00um medium`,
      `${REPEATED} user:00up user:00up medium`,
    ]);
    const [k, m, p] = findings;
    expect(k?.evidence).toBe(
      '3 Okta Verify push enrollment attempts between 2024-07-10T10:00:00.000Z and 2024-07-10T10:09:00.000Z ' +
      '(log window 2024-07-01T00:00:00.000Z to 2024-08-01T00:00:00.000Z), 2 failed: "Okta Verify activation timed out"; ' +
      `via user agent ${BROWSER_UA}.`,
    );
    expect(k?.details).toMatchObject({ attempts: 3, failedAttempts: 2 });
    expect(m?.details).toMatchObject({ attempts: 2, failedAttempts: 2 });
    expect(p?.evidence).toContain('3 Okta Verify push enrollment attempts');
    expect(p?.evidence).toContain('0 failed; via API token 00Tscript and user agent python-requests/2.31.0.');
  });
});
