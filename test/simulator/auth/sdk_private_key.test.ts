/**
 * The real okta-sdk-nodejs in PrivateKey mode against SimulatorAuth, through a minimal server
 * written here (the simulator's own server lives elsewhere): proves the module matches the SDK's
 * wire behaviour, DPoP nonce dance included.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import okta from '@okta/okta-sdk-nodejs';
import { SimulatorAuth, type OAuthClientConfig } from '../../../src/simulator/auth.js';
import { rsaKeys, type RsaKeys } from './fixtures.js';

const DPOP_CLIENT = '0oadpopclient0000001';
const BEARER_CLIENT = '0oabearerclient00001';
const USERS = [{ id: '00u1', status: 'ACTIVE', profile: { login: 'a@example.com' } }];

let keys: RsaKeys;
let wrongKeys: RsaKeys;
let server: http.Server;
let orgUrl = '';
let auth: SimulatorAuth;
const seen: { path: string; authScheme: string; status: number }[] = [];

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  const authScheme = String(req.headers.authorization ?? '').split(' ')[0] ?? '';
  if (req.method === 'POST' && path === '/oauth2/v1/token') {
    const out = await auth.handleTokenRequest({ headers: req.headers, body: await readBody(req) });
    seen.push({ path, authScheme, status: out.status });
    send(res, out.status, out.body, out.headers);
    return;
  }
  if (req.method === 'GET' && path === '/api/v1/users') {
    const who = await auth.authenticate({ method: req.method, url: `${orgUrl}${req.url}`, headers: req.headers });
    seen.push({ path, authScheme, status: who.ok ? 200 : who.status });
    if (!who.ok) {
      send(res, 401, { errorCode: who.errorCode, errorSummary: who.errorSummary, errorLink: who.errorCode, errorId: 'oaeSimulator', errorCauses: [] });
    } else if (!who.scopes.has('okta.users.read')) {
      send(res, 403, { errorCode: 'E0000006', errorSummary: 'You do not have permission to perform the requested action', errorLink: 'E0000006', errorId: 'oaeSimulator', errorCauses: [] });
    } else {
      send(res, 200, USERS);
    }
    return;
  }
  send(res, 404, { errorCode: 'E0000022', errorSummary: 'The endpoint does not support the provided HTTP method', errorCauses: [] });
}

function client(clientId: string, privateKey: string): InstanceType<typeof okta.Client> {
  return new okta.Client({
    orgUrl,
    authorizationMode: 'PrivateKey',
    clientId,
    scopes: ['okta.users.read'],
    privateKey,
    keyId: 'k1',
    cacheMiddleware: null,
  });
}

async function listAll(c: InstanceType<typeof okta.Client>): Promise<string[]> {
  const ids: string[] = [];
  for await (const user of await c.userApi.listUsers()) if (user?.id) ids.push(user.id);
  return ids;
}

beforeAll(async () => {
  [keys, wrongKeys] = await Promise.all([rsaKeys(), rsaKeys()]);
  const clients: OAuthClientConfig[] = [
    { clientId: DPOP_CLIENT, publicKey: keys.publicPem, grantedScopes: ['okta.users.read'] },
    { clientId: BEARER_CLIENT, publicKey: keys.publicPem, grantedScopes: ['okta.users.read'], requireDpop: false },
  ];
  server = http.createServer((req, res) => {
    route(req, res).catch(() => send(res, 500, { errorCode: 'E0000009', errorSummary: 'Internal Server Error', errorCauses: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  orgUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  auth = new SimulatorAuth({ clients, baseUrl: () => orgUrl });
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

describe('okta-sdk-nodejs 8.1.0 in PrivateKey mode', () => {
  it('does the DPoP nonce dance, then lists users with DPoP-bound requests', async () => {
    seen.length = 0;
    expect(await listAll(client(DPOP_CLIENT, keys.privatePem))).toEqual(['00u1']);
    expect(seen).toEqual([
      { path: '/oauth2/v1/token', authScheme: '', status: 400 },
      { path: '/oauth2/v1/token', authScheme: '', status: 200 },
      { path: '/api/v1/users', authScheme: 'DPoP', status: 200 },
    ]);
  });

  it('uses a Bearer token when the app does not require DPoP', async () => {
    seen.length = 0;
    expect(await listAll(client(BEARER_CLIENT, keys.privatePem))).toEqual(['00u1']);
    expect(seen).toEqual([
      { path: '/oauth2/v1/token', authScheme: '', status: 200 },
      { path: '/api/v1/users', authScheme: 'Bearer', status: 200 },
    ]);
  });

  it('pages raw JSON through okta.Collection under DPoP when the method is upper-case', async () => {
    const c = client(DPOP_CLIENT, keys.privatePem);
    // A factory without createInstance leaves each item as the raw JSON object.
    const raw = {} as ConstructorParameters<typeof okta.Collection>[2];
    const col = new okta.Collection<{ id: string }>(c.http, `${orgUrl}/api/v1/users?limit=200`, raw, {
      method: 'GET',
      headers: { Accept: 'application/json' },
    });
    const ids: string[] = [];
    for await (const user of col) if (user) ids.push(user.id);
    expect(ids).toEqual(['00u1']);
  });

  it('refuses a raw request made with method "get": the SDK signs htm "get" but sends GET', async () => {
    const c = client(DPOP_CLIENT, keys.privatePem);
    const err = await c.http.http(`${orgUrl}/api/v1/users`, { method: 'get', headers: { Accept: 'application/json' } }).then(
      () => undefined,
      (e: unknown) => e as { status?: number; errorCode?: string },
    );
    expect(err).toMatchObject({ status: 401, errorCode: 'E0000011' });
  });

  it('surfaces a wrong private key as 401 E0000011 on the API call', async () => {
    seen.length = 0;
    const err = await listAll(client(DPOP_CLIENT, wrongKeys.privatePem)).then(
      () => undefined,
      (e: unknown) => e as { status?: number; errorCode?: string },
    );
    expect(err).toMatchObject({ status: 401, errorCode: 'E0000011' });
    // The SDK swallows the token error, sends `Bearer undefined`, and retries once after the 401.
    expect(seen.filter((s) => s.path === '/oauth2/v1/token').every((s) => s.status === 401)).toBe(true);
    expect(seen.filter((s) => s.path === '/api/v1/users').map((s) => s.authScheme)).toEqual(['Bearer', 'Bearer']);
  });
});
