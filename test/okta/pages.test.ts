/**
 * OktaReader.pages against the simulator through the real SDK: a bounded System Log query ends,
 * a polling one (its `next` names the same page forever) fails instead of looping.
 */
import { OktaReader } from '../../src/okta/client.js';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { simulator } from '../support/sim.js';

let sim: SimulatorHandle;
let reader: OktaReader;

beforeAll(async () => {
  sim = await simulator({ users: 50, seed: 3 });
  reader = new OktaReader({ orgUrl: sim.url, auth: { mode: 'SSWS', token: sim.token }, maxShare: 0.5, concurrency: 4, requestTimeoutMs: 10_000, maxRetries: 2, backoffBaseMs: 20 });
});
afterAll(async () => {
  await sim.close();
});

async function readAll(path: string): Promise<number> {
  let n = 0;
  for await (const page of reader.pages(path)) n += page.items.length;
  return n;
}

test('a bounded query reads every page and ends', async () => {
  const until = new Date();
  const since = new Date(until.getTime() - 28 * 86_400_000);
  await expect(readAll(`/api/v1/logs?since=${since.toISOString()}&until=${until.toISOString()}&limit=100&sortOrder=ASCENDING`)).resolves.toBeGreaterThan(100); // 125 events: two pages of 100
});

test('a next link naming the page just read fails with the path, instead of being followed forever', async () => {
  // A polling query past the last event: an empty page whose next is the same request.
  const since = new Date(Date.now() + 3_600_000).toISOString();
  await expect(readAll(`/api/v1/logs?since=${since}&limit=100&sortOrder=ASCENDING`)).rejects.toThrow(
    '/api/v1/logs: the next page link names the page just read; stopped instead of reading it forever');
});
