import type { Db } from '../../src/store/db.js';
import { keys, run, tempDb, writeSnapshot, type SnapshotFixture } from './helpers.js';
import { oktaTotp, push, signedNonce, sms, user } from './okta_json.js';

const RULE = 'factor_signed_nonce_admin_console_only';

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(async () => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

const fixture = (pipeline: 'idx' | 'v1'): SnapshotFixture => ({
  org: { pipeline },
  users: [user('00u1', 'ann@example.com'), user('00u2', 'bob@example.com', { status: 'SUSPENDED' }), user('00u3', 'cat@example.com')],
  factors: {
    // The Okta Verify trio on one phone.
    '00u1': [
      push('00u1', 'opf1', 'Ann iPhone'),
      oktaTotp('00u1', 'ost1'),
      signedNonce('00u1', 'snf1', 'Ann iPhone', { platform: 'IOS', deviceType: 'SmartPhone_IPhone', created: '2024-01-15T18:01:28.000Z' }),
    ],
    // A desktop FastPass enrollment: no push on Windows.
    '00u2': [signedNonce('00u2', 'snf2', 'DESKTOP-7Q2', { created: '2023-11-07T22:41:14.000Z' })],
    '00u3': [push('00u3', 'opf3', 'Cat Pixel', { platform: 'ANDROID' }), sms('sms3')],
  },
});

describe(RULE, () => {
  it('reports every signed_nonce factor on Identity Engine as Admin Console work, with device, platform, created and factor id', async () => {
    const id = await writeSnapshot(db, fixture('idx'));
    const { results, findings } = run(db, id, [RULE]);
    expect(results).toEqual([{ ruleId: RULE, status: 'evaluated', findings: 2 }]);
    expect(keys(findings)).toEqual([`${RULE} user:00u1 user:00u1 medium`, `${RULE} user:00u2 user:00u2 medium`]);
    const [ann, bob] = findings;
    expect(ann?.evidence).toBe(
      'Expected on Identity Engine, to be handled in the Admin Console: signed_nonce factor snf1 on device "Ann iPhone" (IOS, SmartPhone_IPhone), ' +
      'created 2024-01-15T18:01:28.000Z (198 days before the snapshot), status ACTIVE; deleting it through the Factors API would also delete ' +
      "the user's 1 push factor and 1 Okta Verify TOTP factor.",
    );
    expect(ann?.user_login).toBe('ann@example.com');
    expect(ann?.details).toMatchObject({ factorId: 'snf1', deviceName: 'Ann iPhone', platform: 'IOS', keyCount: 2, pushFactors: 1, oktaVerifyTotpFactors: 1 });
    expect(bob?.evidence).toContain('signed_nonce factor snf2 on device "DESKTOP-7Q2" (WINDOWS, Tablet_Windows), created 2023-11-07T22:41:14.000Z');
    expect(bob?.evidence).toContain("the user's 0 push factors and 0 Okta Verify TOTP factors");
    expect(bob?.user_status).toBe('SUSPENDED');
  });

  it('calls a signed_nonce factor on a Classic Engine org an anomaly', async () => {
    const id = await writeSnapshot(db, fixture('v1'));
    const { findings } = run(db, id, [RULE]);
    expect(keys(findings)).toEqual([`${RULE} user:00u1 user:00u1 high`, `${RULE} user:00u2 user:00u2 high`]);
    expect(findings[0]?.evidence).toMatch(/^Anomaly on a Classic Engine org: signed_nonce factor snf1 .* signed_nonce exists only in Identity Engine, and deleting it/);
  });

  it('the recommendation says not to use the Factors API and where to act instead', async () => {
    const { rule } = await import('../../src/rules/signed_nonce/factor_signed_nonce_admin_console_only.js');
    expect(rule.meta.recommendation).toMatch(/Do not remove it with the Factors API/);
    expect(rule.meta.recommendation).toMatch(/also removes the user's push and TOTP factors/);
    expect(rule.meta.recommendation).toMatch(/Directory > Devices, deactivate and then delete the device/);
    expect(rule.meta.recommendation).toMatch(/Authenticators tab/);
  });
});
