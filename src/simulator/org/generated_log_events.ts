/**
 * What a System Log event is made of (who, from where, about what) and how it is rendered as a
 * complete Okta LogEvent.
 */
import type { JsonObject, LogEvent } from './types.js';
import { type GenContext, iso } from './generated_context.js';
import type { UserCore } from './generated_users.js';
import type { ApiToken } from './generated_org_config.js';
import type { FactorKind } from './generated_factors.js';
import { hash32, pick, randomChars } from './random.js';

// Bound once (see random.ts: global lookups are slow under vm contexts).
const big = BigInt;

const S = { uuid: 404, request: 405, client: 407 } as const;

export interface Client { rawUserAgent: string; os: string; browser: string; device: string; ip: string; geo: JsonObject; asOrg: string; isp: string; asNumber: number; domain: string | null }

const BROWSERS: ReadonlyArray<readonly [string, string, string, string]> = [
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/127.0.0.0 Safari/537.36', 'Mac OS X', 'CHROME', 'Computer'],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 'Windows 10', 'EDGE_CHROMIUM', 'Computer'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'iOS', 'SAFARI', 'Mobile'],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Linux', 'FIREFOX', 'Computer'],
];
const PLACES: ReadonlyArray<readonly [string, string, string, string, number, number, string]> = [
  ['New York', 'New York', 'United States', '10013', 40.7143, -74.006, '198.51.100.'],
  ['Chicago', 'Illinois', 'United States', '60601', 41.8858, -87.6181, '198.51.100.'],
  ['London', 'England', 'United Kingdom', 'EC1A', 51.5164, -0.093, '203.0.113.'],
  ['Tokyo', 'Tokyo', 'Japan', '100-0001', 35.6895, 139.6917, '203.0.113.'],
];

function geo(p: (typeof PLACES)[number]): JsonObject {
  return { city: p[0], state: p[1], country: p[2], postalCode: p[3], geolocation: { lat: p[4], lon: p[5] } };
}

export function browserClient(ctx: GenContext, user: UserCore): Client {
  const [rawUserAgent, os, browser, device] = pick(BROWSERS, hash32(ctx.seed, S.client, user.index));
  const place = pick(PLACES, hash32(ctx.seed, S.client, user.index, 1));
  return {
    rawUserAgent, os, browser, device, ip: `${place[6]}${1 + (hash32(ctx.seed, S.client, user.index, 2) % 254)}`,
    geo: geo(place), asOrg: 'example broadband', isp: 'example broadband', asNumber: 64500, domain: null,
  };
}

const DATA_CENTER = ['Ashburn', 'Virginia', 'United States', '20149', 39.0437, -77.4875, '192.0.2.'] as const;
export function tokenClient(token: ApiToken, tokenIndex: number): Client {
  return {
    rawUserAgent: token.def.userAgent, os: 'Unknown', browser: 'UNKNOWN', device: 'Unknown', ip: `192.0.2.${10 + tokenIndex}`,
    geo: geo(DATA_CENTER), asOrg: 'example cloud', isp: 'example cloud hosting', asNumber: 64501, domain: 'cloud.example.net',
  };
}

export interface FactorRef { id: string; kind: FactorKind }
/** One event before rendering: what happened, to whom, through which request and client. */
export interface Spec {
  eventType: string;
  displayMessage: string;
  legacyEventType: string | null;
  result: string;
  reason: string | null;
  actor: UserCore;
  subject: UserCore;
  factor?: FactorRef;
  /** Overrides the factor target id (Identity Engine sign-ins name the device's okta_verify enrollment). */
  targetId?: string;
  requestUri: string;
  url?: string;
  /** The event's target instead of the subject user (org-level events name what they changed). */
  orgTarget?: JsonObject;
  client: Client;
  tokenId?: string;
  auth?: { provider: string; credentialProvider: string | null; credentialType: string | null; step: number };
  session: string;
}

const FACTOR_NAMES: Record<FactorKind, readonly [string, string]> = {
  push: ['Okta Verify', 'Get a push notification'], ov_totp: ['Okta Verify', 'Enter a code'], signed_nonce: ['Okta Verify', 'Use Okta FastPass'],
  sms: ['Phone', 'SMS'], call: ['Phone', 'Voice call'], email: ['Email', 'Email'], question: ['Security Question', 'Security Question'],
  google_totp: ['Google Authenticator', 'Enter a code'], yubikey: ['YubiKey', 'Hardware token'], rsa: ['RSA SecurID', 'Enter a code'],
  symantec: ['Symantec VIP', 'Enter a code'], hotp: ['Custom OTP', 'Enter a code'], u2f: ['Security Key or Biometric', 'Use a security key'],
  webauthn: ['Security Key or Biometric', 'Use a security key or biometric'], duo: ['Duo Security', 'Duo'],
};

const MESSAGES: Record<string, readonly [string, string | null]> = {
  'user.session.start': ['User login to Okta', 'core.user_auth.login_success'],
  'user.authentication.auth_via_mfa': ['Authentication of user via MFA', 'core.user.factor.attempt_success'],
  'system.push.send_factor_verify_push': ['Push notification sent for verification', null],
  'system.sms.send_factor_verify_message': ['Send SMS verification message', null],
  'user.mfa.okta_verify.deny_push': ['User rejected Okta push verify', null],
  'user.mfa.factor.activate': ['Activate factor for user', 'core.user.factor.activate'],
  'user.mfa.factor.deactivate': ['Deactivate factor for user', 'core.user.factor.deactivate'],
  'user.mfa.factor.reset_all': ['Reset all factors for user', 'core.user.factor.reset_all'],
  'user.mfa.factor.update': ['Update factor for user', null],
  'user.session.end': ['User logout from Okta', 'core.user_auth.logout_success'],
  'system.mfa.factor.deactivate': ['Deactivate factor for org', null],
  'user.authentication.authenticate': ['User authenticated with Device Trust', null],
  'user.credential.enroll': ['User enrolled a Device Trust credential', null],
  'user.lifecycle.create': ['Create Okta user', null],
  'user.lifecycle.activate': ['Activate Okta user', null],
  'user.lifecycle.deactivate': ['Deactivate Okta user', 'core.user.config.user_deactivated'],
  'user.lifecycle.delete.initiated': ['Delete Okta user initiated', null],
  'user.account.update_profile': ['Update user profile for Okta', null],
};

export function spec(eventType: string, base: Omit<Spec, 'eventType' | 'displayMessage' | 'legacyEventType' | 'result' | 'reason'>, result = 'SUCCESS', reason: string | null = null): Spec {
  const [displayMessage, legacy] = MESSAGES[eventType] ?? [eventType, null];
  let legacyEventType = legacy;
  if (eventType === 'user.session.start' && result !== 'SUCCESS') legacyEventType = 'core.user_auth.login_failed';
  if (eventType === 'user.authentication.auth_via_mfa' && result !== 'SUCCESS') legacyEventType = 'core.user.factor.attempt_fail';
  return { eventType, displayMessage, legacyEventType, result, reason, ...base };
}

function v1Uuid(ctx: GenContext, k: number, publishedMs: number): string {
  // Time-based (version 1) like Okta's log uuids: 100 ns ticks since 1582-10-15.
  const ticks = (big(publishedMs) + 12219292800000n) * 10000n + big(hash32(ctx.seed, S.uuid, k) % 10000);
  const hex = (v: bigint | number, w: number): string => v.toString(16).padStart(w, '0');
  const low = ticks & 0xffffffffn;
  const mid = (ticks >> 32n) & 0xffffn;
  const hi = ((ticks >> 48n) & 0x0fffn) | 0x1000n;
  const clock = (hash32(ctx.seed, S.uuid, k, 1) & 0x3fff) | 0x8000;
  const node = hex(hash32(ctx.seed, S.uuid, 'node', k % 8), 8) + hex(hash32(ctx.seed, S.uuid, 'node2', k % 8) & 0xffff, 4);
  return `${hex(low, 8)}-${hex(mid, 4)}-${hex(hi, 4)}-${hex(clock, 4)}-${node}`;
}

function person(u: UserCore): JsonObject {
  return { id: u.id, type: 'User', alternateId: u.login, displayName: u.displayName, detailEntry: null };
}

export function render(ctx: GenContext, s: Spec, k: number, publishedMs: number): LogEvent {
  const requestId = randomChars(27, ctx.seed, S.request, k);
  const c = s.client;
  const target: JsonObject[] = [s.orgTarget ?? person(s.subject)];
  if (s.factor !== undefined) {
    const [name, method] = FACTOR_NAMES[s.factor.kind];
    const authEvent = s.eventType === 'user.authentication.auth_via_mfa';
    target.push({ id: s.targetId ?? s.factor.id, type: 'AuthenticatorEnrollment', alternateId: 'unknown', displayName: name, detailEntry: authEvent ? { methodTypeUsed: method } : null });
  }
  const geoCtx = c.geo;
  return {
    actor: person(s.actor),
    client: { userAgent: { rawUserAgent: c.rawUserAgent, os: c.os, browser: c.browser }, zone: null, device: c.device, id: null, ipAddress: c.ip, geographicalContext: geoCtx },
    device: null,
    authenticationContext: {
      authenticationProvider: s.auth?.provider ?? null, credentialProvider: s.auth?.credentialProvider ?? null, credentialType: s.auth?.credentialType ?? null,
      issuer: null, interface: null, authenticationStep: s.auth?.step ?? 0, rootSessionId: s.session, externalSessionId: s.session,
    },
    displayMessage: s.displayMessage,
    eventType: s.eventType,
    outcome: { result: s.result, reason: s.reason },
    published: iso(publishedMs),
    securityContext: { asNumber: c.asNumber, asOrg: c.asOrg, isp: c.isp, domain: c.domain, isProxy: false },
    severity: s.result === 'SUCCESS' ? 'INFO' : 'WARN',
    debugContext: { debugData: { requestId, requestUri: s.requestUri, url: s.url ?? s.requestUri } },
    legacyEventType: s.legacyEventType,
    transaction: { type: 'WEB', id: requestId, detail: s.tokenId === undefined ? {} : { requestApiTokenId: s.tokenId } },
    uuid: v1Uuid(ctx, k, publishedMs),
    version: '0',
    request: { ipChain: [{ ip: c.ip, geographicalContext: geoCtx, version: 'V4', source: null }] },
    target,
  };
}

