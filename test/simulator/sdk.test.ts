/**
 * The simulator through the real @okta/okta-sdk-nodejs: what a user's own script would see.
 */
import { generateKeyPairSync } from 'node:crypto';
import okta from '@okta/okta-sdk-nodejs';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import type { JsonObject, OktaUser } from '../../src/simulator/org/types.js';
import { sdkClient, simulator } from '../support/sim.js';

function usersWhere(sim: SimulatorHandle, keep: (u: OktaUser) => boolean): OktaUser[] {
  return [...sim.source.users()].filter(keep);
}

describe('simulator via the SDK', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => { sim = await simulator({ users: 450, pipeline: 'idx' }); });
  afterAll(() => sim.close());

  test('userApi.listUsers pages through every non-deprovisioned user (three pages of 200)', async () => {
    const client = sdkClient(sim);
    const ids: string[] = [];
    for await (const u of await client.userApi.listUsers({ limit: 200 })) if (u) ids.push(u.id!);
    const expected = usersWhere(sim, (u) => u.status !== 'DEPROVISIONED').map((u) => u.id);
    expect(expected.length).toBeGreaterThan(400);
    expect(ids).toEqual(expected);
    const listWindows = sim.stats().buckets.users_list!.windows;
    expect(listWindows.reduce((a, w) => a + w.requests, 0)).toBe(3);
  });

  test('a search for DEPROVISIONED returns exactly those users', async () => {
    const client = sdkClient(sim);
    const ids: string[] = [];
    for await (const u of await client.userApi.listUsers({ search: 'status eq "DEPROVISIONED"' })) if (u) ids.push(u.id!);
    const expected = usersWhere(sim, (u) => u.status === 'DEPROVISIONED').map((u) => u.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
  });

  test('userFactorApi.listFactors returns a signed_nonce row with its profile.keys intact', async () => {
    const user = usersWhere(sim, (u) => u.status === 'ACTIVE' && (sim.source.factors(u.id) ?? []).some((f) => f.factorType === 'signed_nonce'))[0]!;
    const served = sim.source.factors(user.id)!.find((f) => f.factorType === 'signed_nonce')!;
    const client = sdkClient(sim);
    const got: okta.UserFactor[] = [];
    for await (const f of await client.userFactorApi.listFactors({ userId: user.id })) if (f) got.push(f);
    const sn = got.find((f) => f.factorType === 'signed_nonce')!;
    expect(sn.id).toBe(served.id);
    expect(sn.profile).toEqual(served.profile);
    expect((sn.profile as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });

  test('the raw Collection path returns authenticator enrollments intact (the typed method cannot)', async () => {
    const user = usersWhere(sim, (u) => u.status === 'ACTIVE' && (sim.source.authenticatorEnrollments(u.id) ?? []).length > 1)[0]!;
    const client = sdkClient(sim);
    const col = new okta.Collection<JsonObject>(client.http, `${sim.url}/api/v1/users/${user.id}/authenticator-enrollments`, {} as never,
      { method: 'GET', headers: { Accept: 'application/json' } });
    const got: JsonObject[] = [];
    for await (const e of col) if (e) got.push(e);
    expect(got).toEqual(sim.source.authenticatorEnrollments(user.id));
  });

  test('the SDK default executor retries a quota 429 after X-Rate-Limit-Reset', async () => {
    const small = await simulator({ users: 5, limits: { user_get: 2 }, windowMs: 1000 });
    try {
      const client = sdkClient(small);
      const id = [...small.source.users()][0]!.id;
      const t0 = Date.now();
      for (let i = 0; i < 3; i++) await client.userApi.getUser({ userId: id });
      const stats = small.stats().buckets.user_get!;
      const rejected = stats.windows.reduce((a, w) => a + w.rejectedQuota, 0);
      expect(rejected).toBe(1);
      expect(stats.windows.length).toBe(2);
      // The SDK waits Reset − Date + 1 s.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    } finally {
      await small.close();
    }
  });

  test('PrivateKey mode with DPoP obtains a token and lists users; a wrong key is refused', async () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrong = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = (k: typeof key.privateKey) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
    const oauth = await simulator({
      users: 10,
      oauthClients: [{ clientId: '0oaaudit', publicKey: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(), grantedScopes: ['okta.users.read'] }],
    });
    try {
      const make = (privateKey: string) => new okta.Client({
        orgUrl: oauth.url, authorizationMode: 'PrivateKey', clientId: '0oaaudit', scopes: ['okta.users.read'],
        privateKey, keyId: 'k1', cacheMiddleware: null,
      });
      const ids: string[] = [];
      for await (const u of await make(pem(key.privateKey)).userApi.listUsers()) if (u) ids.push(u.id!);
      expect(ids.length).toBe(usersWhere(oauth, (u) => u.status !== 'DEPROVISIONED').length);
      await expect((async () => {
        for await (const u of await make(pem(wrong.privateKey)).userApi.listUsers()) void u;
      })()).rejects.toMatchObject({ status: 401, errorCode: 'E0000011' });
    } finally {
      await oauth.close();
    }
  });
});
