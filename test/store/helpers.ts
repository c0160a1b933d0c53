/** Shared test helpers for the snapshot store: temp folders, realistic Okta rows, table dumps. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../../src/store/db.js';
import type { RawObject } from '../../src/store/types.js';

export function tempDir(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'oie-audit-store-'));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Columns whose value is a clock reading or a surrogate id, not crawl data. */
const VOLATILE: Record<string, readonly string[]> = {
  snapshots: ['started_at', 'finished_at'],
  crawl_progress: ['updated_at'],
  crawl_errors: ['id', 'at'],
};

export const DATA_TABLES = [
  'snapshots', 'users', 'factors', 'authenticator_enrollments', 'authenticators', 'policies', 'policy_rules',
  'event_hooks', 'api_tokens', 'log_events', 'org_resources', 'crawl_progress', 'crawl_errors',
] as const;

/** Every data table's rows in a stable order, minus volatile columns. */
export function dump(db: Db): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of DATA_TABLES) {
    const drop = VOLATILE[table] ?? [];
    const rows = db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
    out[table] = rows
      .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k))))
      .map((r) => JSON.stringify(r))
      .sort();
  }
  return out;
}

export const ORG_URL = 'https://acme.okta.com';

export function oktaUser(id: string, login: string, status = 'ACTIVE', lastLogin: string | null = '2024-05-01T10:00:00.000Z'): RawObject {
  return {
    id,
    status,
    created: '2023-01-10T09:00:00.000Z',
    activated: '2023-01-10T09:00:01.000Z',
    statusChanged: '2023-01-10T09:00:01.000Z',
    lastLogin,
    lastUpdated: '2024-04-01T08:00:00.000Z',
    passwordChanged: null,
    type: { id: 'oty1162QAr8hJjTaq0g4' },
    profile: { login, firstName: 'Test', lastName: id, email: login, mobilePhone: null },
    credentials: { password: {}, provider: { type: 'OKTA', name: 'OKTA' } },
    _links: { self: { href: `${ORG_URL}/api/v1/users/${id}` } },
  };
}

export function pushFactor(id: string, deviceName: string, status = 'ACTIVE'): RawObject {
  return {
    id,
    factorType: 'push',
    provider: 'OKTA',
    vendorName: 'OKTA',
    status,
    created: '2015-03-16T18:01:28.000Z',
    lastUpdated: '2015-08-27T14:25:17.000Z',
    profile: { credentialId: 'dade.murphy@example.com', deviceType: 'SmartPhone_IPhone', name: deviceName, platform: 'IOS', version: '9.0' },
    _links: { verify: { href: `${ORG_URL}/api/v1/users/x/factors/${id}/verify`, hints: { allow: ['POST'] } } },
  };
}

export function signedNonceFactor(id: string, deviceName: string): RawObject {
  return {
    id,
    factorType: 'signed_nonce',
    provider: 'OKTA',
    vendorName: 'OKTA',
    status: 'ACTIVE',
    created: '2023-11-07T22:41:14.000Z',
    lastUpdated: '2023-11-07T22:41:14.000Z',
    profile: {
      credentialId: 'xxx@example.com',
      deviceType: 'Tablet_Windows',
      name: deviceName,
      platform: 'WINDOWS',
      version: '10.0.19045.3570',
      keys: [
        { kty: 'RSA', use: 'sig', kid: 'default', e: 'AQAB', n: 'sXch…', jwkType: 'proofOfPossession' },
        { kty: 'RSA', use: 'sig', kid: 'default', e: 'AQAB', n: 'pZ9k…', jwkType: 'userVerification' },
      ],
    },
  };
}

export function smsFactor(id: string, status = 'ACTIVE'): RawObject {
  return { id, factorType: 'sms', provider: 'OKTA', status, profile: { phoneNumber: '+1-555-415-1337' } };
}

export function oktaVerifyEnrollment(id: string, nickname: string | null = null): RawObject {
  return {
    type: 'app', id, key: 'okta_verify', status: 'ACTIVE', name: 'Okta Verify', nickname,
    created: '2024-01-02T03:04:05.000Z', lastUpdated: '2024-01-02T03:04:05.000Z', profile: {},
  };
}

export function emailEnrollment(id: string): RawObject {
  return {
    type: 'email', id, key: 'okta_email', status: 'ACTIVE', name: 'Email', profile: { email: 'joe@example.com' }, nickname: null,
    created: '2020-07-26T21:05:23.000Z', lastUpdated: '2020-07-28T21:45:52.000Z',
  };
}

export function classicEnrollPolicy(id: string): RawObject {
  return {
    id, type: 'MFA_ENROLL', name: 'Default Policy', status: 'ACTIVE', priority: 2, system: true,
    created: '2020-01-01T00:00:00.000Z', lastUpdated: '2020-01-01T00:00:00.000Z',
    conditions: { people: { groups: { include: ['00g1'] } } },
    settings: { factors: { okta_push: { enroll: { self: 'OPTIONAL' }, consent: { type: 'NONE' } }, okta_sms: { enroll: { self: 'REQUIRED' } } } },
  };
}

export function authenticatorsEnrollPolicy(id: string): RawObject {
  return {
    id, type: 'MFA_ENROLL', name: 'Contractors', status: 'ACTIVE', priority: 1, system: false,
    created: '2024-01-01T00:00:00.000Z', lastUpdated: '2024-02-01T00:00:00.000Z',
    settings: {
      type: 'AUTHENTICATORS',
      authenticators: [{ key: 'okta_verify', enroll: { self: 'REQUIRED' } }, { key: 'okta_email', enroll: { self: 'NOT_ALLOWED' } }],
    },
  };
}

export function logEvent(uuid: string, eventType: string, requestUri: string | null, opts: { apiTokenId?: string; targetUserId?: string; published?: string } = {}): RawObject {
  return {
    actor: { id: '00uadmin', type: 'User', alternateId: 'admin@example.com', displayName: 'Admin', detailEntry: null },
    client: { userAgent: { rawUserAgent: 'okta-sdk-java/8.2.1 java/17', os: 'Linux', browser: 'UNKNOWN' }, zone: null, device: 'Unknown', id: '0oaclient1', ipAddress: '10.0.0.1' },
    displayMessage: 'Verify user identity',
    eventType,
    outcome: { result: 'SUCCESS', reason: null },
    published: opts.published ?? '2024-08-13T15:58:20.353Z',
    severity: 'INFO',
    debugContext: { debugData: requestUri === null ? { requestId: 'r1' } : { requestId: 'r1', requestUri, url: `${requestUri}?x=1` } },
    transaction: { type: 'WEB', id: 'tx1', detail: opts.apiTokenId === undefined ? null : { requestApiTokenId: opts.apiTokenId } },
    uuid,
    version: '0',
    target: [
      { id: 'pfdfdhyjf0HMbkP2e1d7', type: 'AuthenticatorEnrollment', alternateId: 'unknown', displayName: 'Okta Verify', detailEntry: null },
      ...(opts.targetUserId === undefined ? [] : [{ id: opts.targetUserId, type: 'User', alternateId: 'someone@example.com', displayName: 'Someone' }]),
    ],
  };
}
