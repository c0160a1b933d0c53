/**
 * Read-only by construction: whatever the SDK is asked to do, the executor lets only GETs to the
 * configured org (and the OAuth token POST) reach the network.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { OktaReader } from '../../src/okta/client.js';
import { simulator } from '../support/sim.js';

function readerFor(sim: SimulatorHandle, orgUrl = sim.url): OktaReader {
  return new OktaReader({ orgUrl, auth: { mode: 'SSWS', token: sim.token }, maxShare: 0.5, concurrency: 4, requestTimeoutMs: 5000, maxRetries: 1 });
}

describe('the executor refuses anything but reading this org', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => { sim = await simulator({ users: 20 }); });
  afterAll(() => sim.close());

  test.each([
    ['deactivateUser', (r: OktaReader, u: string) => r.client.userApi.deactivateUser({ userId: u })],
    ['deleteUser', (r: OktaReader, u: string) => r.client.userApi.deleteUser({ userId: u })],
    ['createUser', (r: OktaReader) => r.client.userApi.createUser({ body: { profile: { login: 'x@example.com', email: 'x@example.com', firstName: 'x', lastName: 'y' } } })],
    ['unenrollFactor', (r: OktaReader, u: string) => r.client.userFactorApi.unenrollFactor({ userId: u, factorId: 'opf1' })],
    ['resetFactors', (r: OktaReader, u: string) => r.client.userApi.resetFactors({ userId: u })],
    ['raw DELETE', (r: OktaReader, u: string) => r.client.http.http(`${r.orgUrl}/api/v1/users/${u}/factors/opf1`, { method: 'DELETE' })],
    ['raw PUT', (r: OktaReader) => r.client.http.http(`${r.orgUrl}/api/v1/policies/00p1`, { method: 'PUT', body: '{}' })],
    ['raw POST outside the token endpoint', (r: OktaReader) => r.client.http.http(`${r.orgUrl}/api/v1/authn`, { method: 'POST', body: '{}' })],
  ] as const)('%s is refused before the network', async (_name, call) => {
    const reader = readerFor(sim);
    const before = sim.stats().totalRequests;
    const userId = [...sim.source.users()][0]!.id;
    await expect(call(reader, userId)).rejects.toMatchObject({ code: 'ERR_READ_ONLY_VIOLATION' });
    expect(sim.stats().totalRequests).toBe(before);
    expect(sim.stats().nonGetAttempts.count).toBe(0);
  });

  test('reads still work through the same client', async () => {
    const reader = readerFor(sim);
    const org = (await reader.getJson('/.well-known/okta-organization')) as { pipeline: string };
    expect(org.pipeline).toBe('idx');
  });

  test('a Link header pointing at another host never receives the credentials', async () => {
    let evilHits = 0;
    const evil = http.createServer((_req, res) => { evilHits += 1; res.end('[]'); });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    const org = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', Link: `<${evilUrl}/api/v1/users?after=x>; rel="next"` });
      res.end('[{"id":"00u1"}]');
    });
    await new Promise<void>((r) => org.listen(0, '127.0.0.1', r));
    const orgUrl = `http://127.0.0.1:${(org.address() as AddressInfo).port}`;
    try {
      const reader = readerFor(sim, orgUrl);
      const pages: unknown[] = [];
      await expect((async () => { for await (const p of reader.pages('/api/v1/users')) pages.push(p); })())
        .rejects.toMatchObject({ code: 'ERR_READ_ONLY_VIOLATION' });
      expect(pages.length).toBe(1);
      expect(evilHits).toBe(0);
    } finally {
      evil.close();
      org.close();
    }
  });
});
