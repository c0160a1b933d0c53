import type { Db } from '../../src/store/db.js';
import { keys, run, tempDb, writeSnapshot, type SnapshotFixture } from './helpers.js';
import {
  apiToken, authenticatorsEnrollPolicy, eventHook, factorsEnrollPolicy, idpDiscoveryPolicy, policyRule, push, sms, u2f, user, webauthn,
} from './okta_json.js';

const PIPELINE = 'org_pipeline_classic_engine';
const FORMAT = 'policy_mfa_enroll_factors_format';
const U2F = 'factor_u2f_classic_only';
const HOOKS = 'eventhook_classic_only_events';
const TOKENS = 'apitoken_owner_not_active';
const IWA = 'policy_idp_discovery_iwa_routing';
const EMAIL = 'policy_mfa_enroll_email_optional';
const NEVER = 'policy_mfa_enroll_rule_do_not_enroll';
const ALL = [IWA, HOOKS, TOKENS, EMAIL, NEVER, FORMAT, U2F, PIPELINE];

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(async () => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

function fixture(pipeline: 'idx' | 'v1'): SnapshotFixture {
  const admin = user('00uadm', 'admin@example.com');
  return {
    org: { id: '00o1acme', pipeline },
    users: [
      admin,
      user('00ugone', 'left@example.com', { status: 'DEPROVISIONED', lastLogin: null }),
      user('00usus', 'suspended.admin@example.com', { status: 'SUSPENDED' }),
      user('00ukey', 'key.user@example.com'),
      user('00ukey2', 'key.and.webauthn@example.com'),
    ],
    factors: {
      '00uadm': [push(admin, 'opfadm', 'Admin iPhone')],
      '00ukey': [u2f('fufkey'), sms('smskey')],
      '00ukey2': [u2f('fufkey2'), webauthn('fwfkey2')],
    },
    policies: [
      authenticatorsEnrollPolicy('00pcontract', 'Contractors', { okta_verify: 'REQUIRED', okta_email: 'OPTIONAL' }, 1),
      factorsEnrollPolicy('00pdefault', 'Default Policy', {
        okta_password: 'REQUIRED', okta_sms: 'REQUIRED', okta_push: 'OPTIONAL', okta_otp: 'OPTIONAL', okta_email: 'OPTIONAL',
        fido_u2f: 'OPTIONAL', rsa_token: 'OPTIONAL', yubikey_token: 'NOT_ALLOWED', duo: 'NOT_ALLOWED',
      }, { system: true, priority: 2, withType: pipeline === 'idx' }),
      idpDiscoveryPolicy('00pidp'),
    ],
    policyRules: {
      '00pcontract': [policyRule('0prc', 'Enroll at sign-in', { enroll: { self: 'CHALLENGE' } })],
      '00pdefault': [
        policyRule('0prkiosk', 'Do not enroll kiosk accounts', { enroll: { self: 'NEVER' } }, { conditions: { network: { connection: 'ZONE', include: ['nzokiosk'] } } }),
        policyRule('0prdef', 'Default Rule', { enroll: { self: 'CHALLENGE' } }, { priority: 99, system: true }),
      ],
      '00pidp': [
        policyRule('0priwa', 'IWA on the corporate network', { idp: { providers: [{ type: 'IWA', id: '0oaiwa' }], idpSelectionType: 'SPECIFIC' } }, { type: 'IDP_DISCOVERY' }),
        policyRule('0prdss', 'Agentless DSSO', { idp: { providers: [{ type: 'AgentlessDSSO', id: '0oadsso' }] } }, { type: 'IDP_DISCOVERY', priority: 2, status: 'INACTIVE' }),
        policyRule('0prokta', 'Default Rule', { idp: { providers: [{ type: 'OKTA' }] } }, { type: 'IDP_DISCOVERY', priority: 3, system: true }),
      ],
    },
    eventHooks: [
      eventHook('whodt', 'Device Trust SIEM forwarder', ['user.authentication.authenticate', 'user.credential.enroll']),
      eventHook('whomfa', 'MFA change alerts', ['user.mfa.factor.activate', 'user.mfa.okta_verify.deny_push']),
      eventHook('whohr', 'HR lifecycle sync', ['user.lifecycle.activate', 'group.user_membership.add']),
      eventHook('whounl', 'Unlock notifier', ['user.account.unlock_token'], 'INACTIVE'),
    ],
    apiTokens: [
      apiToken('00Tok', 'Terraform', '00uadm'),
      apiToken('00Tgone', 'Legacy MFA enrollment script', '00ugone'),
      apiToken('00Tsus', 'Mobile app sign-in backend', '00usus'),
      apiToken('00Tlost', 'Kiosk sign-in service', '00udeleted'),
    ],
  };
}

describe('Classic-only Workflows on a Classic Engine org', () => {
  it('find exactly the Classic-only items', async () => {
    const id = await writeSnapshot(db, fixture('v1'));
    const { results, findings } = run(db, id, ALL);
    expect(results.every((r) => r.status === 'evaluated')).toBe(true);
    expect(keys(findings)).toEqual([
      `${PIPELINE} org:00o1acme user:- info`,
      `${FORMAT} policy:00pdefault user:- low`,
      `${U2F} user:00ukey user:00ukey medium`,
      `${U2F} user:00ukey2 user:00ukey2 low`,
      `${HOOKS} event_hook:whodt user:- high`,
      `${HOOKS} event_hook:whomfa user:- high`,
      `${HOOKS} event_hook:whounl user:- low`,
      `${TOKENS} api_token:00Tgone user:00ugone high`,
      `${TOKENS} api_token:00Tsus user:00usus high`,
      `${TOKENS} api_token:00Tlost user:00udeleted high`,
      `${IWA} policy_rule:0priwa user:- critical`,
      `${IWA} policy_rule:0prdss user:- high`,
      `${EMAIL} policy:00pdefault user:- high`,
      `${NEVER} policy_rule:0prkiosk user:- medium`,
    ].sort());

    const text = (rule: string, subject: string): string => findings.find((f) => f.rule_id === rule && f.subject_id === subject)?.evidence ?? '';
    expect(text(PIPELINE, '00o1acme')).toMatch(/^The org http:\/\/127\.0\.0\.1:\d+ \(00o1acme\) runs Classic Engine: \/\.well-known\/okta-organization reported pipeline "v1" on 2024-08-01T00:00:00\.000Z\.$/);
    expect(text(FORMAT, '00pdefault')).toBe(
      'Expected on Classic Engine, and it stays in this format after the upgrade until saved: MFA_ENROLL policy "Default Policy" ' +
      '(00pdefault, ACTIVE, default policy) uses settings.factors: fido_u2f OPTIONAL → webauthn, okta_email OPTIONAL → okta_email, ' +
      'okta_otp OPTIONAL → okta_verify, okta_password REQUIRED → okta_password, okta_push OPTIONAL → okta_verify, okta_sms REQUIRED → phone_number ' +
      'and rsa_token OPTIONAL → no authenticator key (2 more not allowed); rsa_token must be set up again by hand.',
    );
    const mapping = findings.find((f) => f.rule_id === FORMAT)?.details['mapping'] as Array<{ factorKey: string; authenticatorKey: string | null }>;
    expect(mapping.find((m) => m.factorKey === 'yubikey_token')).toMatchObject({ authenticatorKey: null });
    expect(text(U2F, '00ukey')).toBe(
      'Classic-only workflow on a Classic Engine org: FIDO U2F factor fufkey (ACTIVE, U2F_V2, created 2021-03-01T00:00:00.000Z, never verified); ' +
      'the user has no active WebAuthn factor to fall back on.',
    );
    expect(text(HOOKS, 'whodt')).toBe(
      'Event hook "Device Trust SIEM forwarder" (whodt, ACTIVE) subscribes to user.authentication.authenticate (Classic Device Trust only, not triggered in Identity Engine) ' +
      'and user.credential.enroll (Classic Device Trust only, not triggered in Identity Engine): it will stop receiving them after the upgrade.',
    );
    expect(text(HOOKS, 'whomfa')).toContain('user.mfa.okta_verify.deny_push (emitted only for Classic v1 API calls');
    expect(text(TOKENS, '00Tgone')).toBe(
      'API token "Legacy MFA enrollment script" (00Tgone, client "Okta API", expires 2024-09-01T00:00:00.000Z) acts as left@example.com (00ugone), whose status is DEPROVISIONED.',
    );
    expect(text(TOKENS, '00Tlost')).toBe(
      'API token "Kiosk sign-in service" (00Tlost, client "Okta API", expires 2024-09-01T00:00:00.000Z) acts as user 00udeleted, ' +
      'who is not among the 5 users of this snapshot (deleted, or not listed by the crawl).',
    );
    expect(text(IWA, '0priwa')).toBe(
      'Upgrade blocker on a Classic Engine org: routing rule "IWA on the corporate network" (0priwa, ACTIVE, priority 1) in policy "Idp Discovery Policy" (00pidp) routes to IWA (0oaiwa).',
    );
    expect(text(EMAIL, '00pdefault')).toBe(
      'Upgrade blocker on a Classic Engine org: MFA_ENROLL policy "Default Policy" (00pdefault, ACTIVE, default policy) sets settings.factors.okta_email.enroll.self to OPTIONAL.',
    );
    expect(text(NEVER, '0prkiosk')).toBe(
      'Upgrade consent item on a Classic Engine org: rule "Do not enroll kiosk accounts" (0prkiosk, ACTIVE, priority 1) of MFA_ENROLL policy "Default Policy" (00pdefault) sets actions.enroll.self to NEVER ("Do not enroll").',
    );
    expect(findings.find((f) => f.subject_id === '0prkiosk')?.details['conditions']).toEqual({ network: { connection: 'ZONE', include: ['nzokiosk'] } });
  });

  it('says a missing token owner may be outside a limited user crawl', async () => {
    const id = await writeSnapshot(db, fixture('v1'), { settings: { scope: { usersSearch: 'profile.department eq "IT"', logsSince: null, logsUntil: null } } });
    const { findings } = run(db, id, [TOKENS]);
    const lost = findings.find((f) => f.subject_id === '00Tlost');
    expect(lost?.severity).toBe('medium');
    expect(lost?.evidence).toContain('(deleted, or outside the crawl\'s user search "profile.department eq "IT"")');
  });
});

describe('Classic-only Workflows on an Identity Engine org', () => {
  it('report stale Classic leftovers and skip the pre-upgrade blockers', async () => {
    const id = await writeSnapshot(db, fixture('idx'));
    const { results, findings } = run(db, id, ALL);
    expect(results.filter((r) => r.status === 'not_applicable').map((r) => r.ruleId)).toEqual([IWA, EMAIL, NEVER]);
    expect(keys(findings)).toEqual([
      `${FORMAT} policy:00pdefault user:- medium`,
      `${U2F} user:00ukey user:00ukey medium`,
      `${U2F} user:00ukey2 user:00ukey2 low`,
      `${HOOKS} event_hook:whodt user:- high`,
      `${HOOKS} event_hook:whomfa user:- high`,
      `${HOOKS} event_hook:whounl user:- low`,
      `${TOKENS} api_token:00Tgone user:00ugone high`,
      `${TOKENS} api_token:00Tsus user:00usus high`,
      `${TOKENS} api_token:00Tlost user:00udeleted high`,
    ].sort());
    expect(findings.find((f) => f.rule_id === FORMAT)?.evidence).toMatch(/^Stale on Identity Engine, never converted to authenticators: MFA_ENROLL policy "Default Policy"/);
    expect(findings.find((f) => f.subject_id === 'whodt')?.evidence).toMatch(/on Identity Engine it no longer receives them\.$/);
  });
});
