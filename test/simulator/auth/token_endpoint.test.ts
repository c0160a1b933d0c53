import { beforeAll, describe, expect, it } from '@jest/globals';
import type { JsonWebKey } from 'node:crypto';
import {
  assertion, clock, dpopToken, makeAuth, proof, rsaKeys, tokenBody, type RsaKeys, type TokenBody,
} from './fixtures.js';

let keys: RsaKeys;
let otherKeys: RsaKeys;

beforeAll(async () => {
  [keys, otherKeys] = await Promise.all([rsaKeys(), rsaKeys()]);
});

/** A token request with a valid nonce-bearing proof, so only the assertion or scope is under test. */
async function requestWith(clientAssertion: string, scope = 'okta.users.read'): Promise<{ status: number; body: TokenBody }> {
  const auth = makeAuth(keys, { requireDpop: false });
  const out = await auth.handleTokenRequest({ headers: {}, body: tokenBody(clientAssertion, scope) });
  return { status: out.status, body: out.body as TokenBody };
}

describe('token endpoint: DPoP nonce dance', () => {
  it('answers the first proof with use_dpop_nonce and a DPoP-Nonce header, then issues a DPoP token', async () => {
    const auth = makeAuth(keys);
    const first = await auth.handleTokenRequest({
      headers: { dpop: await proof(keys) },
      body: tokenBody(await assertion(keys.privateKey)),
    });
    expect(first.status).toBe(400);
    expect(first.body).toEqual({ error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof.' });
    const nonce = first.headers['DPoP-Nonce'];
    expect(nonce).toMatch(/^[\w-]{20,}$/);

    const second = await auth.handleTokenRequest({
      headers: { DPoP: await proof(keys, { nonce }), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: tokenBody(await assertion(keys.privateKey), 'okta.users.read okta.logs.read'),
    });
    expect(second.status).toBe(200);
    expect(second.headers['Cache-Control']).toBe('no-store');
    expect(second.body).toEqual({
      token_type: 'DPoP',
      expires_in: 3600,
      access_token: expect.stringMatching(/^[\w-]{40,}$/),
      scope: 'okta.users.read okta.logs.read',
    });
  });

  it('refuses a missing proof when the client requires DPoP', async () => {
    const auth = makeAuth(keys);
    const out = await auth.handleTokenRequest({ headers: {}, body: tokenBody(await assertion(keys.privateKey)) });
    expect(out.status).toBe(400);
    expect(out.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof JWT header is missing.' });
  });

  it('asks again for a nonce it never issued, and for one that has expired', async () => {
    const t = clock();
    const auth = makeAuth(keys, {}, t.now);
    const forged = await auth.handleTokenRequest({
      headers: { dpop: await proof(keys, { nonce: 'not-issued-here', nowMs: t.now() }) },
      body: tokenBody(await assertion(keys.privateKey, { nowMs: t.now() })),
    });
    expect((forged.body as TokenBody).error).toBe('use_dpop_nonce');

    const nonce = forged.headers['DPoP-Nonce'];
    t.advance(301);
    const stale = await auth.handleTokenRequest({
      headers: { dpop: await proof(keys, { nonce, nowMs: t.now() }) },
      body: tokenBody(await assertion(keys.privateKey, { nowMs: t.now() })),
    });
    expect((stale.body as TokenBody).error).toBe('use_dpop_nonce');
  });

  it.each([
    ['typ', { typ: 'JWT' }, "The DPoP proof JWT header 'typ' must be 'dpop+jwt'."],
    ['htm', { htm: 'GET' }, 'The DPoP proof htm claim does not match the request method.'],
    ['htu', { htu: 'http://org.simulator.test/oauth2/default/v1/token' }, 'The DPoP proof htu claim does not match the request URL.'],
    ['stale iat', { iat: Math.floor(Date.now() / 1000) - 3600 }, 'The DPoP proof JWT is too old.'],
    ['future iat', { iat: Math.floor(Date.now() / 1000) + 3600 }, 'The DPoP proof JWT iat claim is in the future.'],
  ])('refuses a proof with a bad %s', async (_label, override, description) => {
    const auth = makeAuth(keys);
    const out = await auth.handleTokenRequest({
      headers: { dpop: await proof(keys, override) },
      body: tokenBody(await assertion(keys.privateKey)),
    });
    expect(out.status).toBe(400);
    expect(out.body).toEqual({ error: 'invalid_dpop_proof', error_description: description });
  });

  it('refuses a proof whose signature does not match its embedded jwk', async () => {
    const auth = makeAuth(keys);
    const mixed = { ...otherKeys, publicJwk: keys.publicJwk };
    const out = await auth.handleTokenRequest({
      headers: { dpop: await proof(mixed) },
      body: tokenBody(await assertion(keys.privateKey)),
    });
    expect(out.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof JWT signature is invalid.' });
  });

  it('refuses a replayed proof jti', async () => {
    const auth = makeAuth(keys);
    const nonce = (await auth.handleTokenRequest({
      headers: { dpop: await proof(keys) },
      body: tokenBody(await assertion(keys.privateKey)),
    })).headers['DPoP-Nonce'];
    const sameProof = await proof(keys, { nonce, jti: 'proof-jti-1' });
    const ok = await auth.handleTokenRequest({ headers: { dpop: sameProof }, body: tokenBody(await assertion(keys.privateKey)) });
    expect(ok.status).toBe(200);
    const again = await auth.handleTokenRequest({ headers: { dpop: sameProof }, body: tokenBody(await assertion(keys.privateKey)) });
    expect(again.body).toEqual({ error: 'invalid_dpop_proof', error_description: 'The DPoP proof JWT has already been used.' });
  });

  it('issues a Bearer token, ignoring an unsolicited proof, when the client does not require DPoP', async () => {
    const auth = makeAuth(keys, { requireDpop: false });
    const out = await auth.handleTokenRequest({
      headers: { dpop: await proof(keys) },
      body: tokenBody(await assertion(keys.privateKey)),
    });
    expect(out.status).toBe(200);
    expect(out.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'okta.users.read' });
  });
});

describe('token endpoint: client assertion', () => {
  it('refuses an assertion signed with a key the client did not register', async () => {
    const out = await requestWith(await assertion(otherKeys.privateKey));
    expect(out).toEqual({ status: 401, body: { error: 'invalid_client', error_description: 'The client_assertion signature is invalid.' } });
  });

  it('refuses the wrong audience', async () => {
    const out = await requestWith(await assertion(keys.privateKey, { aud: 'http://org.simulator.test/oauth2/default/v1/token' }));
    expect(out.status).toBe(401);
    expect(out.body.error_description).toBe('The audience claim for client_assertion must be the endpoint invoked for the request.');
  });

  it('refuses an expired assertion, and one that expires more than an hour ahead', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await requestWith(await assertion(keys.privateKey, { iat: now - 600, exp: now - 300 }));
    expect(expired.body).toEqual({ error: 'invalid_client', error_description: 'The client_assertion token is expired.' });
    const tooLong = await requestWith(await assertion(keys.privateKey, { iat: now, exp: now + 7200 }));
    expect(tooLong.body.error).toBe('invalid_client');
    expect(tooLong.body.error_description).toMatch(/too far in the future/);
  });

  it('refuses iss different from sub', async () => {
    const out = await requestWith(await assertion(keys.privateKey, { sub: '0oaSomebodyElse' }));
    expect(out.status).toBe(401);
    expect(out.body.error).toBe('invalid_client');
  });

  it('refuses an unknown client', async () => {
    const out = await requestWith(await assertion(keys.privateKey, { iss: '0oaUnknown', sub: '0oaUnknown' }));
    expect(out.status).toBe(401);
    expect(out.body).toEqual({ error: 'invalid_client', error_description: "Invalid value for 'client_id' parameter." });
  });

  it('refuses a replayed jti', async () => {
    const auth = makeAuth(keys, { requireDpop: false });
    const body = tokenBody(await assertion(keys.privateKey, { jti: 'assertion-jti-1' }));
    expect((await auth.handleTokenRequest({ headers: {}, body })).status).toBe(200);
    const again = await auth.handleTokenRequest({ headers: {}, body });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ error: 'invalid_client', error_description: 'The client_assertion token has already been used.' });
  });

  it('refuses garbage, a wrong assertion type, and a missing assertion', async () => {
    expect((await requestWith('not.a.jwt')).body.error_description).toBe('The parsing of the client_assertion failed.');
    const auth = makeAuth(keys, { requireDpop: false });
    const wrongType = new URLSearchParams({
      grant_type: 'client_credentials', scope: 'okta.users.read',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      client_assertion: await assertion(keys.privateKey),
    }).toString();
    expect((await auth.handleTokenRequest({ headers: {}, body: wrongType })).body)
      .toEqual({ error: 'invalid_client', error_description: 'The client_assertion_type is invalid.' });
    const none = await auth.handleTokenRequest({ headers: {}, body: 'grant_type=client_credentials&scope=okta.users.read' });
    expect(none.status).toBe(401);
  });

  it('supports only client_credentials', async () => {
    const auth = makeAuth(keys, { requireDpop: false });
    const out = await auth.handleTokenRequest({ headers: {}, body: 'grant_type=password&username=a&password=b' });
    expect(out.status).toBe(400);
    expect((out.body as TokenBody).error).toBe('unsupported_grant_type');
  });

  it('accepts a client registered with a public JWK', async () => {
    const auth = makeAuth(keys, { requireDpop: false, publicKey: keys.publicJwk as JsonWebKey });
    const out = await auth.handleTokenRequest({ headers: {}, body: tokenBody(await assertion(keys.privateKey)) });
    expect(out.status).toBe(200);
  });

  it('never echoes the assertion in an error', async () => {
    const bad = await assertion(otherKeys.privateKey);
    const out = await requestWith(bad);
    expect(JSON.stringify(out.body)).not.toContain(bad.split('.')[2]);
  });
});

describe('token endpoint: scopes', () => {
  it('refuses a scope the app was not granted', async () => {
    const out = await requestWith(await assertion(keys.privateKey), 'okta.users.read okta.users.manage');
    expect(out).toEqual({
      status: 400,
      body: { error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or malformed.' },
    });
  });

  it('refuses a request with no scope', async () => {
    const out = await requestWith(await assertion(keys.privateKey), '');
    expect(out.status).toBe(400);
    expect(out.body.error).toBe('invalid_scope');
  });

  it('grants the requested subset through the full DPoP dance', async () => {
    const auth = makeAuth(keys);
    const got = await dpopToken(auth, keys, { scope: 'okta.logs.read' });
    expect(got.status).toBe(200);
    expect(got.body.scope).toBe('okta.logs.read');
  });
});
