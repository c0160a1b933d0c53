/**
 * The simulator over plain HTTP: Okta's headers and errors, rate-limit and concurrency semantics,
 * fault injection, log paging, spec conformance and the fixture round trip.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { dumpFixture } from '../../src/simulator/org/fixture.js';
import { parseFaultSpec } from '../../src/simulator/faults.js';
import { links, raw, simulator } from '../support/sim.js';
import { loadSpec, SPEC_PATHS, validateResponse, validateSchema } from '../support/openapi.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Okta headers and errors', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => { sim = await simulator({ users: 50 }); });
  afterAll(() => sim.close());

  test('every answer carries Content-Type, Date, X-Okta-Request-Id and the rate-limit headers', async () => {
    for (const path of ['/api/v1/users', '/api/v1/nope', '/.well-known/okta-organization']) {
      const r = await raw(sim, path);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Date.parse(r.headers.get('date') ?? '')).not.toBeNaN();
      expect(r.headers.get('x-okta-request-id')).toMatch(/^[\w-]{10,}$/);
      expect(Number(r.headers.get('x-rate-limit-limit'))).toBeGreaterThan(0);
      expect(Number(r.headers.get('x-rate-limit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(Number(r.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    }
  });

  test.each([
    ['a bad token', '/api/v1/users', { auth: 'SSWS 00wrong' }, 401, 'E0000011'],
    ['no credentials', '/api/v1/users', { auth: null }, 401, 'E0000011'],
    ['a bad filter', '/api/v1/users?filter=status%20eqq%20%22ACTIVE%22', {}, 400, 'E0000031'],
    ['a bad logs limit', '/api/v1/logs?limit=5000', {}, 400, 'E0000001'],
    ['an unknown path', '/api/v1/nope', {}, 404, 'E0000007'],
    ['an unknown user', '/api/v1/users/00uNOTAUSER000000000/factors', {}, 404, 'E0000007'],
    ['a policy list without type', '/api/v1/policies', {}, 400, 'E0000001'],
    ['a write', '/api/v1/users/00u1/lifecycle/deactivate', { method: 'POST' }, 405, 'E0000022'],
  ] as const)('%s gets the Okta error %s', async (_what, path, init, status, code) => {
    const r = await raw(sim, path, init as RequestInit & { auth?: string | null });
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ errorCode: code, errorLink: code, errorSummary: expect.any(String), errorId: expect.stringMatching(/^oae/), errorCauses: expect.any(Array) });
  });

  test('a huge users limit is clamped to 200, as Okta does', async () => {
    const big = await simulator({ users: 450 });
    try {
      const r = await raw(big, '/api/v1/users?limit=100000');
      expect(r.status).toBe(200);
      expect((r.body as unknown[]).length).toBe(200);
      expect(links(r.headers).next).toMatch(/after=/);
    } finally {
      await big.close();
    }
  });

  test('non-GET attempts are refused and counted; paths with // are tolerated', async () => {
    const before = sim.stats().nonGetAttempts.count;
    await raw(sim, '/api/v1/users/x/factors', { method: 'DELETE' });
    await raw(sim, '/api/v1/users', { method: 'POST', body: '{}' });
    expect(sim.stats().nonGetAttempts.count).toBe(before + 2);
    expect((await raw(sim, '//api/v1/users?limit=1')).status).toBe(200);
  });

  test('the stats endpoint lives outside /api/ and needs no token', async () => {
    const r = await raw(sim, '/__simulator/stats', { auth: null });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ totalRequests: expect.any(Number), buckets: expect.any(Object) });
  });

  test('a missing scope answers 403 E0000006', async () => {
    const narrow = await simulator({ users: 5, tokenScopes: ['okta.users.read'] });
    try {
      expect((await raw(narrow, '/api/v1/users?limit=1')).status).toBe(200);
      expect((await raw(narrow, '/api/v1/logs')).body).toMatchObject({ errorCode: 'E0000006' });
    } finally {
      await narrow.close();
    }
  });

  test('a Classic org has no authenticator-enrollments API', async () => {
    const v1 = await simulator({ users: 5, pipeline: 'v1' });
    try {
      const id = [...v1.source.users()][0]!.id;
      const r = await raw(v1, `/api/v1/users/${id}/authenticator-enrollments`);
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ errorCode: 'E0000015' });
      expect((await raw(v1, '/.well-known/okta-organization', { auth: null })).body).toMatchObject({ pipeline: 'v1' });
    } finally {
      await v1.close();
    }
  });
});

describe('rate limits', () => {
  test('a window opens at its first request, answers 429 E0000047 past the limit, and resets at X-Rate-Limit-Reset', async () => {
    const sim = await simulator({ users: 5, limits: { users_list: 3 }, windowMs: 2000 });
    try {
      await sleep(1000 - (Date.now() % 1000) + 300); // start mid-second: the window is not clock-aligned to the minute
      const first = await raw(sim, '/api/v1/users?limit=1');
      const reset = Number(first.headers.get('x-rate-limit-reset'));
      expect(first.headers.get('x-rate-limit-remaining')).toBe('2');
      expect(reset * 1000 - Date.now()).toBeLessThanOrEqual(2000);
      await raw(sim, '/api/v1/users?limit=1');
      await raw(sim, '/api/v1/users?limit=1');
      const limited = await raw(sim, '/api/v1/users?limit=1');
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ errorCode: 'E0000047' });
      expect(limited.headers.get('x-rate-limit-limit')).toBe('3');
      expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
      expect(Number(limited.headers.get('x-rate-limit-reset'))).toBe(reset);
      // Other buckets are unaffected.
      expect((await raw(sim, '/api/v1/eventHooks')).status).toBe(200);
      await sleep(reset * 1000 - Date.now() + 20);
      const after = await raw(sim, '/api/v1/users?limit=1');
      expect(after.status).toBe(200);
      expect(Number(after.headers.get('x-rate-limit-reset'))).toBeGreaterThan(reset);
      const w = sim.stats().buckets.users_list!.windows;
      expect(w.map((x) => [x.requests, x.rejectedQuota])).toEqual([[3, 1], [1, 0]]);
    } finally {
      await sim.close();
    }
  });

  test('unpublished endpoints share the /api/v1 catch-all unless given their own limit', async () => {
    const shared = await simulator({ users: 5 });
    const own = await simulator({ users: 5, limits: { user_factors: 100 } });
    try {
      const id = [...shared.source.users()][0]!.id;
      expect((await raw(shared, `/api/v1/users/${id}/factors`)).headers.get('x-rate-limit-limit')).toBe('1200');
      expect((await raw(own, `/api/v1/users/${[...own.source.users()][0]!.id}/factors`)).headers.get('x-rate-limit-limit')).toBe('100');
      expect(shared.stats().buckets.api_v1!.windows[0]!.requests).toBe(1);
    } finally {
      await shared.close();
      await own.close();
    }
  });

  test('past the concurrency limit Okta answers 429 with Limit and Remaining 0', async () => {
    const sim = await simulator({ users: 5, concurrencyLimit: 2, latencyMs: 300 });
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => raw(sim, '/api/v1/eventHooks')));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBe(3);
      for (const a of limited) {
        expect(a.headers.get('x-rate-limit-limit')).toBe('0');
        expect(a.headers.get('x-rate-limit-remaining')).toBe('0');
        expect(a.body).toMatchObject({ errorCode: 'E0000047' });
      }
      const s = sim.stats();
      expect(s.peakConcurrency).toBe(2);
      expect(Object.values(s.buckets).flatMap((b) => b.windows).reduce((n, w) => n + w.rejectedConcurrency, 0)).toBe(3);
    } finally {
      await sim.close();
    }
  });
});

describe('fault injection', () => {
  test('faults are seeded and reproducible, and retries get a fresh draw', async () => {
    const spec = parseFaultSpec('500=0.2,503=0.2,malformed=0.2,seed=11');
    const outcomes = async () => {
      const sim = await simulator({ users: 40, faults: spec });
      try {
        const seen: string[] = [];
        for (const u of [...sim.source.users()].slice(0, 30)) {
          const r = await raw(sim, `/api/v1/users/${u.id}`);
          seen.push(`${r.status}:${r.body === undefined ? 'unparsable' : 'json'}`);
        }
        return seen;
      } finally {
        await sim.close();
      }
    };
    const a = await outcomes();
    expect(a).toEqual(await outcomes());
    expect(a).toContain('500:json');
    expect(a).toContain('503:unparsable');
    expect(a).toContain('200:unparsable');
    expect(a).toContain('200:json');
  });

  test('a connection reset drops the socket; deleted users answer 404 on their sub-resources', async () => {
    const sim = await simulator({ users: 200, faults: parseFaultSpec('reset=1,seed=2') });
    try {
      await expect(fetch(`${sim.url}/api/v1/eventHooks`, { headers: { Authorization: `SSWS ${sim.token}` } })).rejects.toThrow();
    } finally {
      await sim.close();
    }
    const del = await simulator({ users: 200, faults: parseFaultSpec('deleted=0.1,seed=2') });
    try {
      const listed = (await raw(del, '/api/v1/users?limit=200')).body as { id: string; status: string }[];
      const active = listed.filter((u) => u.status !== 'DEPROVISIONED');
      const statuses = await Promise.all(active.map(async (u) => (await raw(del, `/api/v1/users/${u.id}/factors`)).status));
      expect(statuses.filter((s) => s === 404).length).toBeGreaterThan(5);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(100);
    } finally {
      await del.close();
    }
  });

  test('a slow response outlasts a client timeout', async () => {
    const sim = await simulator({ users: 5, faults: parseFaultSpec('slow=1,slowMs=3000') });
    try {
      await expect(fetch(`${sim.url}/api/v1/eventHooks`, { headers: { Authorization: `SSWS ${sim.token}` }, signal: AbortSignal.timeout(300) })).rejects.toThrow();
    } finally {
      await sim.close();
    }
  });
});

describe('System Log paging', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => { sim = await simulator({ users: 300 }); });
  afterAll(() => sim.close());

  test('a bounded query pages in published order and ends without next', async () => {
    const since = new Date(Date.now() - 30 * 86400_000).toISOString();
    const until = new Date().toISOString();
    let url: string | undefined = `/api/v1/logs?since=${since}&until=${until}&limit=100`;
    const seen: { published: string; uuid: string }[] = [];
    let pages = 0;
    while (url) {
      const r = await raw(sim, url.replace(sim.url, ''));
      expect(r.status).toBe(200);
      seen.push(...(r.body as { published: string; uuid: string }[]));
      url = links(r.headers).next;
      pages += 1;
    }
    expect(pages).toBeGreaterThan(2);
    const expected = [...sim.source.logs()].filter((e) => e.published >= since && e.published < until);
    expect(seen.map((e) => e.uuid)).toEqual(expected.map((e) => e.uuid));
  });

  test('a polling query (no until) always has next, also on an empty page', async () => {
    const r = await raw(sim, `/api/v1/logs?since=${new Date(Date.now() + 1000).toISOString()}`);
    // A since in the future is odd but legal for polling: nothing yet, come back later.
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
    expect(links(r.headers).next).toBeDefined();
  });
});

describe('spec conformance and fixtures', () => {
  const spec = loadSpec();
  if (!spec) console.log('management.yaml not found: skipping OpenAPI validation of simulator responses');
  const maybe = spec ? test : test.skip;

  maybe.each(['idx', 'v1'] as const)('every endpoint answers bodies that validate against Okta\'s spec (%s)', async (pipeline) => {
    const sim = await simulator({ users: 120, pipeline });
    try {
      const users = [...sim.source.users()];
      const user = users.find((u) => u.status === 'ACTIVE' && (sim.source.factors(u.id) ?? []).length > 2)!;
      const factor = sim.source.factors(user.id)![0]!;
      const policy = sim.source.policies()[0]!;
      const since = new Date(Date.now() - 30 * 86400_000).toISOString();
      const checks: [string, string][] = [
        [SPEC_PATHS.users, '/api/v1/users?limit=200'],
        [SPEC_PATHS.user, `/api/v1/users/${user.id}`],
        [SPEC_PATHS.userFactors, `/api/v1/users/${user.id}/factors`],
        [SPEC_PATHS.userFactor, `/api/v1/users/${user.id}/factors/${String(factor.id)}`],
        [SPEC_PATHS.userFactorCatalog, `/api/v1/users/${user.id}/factors/catalog`],
        [SPEC_PATHS.userFactorQuestions, `/api/v1/users/${user.id}/factors/questions`],
        [SPEC_PATHS.policies, `/api/v1/policies?type=${String(policy.type)}`],
        [SPEC_PATHS.policyRules, `/api/v1/policies/${String(policy.id)}/rules`],
        [SPEC_PATHS.logs, `/api/v1/logs?since=${since}&until=${new Date().toISOString()}&limit=1000`],
        [SPEC_PATHS.eventHooks, '/api/v1/eventHooks'],
        [SPEC_PATHS.apiTokens, '/api/v1/api-tokens'],
        [SPEC_PATHS.apps, '/api/v1/apps?limit=200'],
        [SPEC_PATHS.brands, '/api/v1/brands'],
        [SPEC_PATHS.domains, '/api/v1/domains'],
        [SPEC_PATHS.trustedOrigins, '/api/v1/trustedOrigins'],
        [SPEC_PATHS.inlineHooks, '/api/v1/inlineHooks'],
        [SPEC_PATHS.orgMetadata, '/.well-known/okta-organization'],
      ];
      // One customized page per engine (the other brand uses the default page and answers 404).
      const customized = sim.source.brands().find((b) => sim.source.signInPage(String(b['id'])) !== undefined)!;
      checks.push([SPEC_PATHS.signInPageCustomized, `/api/v1/brands/${String(customized['id'])}/pages/sign-in/customized`]);
      if (pipeline === 'idx') {
        checks.push([SPEC_PATHS.userAuthenticatorEnrollments, `/api/v1/users/${user.id}/authenticator-enrollments`]);
        checks.push([SPEC_PATHS.authenticators, '/api/v1/authenticators']);
      }
      for (const [template, path] of checks) {
        const r = await raw(sim, path);
        expect([path, r.status]).toEqual([path, 200]);
        const v = validateResponse(spec!, 'get', template, 200, r.body);
        expect([path, v.errors.slice(0, 5)]).toEqual([path, []]);
      }
      // v1: a brand on Okta's default page; idx customizes both brands, so an unknown brand answers the same 404.
      const plain = sim.source.brands().find((b) => sim.source.signInPage(String(b['id'])) === undefined);
      expect(plain === undefined).toBe(pipeline === 'idx');
      const notCustomized = `/api/v1/brands/${String(plain?.['id'] ?? 'bndNoSuchBrand000000')}/pages/sign-in/customized`;
      expect([notCustomized, (await raw(sim, notCustomized)).status]).toEqual([notCustomized, 404]);
      for (const path of ['/api/v1/nope', '/api/v1/users/00uNOPE/factors', notCustomized]) {
        expect(validateSchema(spec!, 'ModelError', (await raw(sim, path)).body).errors).toEqual([]);
      }
    } finally {
      await sim.close();
    }
  });

  test('dump → serve → identical responses', async () => {
    const a = await simulator({ users: 120, pipeline: 'idx' });
    const file = join(mkdtempSync(join(tmpdir(), 'oie-fixture-')), 'org.json');
    try {
      await dumpFixture(a.source, file);
      const b = await simulator({ fixture: JSON.parse(readFileSync(file, 'utf8')) });
      try {
        const u = [...a.source.users()].find((x) => x.status === 'ACTIVE')!;
        const p = a.source.policies()[0]!;
        const since = new Date(Date.now() - 30 * 86400_000).toISOString();
        const until = new Date().toISOString();
        for (const path of ['/api/v1/users?limit=50', `/api/v1/users?search=${encodeURIComponent('status eq "DEPROVISIONED"')}`,
          `/api/v1/users/${u.id}/factors`, `/api/v1/users/${u.id}/authenticator-enrollments`, '/api/v1/authenticators',
          `/api/v1/policies?type=${String(p.type)}`, `/api/v1/policies/${String(p.id)}/rules`, '/api/v1/eventHooks', '/api/v1/api-tokens',
          `/api/v1/logs?since=${since}&until=${until}&limit=1000`, '/.well-known/okta-organization',
          '/api/v1/apps?limit=200', '/api/v1/brands', ...a.source.brands().map((br) => `/api/v1/brands/${String(br['id'])}/pages/sign-in/customized`),
          '/api/v1/domains', '/api/v1/trustedOrigins', '/api/v1/inlineHooks']) {
          const ra = await raw(a, path);
          const rb = await raw(b, path);
          // Bodies are served verbatim; only the well-known document names the serving host.
          const same = (t: string) => t.replaceAll(a.url, 'BASE').replaceAll(b.url, 'BASE');
          expect([path, rb.status, same(rb.text)]).toEqual([path, ra.status, same(ra.text)]);
        }
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
  });
});
