/** Test helpers: a simulator per test file, the real SDK pointed at it, and raw HTTP calls. */
import okta from '@okta/okta-sdk-nodejs';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/server.js';
import type { SimulatorOptions } from '../../src/simulator/options.js';

export async function simulator(opts: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  return startSimulator({ users: 300, seed: 7, ...opts });
}

/** The SDK as a user would build it: explicit settings, no cache, the SDK's own executor. */
export function sdkClient(sim: SimulatorHandle, executor: okta.RequestExecutor = new okta.DefaultRequestExecutor()): okta.Client {
  return new okta.Client({ orgUrl: sim.url, token: sim.token, cacheMiddleware: null, requestExecutor: executor });
}

export async function raw(sim: SimulatorHandle, path: string, init: RequestInit & { auth?: string | null } = {}): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const headers = new Headers(init.headers);
  if (init.auth !== null) headers.set('Authorization', init.auth ?? `SSWS ${sim.token}`);
  headers.set('Accept', 'application/json');
  const res = await fetch(`${sim.url}${path}`, { ...init, headers });
  const text = await res.text();
  let body: unknown;
  try { body = JSON.parse(text); } catch { body = undefined; }
  return { status: res.status, headers: res.headers, body, text };
}

/** Parse `Link` headers into rel → URL. */
export function links(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (headers.get('link') ?? '').split(/,\s*(?=<)/)) {
    const m = /<([^>]+)>;\s*rel="([^"]+)"/.exec(part);
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}
