/** Keys, client assertions and DPoP proofs built the way okta-sdk-nodejs 8.1.0 builds them. */
import { randomUUID, createHash } from 'node:crypto';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { SimulatorAuth, type OAuthClientConfig } from '../../../src/simulator/auth.js';

export const BASE_URL = 'http://org.simulator.test';
export const TOKEN_URL = `${BASE_URL}/oauth2/v1/token`;
export const CLIENT_ID = '0oaservice00000000001';
export const API_TOKEN = '00sswsTokenForTheSimulatorTests0000000000';

export interface RsaKeys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  privatePem: string;
  publicPem: string;
}

export async function rsaKeys(): Promise<RsaKeys> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    privateKey,
    publicKey,
    publicJwk: await exportJWK(publicKey),
    privatePem: await exportPKCS8(privateKey),
    publicPem: await exportSPKI(publicKey),
  };
}

/** A mutable clock in epoch ms, so tests can move time. */
export function clock(start = Date.now()): { now: () => number; advance: (seconds: number) => void } {
  let t = start;
  return { now: () => t, advance: (seconds) => { t += seconds * 1000; } };
}

export function makeAuth(keys: RsaKeys, overrides: Partial<OAuthClientConfig> = {}, now?: () => number): SimulatorAuth {
  return new SimulatorAuth({
    apiToken: API_TOKEN,
    clients: [{ clientId: CLIENT_ID, publicKey: keys.publicPem, grantedScopes: ['okta.users.read', 'okta.logs.read'], ...overrides }],
    baseUrl: () => BASE_URL,
    ...(now ? { now } : {}),
  });
}

export interface AssertionOptions {
  iss?: string;
  sub?: string;
  aud?: string;
  iat?: number;
  exp?: number;
  jti?: string;
  nowMs?: number;
}

/** RS256, `typ: JWT`, `kid`, aud/iss/sub/iat/exp=iat+300/jti: the SDK's `makeJwt`. */
export async function assertion(key: CryptoKey, o: AssertionOptions = {}): Promise<string> {
  const iat = o.iat ?? Math.floor((o.nowMs ?? Date.now()) / 1000);
  return new SignJWT({ aud: o.aud ?? TOKEN_URL, jti: o.jti ?? randomUUID() })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'k1' })
    .setIssuer(o.iss ?? CLIENT_ID)
    .setSubject(o.sub ?? CLIENT_ID)
    .setIssuedAt(iat)
    .setExpirationTime(o.exp ?? iat + 300)
    .sign(key);
}

export interface ProofOptions {
  htm?: string;
  htu?: string;
  iat?: number;
  jti?: string;
  nonce?: string;
  accessToken?: string;
  ath?: string;
  typ?: string;
  nowMs?: number;
}

/** The SDK's `generateDpopJwt`: `typ dpop+jwt`, RS256, the public `jwk` in the header. */
export async function proof(keys: RsaKeys, o: ProofOptions = {}): Promise<string> {
  const payload: Record<string, unknown> = {
    htm: o.htm ?? 'POST',
    htu: o.htu ?? TOKEN_URL,
    iat: o.iat ?? Math.floor((o.nowMs ?? Date.now()) / 1000),
    jti: o.jti ?? randomUUID(),
  };
  if (o.nonce !== undefined) payload.nonce = o.nonce;
  if (o.ath !== undefined) payload.ath = o.ath;
  else if (o.accessToken !== undefined) payload.ath = createHash('sha256').update(o.accessToken).digest('base64url');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: o.typ ?? 'dpop+jwt', jwk: keys.publicJwk })
    .sign(keys.privateKey);
}

export function tokenBody(clientAssertion: string, scope = 'okta.users.read'): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion,
  }).toString();
}

export interface TokenBody {
  token_type?: string;
  access_token?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

/** The SDK's dance: a proof without nonce, then the same request with the `DPoP-Nonce` it got. */
export async function dpopToken(
  auth: SimulatorAuth,
  keys: RsaKeys,
  opts: { scope?: string; nowMs?: number; clientKey?: CryptoKey } = {},
): Promise<{ accessToken: string; body: TokenBody; status: number }> {
  const clientKey = opts.clientKey ?? keys.privateKey;
  const nowMs = opts.nowMs ?? Date.now();
  const first = await auth.handleTokenRequest({
    headers: { dpop: await proof(keys, { nowMs }) },
    body: tokenBody(await assertion(clientKey, { nowMs }), opts.scope),
  });
  const nonce = first.headers['DPoP-Nonce'];
  if (first.status !== 400 || nonce === undefined) {
    return { accessToken: '', body: first.body as TokenBody, status: first.status };
  }
  const second = await auth.handleTokenRequest({
    headers: { dpop: await proof(keys, { nonce, nowMs }) },
    body: tokenBody(await assertion(clientKey, { nowMs }), opts.scope),
  });
  const body = second.body as TokenBody;
  return { accessToken: body.access_token ?? '', body, status: second.status };
}
