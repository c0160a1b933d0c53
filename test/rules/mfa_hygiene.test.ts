import type { Db } from '../../src/store/db.js';
import { keys, run, tempDb, writeSnapshot, type SnapshotFixture } from './helpers.js';
import { call, email, oktaTotp, push, question, sms, user, webauthn } from './okta_json.js';

const NONE = 'user_active_without_active_factor';
const WEAK = 'user_weak_factors_only';

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(async () => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

function fixture(pipeline: 'idx' | 'v1'): SnapshotFixture {
  const u3 = user('00u3', 'strong@example.com');
  const u7 = user('00u7', 'mixed@example.com');
  return {
    org: { pipeline },
    users: [
      user('00u1', 'nothing@example.com', { lastLogin: '2024-06-01T00:00:00.000Z' }),
      user('00u2', 'pending.only@example.com', { lastLogin: null }),
      u3,
      user('00u4', 'suspended@example.com', { status: 'SUSPENDED' }),
      user('00u5', 'unread@example.com'),
      user('00u6', 'sms.email@example.com'),
      u7,
      user('00u8', 'question@example.com', { status: 'PASSWORD_EXPIRED' }),
      user('00u9', 'gone@example.com', { status: 'DEPROVISIONED' }),
      user('00u10', 'voice@example.com'),
      user('00u11', 'email.only@example.com'),
      user('00u12', 'key@example.com'),
    ],
    factors: {
      '00u1': [],
      '00u2': [push('00u2', 'opf2', null, { status: 'PENDING_ACTIVATION', lastVerified: null })],
      '00u3': [push(u3, 'opf3', 'iPhone'), oktaTotp(u3, 'ost3')],
      '00u4': [],
      '00u5': null,
      '00u6': [sms('sms6'), email('emf6', 'sms.email@example.com')],
      '00u7': [sms('sms7'), push(u7, 'opf7', 'Pixel')],
      '00u8': [question('ufs8')],
      '00u9': [sms('sms9')],
      '00u10': [call('clf10'), sms('sms10', 'PENDING_ACTIVATION'), webauthn('fwf10', 'INACTIVE')],
      '00u11': [email('emf11', 'email.only@example.com')],
      '00u12': [webauthn('fwf12')],
    },
  };
}

describe('MFA Hygiene', () => {
  it('finds ACTIVE users with no ACTIVE factor, and users with only weak factors', async () => {
    const id = await writeSnapshot(db, fixture('v1'));
    const { results, findings } = run(db, id, [NONE, WEAK]);
    expect(results).toEqual([
      { ruleId: NONE, status: 'evaluated', findings: 2 },
      { ruleId: WEAK, status: 'evaluated', findings: 4 },
    ]);
    expect(keys(findings)).toEqual([
      `${NONE} user:00u1 user:00u1 medium`,
      `${NONE} user:00u2 user:00u2 low`,
      `${WEAK} user:00u10 user:00u10 medium`,
      `${WEAK} user:00u11 user:00u11 medium`,
      `${WEAK} user:00u6 user:00u6 medium`,
      `${WEAK} user:00u8 user:00u8 medium`,
    ]);
    const by = (rule: string, userId: string) => findings.find((f) => f.rule_id === rule && f.user_id === userId);
    expect(by(NONE, '00u1')?.evidence).toBe('ACTIVE user with no ACTIVE factor (no factor at all); last signed in 2024-06-01T00:00:00.000Z (61 days before the snapshot).');
    expect(by(NONE, '00u2')?.evidence).toBe('ACTIVE user with no ACTIVE factor (1 factor in other states: push PENDING_ACTIVATION); never signed in.');
    expect(by(WEAK, '00u6')?.evidence).toBe('ACTIVE user whose only active factors are email and sms (2 factors); no Okta Verify, WebAuthn or OTP factor.');
    expect(by(WEAK, '00u8')?.evidence).toBe('PASSWORD_EXPIRED user whose only active factors are question (1 factor); no Okta Verify, WebAuthn or OTP factor.');
    expect(by(WEAK, '00u10')?.details).toMatchObject({ activeFactorTypes: ['call'] });
  });

  it('on Identity Engine, points out that an email-only user has no real second factor', async () => {
    const id = await writeSnapshot(db, fixture('idx'));
    const { findings } = run(db, id, [NONE, WEAK]);
    expect(findings.find((f) => f.user_id === '00u11')?.evidence).toBe(
      'ACTIVE user whose only active factors are email (1 factor); no Okta Verify, WebAuthn or OTP factor; on Identity Engine the email factor ' +
      'is the verified primary email, so this user has no real second factor.',
    );
    expect(findings.find((f) => f.user_id === '00u1')?.evidence).toMatch(/on Identity Engine not even a verified email factor is listed\.$/);
  });
});
