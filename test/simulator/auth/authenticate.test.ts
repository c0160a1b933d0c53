import { beforeAll, describe, expect, it } from '@jest/globals';
import { READ_SCOPES, requiredScope, SimulatorAuth } from '../../../src/simulator/auth.js';
import {
  API_TOKEN, assertion, BASE_URL, CLIENT_ID, clock, dpopToken, makeAuth, proof, rsaKeys, tokenBody,
  type RsaKeys, type TokenBody,
} from './fixtures.js';

const USERS_URL = `${BASE_URL}/api/v1/users`;

let keys: RsaKeys;
let otherKeys: RsaKeys;

beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([rsaKeys(), rsaKeys()]);
});

async function bearerToken(auth: SimulatorAuth): Promise<string> {
  const out = await auth.handleTokenRequest({ headers: {}, body: tokenBody(await assertion(keys.privateKey)) });
  return (out.body as TokenBody).access_token!;
}

const INVALID = { ok: false, status: 401, errorCode: 'E0000011', errorSummary: 'Invalid token provided' };

describe('authenticate: DPoP-bound tokens', () => {
  it('accepts a request with a per-request proof, as the SDK sends it', async () => {
    const auth = makeAuth(keys);
    const { accessToken } = await dpopToken(auth, keys);
    const url = `${USERS_URL}?limit=200&search=status%20eq%20%22ACTIVE%22`;
    const result = await auth.authenticate({
      method: 'GET',
      url,
      headers: {
        authorization: `DPoP ${accessToken}`,
        // The SDK signs the URL without its query.
        dpop: await proof(keys, { htm: 'GET', htu: USERS_URL, accessToken }),
      },
    });
    expect(result).toEqual({ ok: true, scopes: new Set(['okta.users.read']), principal: CLIENT_ID });
  });

  it('tolerates the //api paths the SDK produces for an orgUrl with a trailing slash', async () => {
    const auth = makeAuth(keys);
    const { accessToken } = await dpopToken(auth, keys);
    const result = await auth.authenticate({
      method: 'GET',
      url: USERS_URL,
      headers: { authorization: `DPoP ${accessToken}`, dpop: await proof(keys, { htm: 'GET', htu: `${BASE_URL}//api/v1/users`, accessToken }) },
    });
    expect(result.ok).toBe(true);
  });

  it.each([
    ['no proof', 'DPoP proof missing or repeated', async (at: string) => ({ authorization: `DPoP ${at}` })],
    ['a proof for another URL', 'The DPoP proof htu claim does not match the request URL.', async (at: string) => ({
      authorization: `DPoP ${at}`, dpop: await proof(keys, { htm: 'GET', htu: `${BASE_URL}/api/v1/logs`, accessToken: at }),
    })],
    ['a proof for another method', 'The DPoP proof htm claim does not match the request method.', async (at: string) => ({
      authorization: `DPoP ${at}`, dpop: await proof(keys, { htm: 'POST', htu: USERS_URL, accessToken: at }),
    })],
    ['a lower-case htm', 'The DPoP proof htm claim does not match the request method.', async (at: string) => ({
      authorization: `DPoP ${at}`, dpop: await proof(keys, { htm: 'get', htu: USERS_URL, accessToken: at }),
    })],
    ['a wrong ath', 'The DPoP proof ath claim does not match the access token.', async (at: string) => ({
      authorization: `DPoP ${at}`, dpop: await proof(keys, { htm: 'GET', htu: USERS_URL, accessToken: `${at}x` }),
    })],
    ['no ath', 'The DPoP proof ath claim does not match the access token.', async (at: string) => ({
      authorization: `DPoP ${at}`, dpop: await proof(keys, { htm: 'GET', htu: USERS_URL }),
    })],
    ['a proof from another key', 'DPoP proof key is not the key the token is bound to', async (at: string) => ({
      authorization: `DPoP ${at}`, dpop: await proof(otherKeys, { htm: 'GET', htu: USERS_URL, accessToken: at }),
    })],
    ['a stale proof', 'The DPoP proof JWT is too old.', async (at: string) => ({
      authorization: `DPoP ${at}`,
      dpop: await proof(keys, { htm: 'GET', htu: USERS_URL, accessToken: at, iat: Math.floor(Date.now() / 1000) - 600 }),
    })],
    ['the token sent as Bearer', 'DPoP-bound access token sent as Bearer', async (at: string) => ({ authorization: `Bearer ${at}` })],
    ['an unknown token', 'unknown or expired access token', async () => ({
      authorization: 'DPoP notIssuedHere', dpop: await proof(keys, { htm: 'GET', htu: USERS_URL, accessToken: 'notIssuedHere' }),
    })],
  ])('refuses %s', async (_label, reason, headersFor) => {
    const auth = makeAuth(keys);
    const { accessToken } = await dpopToken(auth, keys);
    const result = await auth.authenticate({ method: 'GET', url: USERS_URL, headers: await headersFor(accessToken) });
    expect(result).toEqual({ ...INVALID, reason });
  });

  it('refuses a replayed proof', async () => {
    const auth = makeAuth(keys);
    const { accessToken } = await dpopToken(auth, keys);
    const headers = { authorization: `DPoP ${accessToken}`, dpop: await proof(keys, { htm: 'GET', htu: USERS_URL, accessToken }) };
    expect((await auth.authenticate({ method: 'GET', url: USERS_URL, headers })).ok).toBe(true);
    expect(await auth.authenticate({ method: 'GET', url: USERS_URL, headers }))
      .toMatchObject({ ...INVALID, reason: 'DPoP proof replayed' });
  });

  it('refuses a token after its hour is up', async () => {
    const t = clock();
    const auth = makeAuth(keys, {}, t.now);
    const { accessToken } = await dpopToken(auth, keys, { nowMs: t.now() });
    t.advance(3601);
    const result = await auth.authenticate({
      method: 'GET',
      url: USERS_URL,
      headers: { authorization: `DPoP ${accessToken}`, dpop: await proof(keys, { htm: 'GET', htu: USERS_URL, accessToken, nowMs: t.now() }) },
    });
    expect(result).toMatchObject({ ...INVALID, reason: 'unknown or expired access token' });
  });
});

describe('authenticate: Bearer tokens', () => {
  it('accepts a Bearer token issued to a client that does not require DPoP', async () => {
    const auth = makeAuth(keys, { requireDpop: false });
    const at = await bearerToken(auth);
    expect(await auth.authenticate({ method: 'GET', url: USERS_URL, headers: { Authorization: `Bearer ${at}` } }))
      .toEqual({ ok: true, scopes: new Set(['okta.users.read']), principal: CLIENT_ID });
  });

  it('refuses a Bearer token sent with the DPoP scheme, and an unknown token', async () => {
    const auth = makeAuth(keys, { requireDpop: false });
    const at = await bearerToken(auth);
    const headers = { authorization: `DPoP ${at}`, dpop: await proof(keys, { htm: 'GET', htu: USERS_URL, accessToken: at }) };
    expect(await auth.authenticate({ method: 'GET', url: USERS_URL, headers })).toMatchObject(INVALID);
    expect(await auth.authenticate({ method: 'GET', url: USERS_URL, headers: { authorization: 'Bearer undefined' } }))
      .toMatchObject(INVALID);
  });
});

describe('authenticate: API tokens', () => {
  it('accepts the right SSWS token with every read scope by default', async () => {
    const auth = makeAuth(keys);
    const result = await auth.authenticate({ method: 'GET', url: USERS_URL, headers: { authorization: `SSWS ${API_TOKEN}` } });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.principal).toBe('api-token');
      expect([...result.scopes].sort()).toEqual([...new Set(Object.values(READ_SCOPES).filter((s) => s !== null))].sort());
    }
  });

  it('limits an API token to apiTokenScopes when given', async () => {
    const auth = new SimulatorAuth({ apiToken: API_TOKEN, apiTokenScopes: ['okta.users.read'], clients: [], baseUrl: () => BASE_URL });
    const result = await auth.authenticate({ method: 'GET', url: USERS_URL, headers: { authorization: `SSWS ${API_TOKEN}` } });
    expect(result.ok && [...result.scopes]).toEqual(['okta.users.read']);
  });

  it.each([
    ['a wrong token', { authorization: `SSWS ${API_TOKEN.slice(0, -1)}X` }],
    ['a prefix of the token', { authorization: `SSWS ${API_TOKEN.slice(0, 10)}` }],
    ['no Authorization header', {}],
    ['an empty credential', { authorization: 'SSWS ' }],
    ['an unknown scheme', { authorization: `Basic ${API_TOKEN}` }],
  ])('refuses %s', async (_label, headers) => {
    const auth = makeAuth(keys);
    const result = await auth.authenticate({ method: 'GET', url: USERS_URL, headers });
    expect(result).toMatchObject(INVALID);
    expect(JSON.stringify(result)).not.toContain(API_TOKEN.slice(0, 10));
  });

  it('refuses every SSWS token when none is configured', async () => {
    const auth = new SimulatorAuth({ clients: [], baseUrl: () => BASE_URL });
    expect(await auth.authenticate({ method: 'GET', url: USERS_URL, headers: { authorization: 'SSWS anything' } }))
      .toMatchObject(INVALID);
  });
});

describe('READ_SCOPES', () => {
  it('maps the routes the crawler reads to the scopes in the spec', () => {
    expect(requiredScope('GET /api/v1/users/{userId}/factors')).toBe('okta.users.read');
    expect(requiredScope('GET /api/v1/authenticators')).toBe('okta.authenticators.read');
    expect(requiredScope('GET /api/v1/policies/{policyId}/rules')).toBe('okta.policies.read');
    expect(requiredScope('GET /api/v1/logs')).toBe('okta.logs.read');
    expect(requiredScope('GET /api/v1/eventHooks')).toBe('okta.eventHooks.read');
    expect(requiredScope('GET /api/v1/api-tokens')).toBe('okta.apiTokens.read');
    expect(requiredScope('GET /.well-known/okta-organization')).toBeNull();
    expect(requiredScope('DELETE /api/v1/users/{userId}')).toBeUndefined();
    expect(requiredScope('toString')).toBeUndefined();
  });
});
