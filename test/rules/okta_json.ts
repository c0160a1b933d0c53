/**
 * Okta objects shaped as the API serves them (okta-api-facts §2), for rule tests. Every builder
 * returns plain JSON, so the same objects can go into a simulator fixture file.
 */
import type { RawObject } from '../../src/store/types.js';

export const ORG_URL = 'https://acme.okta.com';

export interface UserOpts {
  status?: string;
  lastLogin?: string | null;
  email?: string | null;
  recoveryQuestion?: boolean;
}

export function user(id: string, login: string, opts: UserOpts = {}): RawObject {
  const credentials: RawObject = { password: {}, provider: { type: 'OKTA', name: 'OKTA' } };
  if (opts.recoveryQuestion) credentials['recovery_question'] = { question: "What's my childhood elementary school?" };
  return {
    id,
    status: opts.status ?? 'ACTIVE',
    created: '2023-01-10T09:00:00.000Z',
    activated: '2023-01-10T09:00:01.000Z',
    statusChanged: '2023-01-10T09:00:01.000Z',
    lastLogin: opts.lastLogin === undefined ? '2024-07-01T10:00:00.000Z' : opts.lastLogin,
    lastUpdated: '2024-04-01T08:00:00.000Z',
    passwordChanged: '2023-01-10T09:00:01.000Z',
    type: { id: 'oty1162QAr8hJjTaq0g4' },
    profile: { login, firstName: 'Test', lastName: id, email: opts.email === undefined ? login : opts.email, mobilePhone: null },
    credentials,
    _links: { self: { href: `${ORG_URL}/api/v1/users/${id}` } },
  };
}

export interface DeviceOpts {
  status?: string;
  platform?: string;
  deviceType?: string;
  credentialId?: string;
  created?: string;
  lastUpdated?: string;
  lastVerified?: string | null;
}

function links(userId: string, id: string, status: string): RawObject {
  const self = `${ORG_URL}/api/v1/users/${userId}/factors/${id}`;
  return status === 'PENDING_ACTIVATION'
    ? { activate: { href: `${self}/lifecycle/activate`, hints: { allow: ['POST'] } }, self: { href: self, hints: { allow: ['GET'] } } }
    : { verify: { href: `${self}/verify`, hints: { allow: ['POST'] } }, self: { href: self, hints: { allow: ['GET', 'DELETE'] } } };
}

/** A user object or its id; Okta fills Okta Verify credential ids with the login (spec example). */
export type Owner = RawObject | string;

function ownerOf(owner: Owner): { userId: string; login: string } {
  if (typeof owner === 'string') return { userId: owner, login: `${owner}@example.com` };
  const profile = owner['profile'] as { login?: unknown } | undefined;
  return { userId: String(owner['id']), login: typeof profile?.login === 'string' ? profile.login : `${String(owner['id'])}@example.com` };
}

/** An Okta Verify push factor; a PENDING_ACTIVATION one has no device profile yet. */
export function push(owner: Owner, id: string, deviceName: string | null, opts: DeviceOpts = {}): RawObject {
  const { userId, login } = ownerOf(owner);
  const status = opts.status ?? 'ACTIVE';
  const f: RawObject = {
    id, factorType: 'push', provider: 'OKTA', vendorName: 'OKTA', status,
    created: opts.created ?? '2024-01-15T18:01:28.000Z', lastUpdated: opts.lastUpdated ?? opts.created ?? '2024-01-15T18:01:28.000Z',
    _links: links(userId, id, status),
  };
  if (opts.lastVerified !== null) f['lastVerified'] = opts.lastVerified ?? '2024-07-20T08:00:00.000Z';
  if (status !== 'PENDING_ACTIVATION' || deviceName !== null) {
    f['profile'] = {
      credentialId: opts.credentialId ?? login, deviceType: opts.deviceType ?? 'SmartPhone_IPhone',
      name: deviceName, platform: opts.platform ?? 'IOS', version: '17.5',
    };
  }
  return f;
}

export function signedNonce(owner: Owner, id: string, deviceName: string, opts: DeviceOpts = {}): RawObject {
  const { userId, login } = ownerOf(owner);
  return {
    id, factorType: 'signed_nonce', provider: 'OKTA', vendorName: 'OKTA', status: opts.status ?? 'ACTIVE',
    created: opts.created ?? '2023-11-07T22:41:14.000Z', lastUpdated: opts.lastUpdated ?? opts.created ?? '2023-11-07T22:41:14.000Z',
    profile: {
      credentialId: opts.credentialId ?? login, deviceType: opts.deviceType ?? 'Tablet_Windows', name: deviceName,
      platform: opts.platform ?? 'WINDOWS', version: '10.0.19045.3570',
      keys: [
        { kty: 'RSA', use: 'sig', kid: 'default', e: 'AQAB', n: 'sXch', jwkType: 'proofOfPossession' },
        { kty: 'RSA', use: 'sig', kid: 'default', e: 'AQAB', n: 'pZ9k', jwkType: 'userVerification' },
      ],
    },
    _links: { self: { href: `${ORG_URL}/api/v1/users/${userId}/factors/${id}`, hints: { allow: ['GET', 'DELETE'] } } },
  };
}

export function oktaTotp(owner: Owner, id: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'token:software:totp', provider: 'OKTA', vendorName: 'OKTA', status, created: '2024-01-15T18:01:28.000Z', lastUpdated: '2024-01-15T18:01:28.000Z', profile: { credentialId: ownerOf(owner).login } };
}

export function sms(id: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'sms', provider: 'OKTA', vendorName: 'OKTA', status, created: '2022-05-01T00:00:00.000Z', lastUpdated: '2022-05-01T00:00:00.000Z', profile: { phoneNumber: '+1-555-415-1337' } };
}

export function call(id: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'call', provider: 'OKTA', vendorName: 'OKTA', status, profile: { phoneNumber: '+1-555-415-1337', phoneExtension: '1234' } };
}

export function email(id: string, address: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'email', provider: 'OKTA', vendorName: 'OKTA', status, profile: { email: address } };
}

export function question(id: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'question', provider: 'OKTA', vendorName: 'OKTA', status, profile: { question: 'favorite_art_piece', questionText: 'What is your favorite piece of art?' } };
}

export function u2f(id: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'u2f', provider: 'FIDO', vendorName: 'FIDO', status, created: '2021-03-01T00:00:00.000Z', lastUpdated: '2021-03-01T00:00:00.000Z', profile: { credentialId: 'WVO-QyHEi0eWmTNqESqJynDtIgf3Ix9OfaRoNwLoloso99Xl2zS_O7EXUkmPeAIzTVtEL4dYjicJWBz7NpqhGA', version: 'U2F_V2' } };
}

export function webauthn(id: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'webauthn', provider: 'FIDO', vendorName: 'FIDO', status, profile: { credentialId: 'l3Br0n-7H3g047NqESqJynFtIgf3Ix9OfaRoNwLoloso99Xl2zS_O7EXUkmPeAIzTVtEL4dYjicJWBz7NpqhGA', authenticatorName: 'MacBook Touch ID' } };
}

export function oktaVerifyEnrollment(id: string, deviceName: string | null, platform = 'IOS', created = '2024-01-15T18:01:28.000Z'): RawObject {
  return {
    type: 'app', id, key: 'okta_verify', status: 'ACTIVE', name: 'Okta Verify', nickname: null, created, lastUpdated: created,
    profile: deviceName === null ? {} : { name: deviceName, platform },
    _links: { self: { href: `${ORG_URL}/api/v1/users/x/authenticator-enrollments/${id}` } },
  };
}

export function emailEnrollment(id: string, address: string): RawObject {
  return {
    type: 'email', id, key: 'okta_email', status: 'ACTIVE', name: 'Email', profile: { email: address }, nickname: null,
    created: '2020-07-26T21:05:23.000Z', lastUpdated: '2020-07-28T21:45:52.000Z',
  };
}

/** An MFA_ENROLL policy in the Classic `settings.factors` format. */
export function factorsEnrollPolicy(id: string, name: string, factors: Record<string, string>, opts: { system?: boolean; status?: string; priority?: number; withType?: boolean } = {}): RawObject {
  return {
    id, type: 'MFA_ENROLL', name, description: null, status: opts.status ?? 'ACTIVE', priority: opts.priority ?? 1, system: opts.system ?? false,
    created: '2020-01-01T00:00:00.000Z', lastUpdated: '2020-01-01T00:00:00.000Z',
    conditions: { people: { groups: { include: ['00g1everyone'] } } },
    settings: {
      ...(opts.withType ? { type: 'FACTORS' } : {}),
      factors: Object.fromEntries(Object.entries(factors).map(([k, v]) => [k, { enroll: { self: v }, consent: { type: 'NONE' } }])),
    },
    _links: { self: { href: `${ORG_URL}/api/v1/policies/${id}` }, rules: { href: `${ORG_URL}/api/v1/policies/${id}/rules` } },
  };
}

export function authenticatorsEnrollPolicy(id: string, name: string, authenticators: Record<string, string>, priority = 1): RawObject {
  return {
    id, type: 'MFA_ENROLL', name, status: 'ACTIVE', priority, system: false,
    created: '2024-01-01T00:00:00.000Z', lastUpdated: '2024-02-01T00:00:00.000Z',
    conditions: { people: { groups: { include: ['00g1contractors'] } } },
    settings: { type: 'AUTHENTICATORS', authenticators: Object.entries(authenticators).map(([key, self]) => ({ key, enroll: { self } })) },
  };
}

export function idpDiscoveryPolicy(id: string): RawObject {
  return { id, type: 'IDP_DISCOVERY', name: 'Idp Discovery Policy', status: 'ACTIVE', priority: 1, system: true, conditions: null, created: '2019-01-01T00:00:00.000Z', lastUpdated: '2019-01-01T00:00:00.000Z' };
}

export function policyRule(id: string, name: string, actions: RawObject, opts: { type?: string; priority?: number; system?: boolean; status?: string; conditions?: RawObject | null } = {}): RawObject {
  return {
    id, status: opts.status ?? 'ACTIVE', name, priority: opts.priority ?? 1, system: opts.system ?? false,
    created: '2021-01-01T00:00:00.000Z', lastUpdated: '2021-01-01T00:00:00.000Z',
    conditions: opts.conditions === undefined ? { people: { users: { exclude: [] } }, network: { connection: 'ANYWHERE' } } : opts.conditions,
    actions, type: opts.type ?? 'MFA_ENROLL',
  };
}

export function eventHook(id: string, name: string, items: string[], status = 'ACTIVE'): RawObject {
  return {
    id, status, verificationStatus: 'VERIFIED', name, description: null, created: '2022-01-01T00:00:00.000Z', createdBy: '00uadmin', lastUpdated: '2022-01-01T00:00:00.000Z',
    events: { type: 'EVENT_TYPE', items, filter: null },
    channel: { type: 'HTTP', version: '1.0.0', config: { uri: `https://hooks.example.com/okta/${id}`, headers: [], method: 'POST', authScheme: { type: 'HEADER', key: 'authorization' } } },
  };
}

export function apiToken(id: string, name: string, userId: string): RawObject {
  return {
    name, userId, tokenWindow: 'P30D', network: { connection: 'ANYWHERE' }, id, clientName: 'Okta API',
    expiresAt: '2024-09-01T00:00:00.000Z', created: '2022-06-01T00:00:00.000Z', lastUpdated: '2024-07-01T00:00:00.000Z',
    _links: { self: { href: `${ORG_URL}/api/v1/api-tokens/${id}` }, user: { href: `${ORG_URL}/api/v1/users/${userId}` } },
  };
}

export interface LogOpts {
  published?: string;
  requestUri?: string | null;
  /** debugData.url, the request with its query; defaults to requestUri. */
  url?: string;
  actorId?: string;
  actorLogin?: string;
  targetUserId?: string;
  /** AuthenticatorEnrollment targets: [id, displayName]. */
  factorTargets?: Array<[string, string]>;
  apiTokenId?: string;
  clientId?: string | null;
  userAgent?: string;
  outcome?: string;
  reason?: string | null;
}

export const BROWSER_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36';

export function logEvent(uuid: string, eventType: string, opts: LogOpts = {}): RawObject {
  const target: RawObject[] = [];
  if (opts.targetUserId !== undefined) target.push({ id: opts.targetUserId, type: 'User', alternateId: `${opts.targetUserId}@example.com`, displayName: 'Someone', detailEntry: null });
  for (const [id, displayName] of opts.factorTargets ?? []) target.push({ id, type: 'AuthenticatorEnrollment', alternateId: 'unknown', displayName, detailEntry: null });
  const uri = opts.requestUri === undefined ? null : opts.requestUri;
  const ua = opts.userAgent ?? BROWSER_UA;
  return {
    actor: { id: opts.actorId ?? '00uadmin', type: 'User', alternateId: opts.actorLogin ?? 'admin@example.com', displayName: 'Admin', detailEntry: null },
    client: { userAgent: { rawUserAgent: ua, os: 'Unknown', browser: ua.startsWith('Mozilla/') ? 'CHROME' : 'UNKNOWN' }, zone: null, device: 'Unknown', id: opts.clientId ?? null, ipAddress: '192.0.2.10' },
    authenticationContext: { authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, interface: null, authenticationStep: 0, rootSessionId: 'unknown', externalSessionId: 'unknown' },
    displayMessage: eventType,
    eventType,
    outcome: { result: opts.outcome ?? 'SUCCESS', reason: opts.reason ?? null },
    published: opts.published ?? '2024-07-15T12:00:00.000Z',
    severity: (opts.outcome ?? 'SUCCESS') === 'SUCCESS' ? 'INFO' : 'WARN',
    debugContext: { debugData: uri === null ? { requestId: `r-${uuid}` } : { requestId: `r-${uuid}`, requestUri: uri, url: opts.url ?? uri } },
    legacyEventType: null,
    transaction: { type: 'WEB', id: `r-${uuid}`, detail: opts.apiTokenId === undefined ? {} : { requestApiTokenId: opts.apiTokenId } },
    uuid,
    version: '0',
    target,
  };
}

/** An app as GET /api/v1/apps lists it; `pipeline` is authenticationPipeline (absent on Classic Engine). */
export function app(id: string, label: string, opts: { name?: string; status?: string; signOnMode?: string; pipeline?: 'CLASSIC' | 'ORG_DEFAULT'; loginRedirectUrl?: string } = {}): RawObject {
  const a: RawObject = {
    id, name: opts.name ?? 'bookmark', label, status: opts.status ?? 'ACTIVE', created: '2021-01-01T00:00:00.000Z', lastUpdated: '2024-01-01T00:00:00.000Z',
    accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: opts.loginRedirectUrl ?? null },
    visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { login: true } },
    features: [], signOnMode: opts.signOnMode ?? 'BOOKMARK', credentials: { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' } },
    settings: { app: { requestIntegration: false, url: 'https://app.example.com' } },
    _links: { users: { href: `${ORG_URL}/api/v1/apps/${id}/users` } },
  };
  if (opts.pipeline !== undefined) a['authenticationPipeline'] = opts.pipeline;
  return a;
}

export function brand(id: string, name: string, isDefault = false): RawObject {
  return {
    id, name, isDefault, agreeToCustomPrivacyPolicy: false, removePoweredByOkta: false, customPrivacyPolicyUrl: null, locale: 'en',
    emailDomainId: `OeD${id}`, defaultApp: { appInstanceId: null, appLinkName: null, classicApplicationUri: null },
    _links: { self: { href: `${ORG_URL}/api/v1/brands/${id}` } },
  };
}

export function signInPage(widgetVersion: string): RawObject {
  return {
    pageContent: '<!DOCTYPE html><html><head>{{{SignInWidgetResources}}}</head><body><div id="okta-login-container"></div></body></html>',
    widgetVersion, widgetCustomizations: { widgetGeneration: 'G2' }, contentSecurityPolicySetting: { mode: 'report_only', srcList: [] },
  };
}

export function domain(id: string, name: string, brandId: string): RawObject {
  return { id, domain: name, brandId, certificateSourceType: 'OKTA_MANAGED', validationStatus: 'VERIFIED', _links: { self: { href: `${ORG_URL}/api/v1/domains/${id}` } } };
}

export function trustedOrigin(id: string, name: string, origin: string, scopes: string[], status = 'ACTIVE'): RawObject {
  return {
    id, name, origin, status, scopes: scopes.map((type) => ({ type })), created: '2020-05-01T00:00:00.000Z', createdBy: '00uadmin',
    lastUpdated: '2020-05-01T00:00:00.000Z', lastUpdatedBy: '00uadmin', _links: { self: { href: `${ORG_URL}/api/v1/trustedOrigins/${id}` } },
  };
}

export function inlineHook(id: string, name: string, type: string, status = 'ACTIVE'): RawObject {
  return {
    id, status, name, type, version: '1.0.0', created: '2022-03-01T00:00:00.000Z', lastUpdated: '2022-03-01T00:00:00.000Z',
    channel: { type: 'HTTP', version: '1.0.0', config: { uri: `https://hooks.example.com/${id}`, headers: [], method: 'POST', authScheme: { type: 'HEADER', key: 'authorization' } } },
    _links: { self: { href: `${ORG_URL}/api/v1/inlineHooks/${id}` } },
  };
}
