/**
 * Two small orgs written by hand, one per engine, that together touch every rule family: each
 * object is there to trigger (or, next to it, not trigger) one rule, as the comments say. Log
 * events are dated relative to `now` so they fall in a crawl's default 30-day window.
 */
import type { FixtureFile } from '../../src/simulator/org/types.js';
import {
  BROWSER_UA, apiToken, app, brand, domain, email, eventHook, factorsEnrollPolicy, idpDiscoveryPolicy, inlineHook, logEvent,
  oktaTotp, oktaVerifyEnrollment, policyRule, push, question, signInPage, signedNonce, sms, trustedOrigin, u2f, user,
} from '../rules/okta_json.js';

const daysAgo = (now: Date, days: number, minute = 0): string => new Date(now.getTime() - days * 86_400_000 + minute * 60_000).toISOString();

/** Shared by both orgs: integrations and configuration the upgrade touches. */
function integrations(now: Date, pipeline: 'idx' | 'v1') {
  const classic = pipeline === 'idx' ? 'CLASSIC' : undefined;
  const orgDefault = pipeline === 'idx' ? 'ORG_DEFAULT' : undefined;
  return {
    apps: [
      app('0oaportal', 'Customer portal', { name: 'oidc_client', signOnMode: 'BOOKMARK', ...(classic ? { pipeline: classic } : {}) }),
      app('0oahr', 'HR portal', { ...(orgDefault ? { pipeline: orgDefault } : {}) }),
      app('0oaintranet', 'Legacy intranet', { loginRedirectUrl: 'https://intranet.example.com/login', ...(orgDefault ? { pipeline: orgDefault } : {}) }),
      app('0oaold', 'Retired wiki', { status: 'INACTIVE', ...(classic ? { pipeline: classic } : {}) }),
    ],
    brands: [brand('bndacme', 'Acme', true), brand('bndpartner', 'Partners')],
    signInPages: { bndacme: signInPage(pipeline === 'v1' ? '5.8' : '^7'), ...(pipeline === 'idx' ? { bndpartner: signInPage('5.10') } : {}) },
    domains: [domain('OcDlogin', 'login.example.com', 'bndacme')],
    trustedOrigins: [
      trustedOrigin('tosportal', 'Customer portal', 'https://portal.example.com', ['CORS', 'REDIRECT']),
      trustedOrigin('tosintra', 'Intranet', 'https://intranet.example.com', ['REDIRECT']),
      trustedOrigin('tosold', 'Old site', 'https://old.example.com', ['CORS'], 'INACTIVE'),
    ],
    inlineHooks: [
      inlineHook('calreg', 'Registration screening', 'com.okta.user.pre-registration'),
      inlineHook('caltok', 'Token claims', 'com.okta.oauth2.tokens.transform'),
    ],
    eventHooks: [
      eventHook('whodt', 'Device Trust SIEM forwarder', ['user.authentication.authenticate', 'user.credential.enroll']),
      eventHook('whohr', 'HR lifecycle sync', ['user.lifecycle.activate']),
    ],
    apiTokens: [apiToken('00Tscript', 'Legacy MFA script', '00ugone'), apiToken('00Tmobile', 'Mobile backend', '00uadmin')],
    logs: [
      // Repeated Okta Verify activation: three failures, then success (alice's first push).
      ...[0, 1, 2].map((k) => logEvent(`log-retry-${k}`, 'user.mfa.factor.activate', {
        published: daysAgo(now, 5, k), requestUri: '/api/v1/users/00ualice/factors/opfalice1/lifecycle/activate', targetUserId: '00ualice',
        factorTargets: [['opfalice1', 'Okta Verify']], apiTokenId: '00Tscript', userAgent: 'python-requests/2.31.0', outcome: 'FAILURE', reason: 'Okta Verify activation timed out',
      })),
      logEvent('log-retry-ok', 'user.mfa.factor.activate', {
        published: daysAgo(now, 5, 3), requestUri: '/api/v1/users/00ualice/factors/opfalice1/lifecycle/activate', targetUserId: '00ualice',
        factorTargets: [['opfalice1', 'Okta Verify']], apiTokenId: '00Tscript', userAgent: 'python-requests/2.31.0',
      }),
      // The mobile backend signs users in with the Authentication API and asks for cookie tokens.
      logEvent('log-authn', 'user.session.start', { published: daysAgo(now, 4), requestUri: '/api/v1/authn', targetUserId: '00ubob', apiTokenId: '00Tmobile', userAgent: 'okhttp/4.12.0' }),
      logEvent('log-cookie', 'user.session.start', {
        published: daysAgo(now, 4, 1), requestUri: '/api/v1/sessions', url: '/api/v1/sessions?additionalFields=cookieToken', targetUserId: '00ubob',
        apiTokenId: '00Tmobile', userAgent: 'okhttp/4.12.0',
      }),
      // A single-page app signs users out through /sessions/me from the browser.
      logEvent('log-me', 'user.session.end', { published: daysAgo(now, 3), requestUri: '/api/v1/sessions/me', targetUserId: '00udave', userAgent: BROWSER_UA }),
      // Automation switching SMS off for the whole org.
      logEvent('log-orgfactor', 'system.mfa.factor.deactivate', {
        published: daysAgo(now, 2), requestUri: '/api/v1/org/factors/okta_sms/lifecycle/deactivate', apiTokenId: '00Tscript', userAgent: 'python-requests/2.31.0',
      }),
      ...(pipeline === 'v1'
        // Classic Device Trust at work.
        ? [logEvent('log-dt-1', 'user.authentication.authenticate', { published: daysAgo(now, 6), requestUri: '/sso/devicetrust/verify', targetUserId: '00ubob' }),
          logEvent('log-dt-2', 'user.credential.enroll', { published: daysAgo(now, 1), requestUri: '/api/v1/users/me/devicetrust/enroll', targetUserId: '00ucarol' })]
        : []),
    ],
  };
}

/** A Classic Engine org: anomalies in the Factors API, Classic policies, Classic-only integrations. */
export function classicOrg(now: Date): FixtureFile {
  return served({ ...classicObjects(), ...integrations(now, 'v1') });
}

/** Builders return plain JSON objects; the simulator checks the fixture's shape when it loads it. */
const served = (o: object): FixtureFile => o as unknown as FixtureFile;

function classicObjects(): object {
  const alice = user('00ualice', 'alice@acme.example');
  const bob = user('00ubob', 'bob@acme.example');
  const carol = user('00ucarol', 'carol@acme.example', { recoveryQuestion: true });
  return {
    org: { id: '00oclassic00000000001', pipeline: 'v1' },
    users: [
      user('00uadmin', 'admin@acme.example'),
      alice, bob, carol,
      user('00udave', 'dave@acme.example'),
      user('00uerin', 'erin@acme.example'),
      user('00ugone', 'gone@acme.example', { status: 'DEPROVISIONED', lastLogin: null }),
      user('00ustaged', 'new.hire@acme.example', { status: 'STAGED', lastLogin: null }),
    ],
    factors: {
      '00uadmin': [push('00uadmin', 'opfadmin', 'Admin iPhone'), oktaTotp('00uadmin', 'ostadmin')],
      // Two Okta Verify devices: more than Classic allows.
      '00ualice': [push(alice, 'opfalice1', 'iPhone 15'), push(alice, 'opfalice2', 'Pixel 8', { platform: 'ANDROID', created: '2024-03-01T00:00:00.000Z' })],
      // The same phone registered twice, plus two abandoned activations.
      '00ubob': [
        push(bob, 'opfbob1', 'Bob iPhone', { created: '2022-01-01T00:00:00.000Z', lastVerified: '2022-06-01T00:00:00.000Z' }),
        push(bob, 'opfbob2', 'Bob iPhone', { created: '2024-02-01T00:00:00.000Z' }),
        push(bob, 'opfbob3', null, { status: 'PENDING_ACTIVATION', created: '2024-05-01T00:00:00.000Z' }),
        push(bob, 'opfbob4', null, { status: 'PENDING_ACTIVATION', created: '2024-05-02T00:00:00.000Z' }),
      ],
      // A U2F key (Classic-only factor type) and a FastPass row a Classic org should not have.
      '00ucarol': [u2f('fufcarol'), signedNonce(carol, 'snfcarol', 'Carol laptop'), question('ufscarol')],
      // Only SMS: weak on its own.
      '00udave': [sms('smsdave')],
      // erin has no factor at all.
      '00ustaged': [],
    },
    policies: [
      factorsEnrollPolicy('00pdefault', 'Default Policy', { okta_password: 'REQUIRED', okta_push: 'OPTIONAL', okta_sms: 'OPTIONAL', okta_email: 'OPTIONAL' }, { system: true }),
      idpDiscoveryPolicy('00pidp'),
    ],
    policyRules: {
      '00pdefault': [
        policyRule('0prkiosk', 'Do not enroll kiosk accounts', { enroll: { self: 'NEVER' } }),
        policyRule('0prdef', 'Default Rule', { enroll: { self: 'CHALLENGE' } }, { priority: 99, system: true }),
      ],
      '00pidp': [
        policyRule('0priwa', 'IWA on the corporate network', { idp: { providers: [{ type: 'IWA', id: '0oaiwa' }] } }, { type: 'IDP_DISCOVERY' }),
        policyRule('0prokta', 'Default Rule', { idp: { providers: [{ type: 'OKTA' }] } }, { type: 'IDP_DISCOVERY', priority: 2, system: true }),
      ],
    },
  };
}

/** An Identity Engine org after the upgrade: FastPass, several Okta Verify devices, leftovers of Classic. */
export function identityEngineOrg(now: Date): FixtureFile {
  return served({ ...identityEngineObjects(), ...integrations(now, 'idx') });
}

function identityEngineObjects(): object {
  const alice = user('00ualice', 'alice@acme.example');
  const bob = user('00ubob', 'bob@acme.example');
  const carol = user('00ucarol', 'carol@acme.example');
  return {
    org: { id: '00oidx000000000000001', pipeline: 'idx' },
    users: [
      user('00uadmin', 'admin@acme.example'),
      alice, bob, carol,
      user('00udave', 'dave@acme.example'),
      user('00ugone', 'gone@acme.example', { status: 'DEPROVISIONED', lastLogin: null }),
    ],
    factors: {
      '00uadmin': [push('00uadmin', 'opfadmin', 'Admin iPhone'), oktaTotp('00uadmin', 'ostadmin'), email('emfadmin', 'admin@acme.example')],
      // FastPass on one device, and a second device only the enrollments API shows.
      '00ualice': [push(alice, 'opfalice1', 'iPhone 15'), oktaTotp(alice, 'ostalice'), signedNonce(alice, 'snfalice', 'iPhone 15', { platform: 'IOS', deviceType: 'SmartPhone_IPhone' }), email('emfalice', 'alice@acme.example')],
      '00ubob': [push(bob, 'opfbob1', 'Bob iPhone'), email('emfbob', 'bob@acme.example')],
      '00ucarol': [u2f('fufcarol'), email('emfcarol', 'carol@acme.example')],
      // Only SMS and the verified email that Identity Engine lists as a factor.
      '00udave': [sms('smsdave'), email('emfdave', 'dave@acme.example')],
    },
    authenticatorEnrollments: {
      '00ualice': [oktaVerifyEnrollment('pfdalice1', 'iPhone 15'), oktaVerifyEnrollment('pfdalice2', 'Work iPad', 'IOS', '2024-06-01T00:00:00.000Z')],
      '00ubob': [
        oktaVerifyEnrollment('pfdbob1', 'Bob iPhone'),
        // Okta documents no device fields for okta_verify enrollments: this one names it only in a nickname.
        { ...oktaVerifyEnrollment('pfdbob2', null), nickname: 'Bob old Android' },
      ],
    },
    policies: [factorsEnrollPolicy('00pdefault', 'Default Policy', { okta_password: 'REQUIRED', okta_push: 'OPTIONAL', okta_email: 'OPTIONAL' }, { system: true, withType: true })],
    policyRules: { '00pdefault': [policyRule('0prdef', 'Default Rule', { enroll: { self: 'CHALLENGE' } }, { priority: 99, system: true })] },
  };
}
