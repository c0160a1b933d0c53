/** The proactive budget, on a fake clock: what it lets through, when it waits, how buckets are learned. */
import { RateBudget, routeTemplate, type Clock, type RateHeaders } from '../../src/okta/rate_budget.js';

class FakeClock implements Clock {
  t = 1_700_000_000_000;
  private timers: { at: number; resolve: () => void }[] = [];
  now(): number { return this.t; }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => { this.timers = this.timers.filter((x) => x !== timer); resolve(); });
    });
  }
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const d of due) d.resolve();
    await flush();
  }
}

const flush = () => new Promise((r) => setImmediate(r));

/** Start acquiring; report whether it was granted so far. */
function pending(budget: RateBudget, template: string) {
  const state = { granted: false, ticket: undefined as Awaited<ReturnType<RateBudget['acquire']>> | undefined };
  void budget.acquire(template).then((t) => { state.granted = true; state.ticket = t; });
  return state;
}

const headers = (limit: number, remaining: number, resetMs: number): RateHeaders => ({ limit, remaining, resetMs });

describe('RateBudget', () => {
  test('probes a new route alone, then spends floor(maxShare × Limit) per window and waits for Reset', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(0.5, clock);
    const reset = clock.t + 60_000;
    const probe = await budget.acquire('/api/v1/users');
    const second = pending(budget, '/api/v1/users');
    await flush();
    expect(second.granted).toBe(false); // limits unknown until the probe answers
    budget.settle(probe, headers(10, 9, reset), clock.t);
    await flush();
    expect(second.granted).toBe(true);
    // Quota is 5: the probe and the second are 2 of them.
    const more = [pending(budget, '/api/v1/users'), pending(budget, '/api/v1/users'), pending(budget, '/api/v1/users'), pending(budget, '/api/v1/users')];
    await flush();
    expect(more.map((m) => m.granted)).toEqual([true, true, true, false]);
    await clock.advance(59_000);
    expect(more[3]!.granted).toBe(false);
    await clock.advance(1_000);
    expect(more[3]!.granted).toBe(true);
  });

  test('routes that report the same Limit and Reset are one bucket', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(0.5, clock);
    const reset = clock.t + 60_000;
    const a = await budget.acquire('/api/v1/users/{id}/factors');
    const b = await budget.acquire('/api/v1/users/{id}/authenticator-enrollments');
    budget.settle(a, headers(4, 3, reset), clock.t);
    budget.settle(b, headers(4, 2, reset), clock.t);
    expect(budget.buckets()).toEqual([expect.objectContaining({ limit: 4, quota: 2, used: 2 })]);
    const c = pending(budget, '/api/v1/users/{id}/factors');
    await flush();
    expect(c.granted).toBe(false); // the shared quota of 2 is spent
  });

  test('a route first answered just after a window rolled over joins the bucket of the same Limit', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(0.5, clock);
    const reset = clock.t + 1000;
    const a = await budget.acquire('/api/v1/users/{id}/factors');
    budget.settle(a, headers(4, 3, reset), clock.t);
    const b = await budget.acquire('/api/v1/users/{id}/authenticator-enrollments'); // probe sent in window 1
    await clock.advance(1000); // window 1 over before the probe is answered, from window 2
    budget.settle(b, headers(4, 3, reset + 1000), clock.t);
    expect(budget.buckets()).toEqual([expect.objectContaining({ limit: 4, quota: 2, resetMs: reset + 1000 })]);
    // One share of 2 for both routes in window 2: the probe, one more, then wait.
    const c = await budget.acquire('/api/v1/users/{id}/factors');
    budget.settle(c, headers(4, 2, reset + 1000), clock.t);
    const d = pending(budget, '/api/v1/users/{id}/authenticator-enrollments');
    await flush();
    expect(d.granted).toBe(false);
  });

  test('leaves the others their share: a low Remaining (production traffic) holds the crawl back', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(0.5, clock);
    const reset = clock.t + 60_000;
    const probe = await budget.acquire('/api/v1/logs');
    budget.settle(probe, headers(100, 50, reset), clock.t); // others already used 49
    const next = pending(budget, '/api/v1/logs');
    await flush();
    expect(next.granted).toBe(false);
    await clock.advance(60_000);
    expect(next.granted).toBe(true);
  });

  test('an answer from a window that is over does not reset the count of the new one', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(0.5, clock);
    const reset = clock.t + 1000;
    const probe = await budget.acquire('/x');
    budget.settle(probe, headers(4, 3, reset), clock.t);
    const straggler = await budget.acquire('/x'); // sent in window 1, answered late
    await clock.advance(1000); // window 1 over
    const fresh = await budget.acquire('/x'); // window 2: the straggler may land here too
    budget.settle(straggler, headers(4, 2, reset), clock.t);
    budget.settle(fresh, headers(4, 3, reset + 1000), clock.t);
    expect(budget.buckets()[0]).toMatchObject({ used: 2, resetMs: reset + 1000 });
    const third = pending(budget, '/x');
    await flush();
    expect(third.granted).toBe(false);
  });

  test('a concurrency 429 (Limit 0) teaches nothing about the bucket', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(0.5, clock);
    const probe = await budget.acquire('/y');
    budget.settle(probe, headers(0, 0, clock.t + 1000), clock.t);
    expect(budget.buckets()).toEqual([]);
    const again = await budget.acquire('/y'); // still a probe
    expect(again.bucket).toBeUndefined();
  });
  test('learns the window length from consecutive windows, for the ETA', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget(0.5, clock);
    const first = clock.t + 10_000;
    budget.settle(await budget.acquire('/api/v1/users/{id}/factors'), headers(100, 99, first));
    expect(budget.buckets()[0]?.windowMs).toBeUndefined();
    await clock.advance(10_000);
    budget.settle(await budget.acquire('/api/v1/users/{id}/factors'), headers(100, 99, first + 10_000));
    expect(budget.buckets()[0]).toMatchObject({ quota: 50, windowMs: 10_000 });
    // A quiet spell between windows does not lengthen it.
    await clock.advance(35_000);
    budget.settle(await budget.acquire('/api/v1/users/{id}/factors'), headers(100, 99, first + 50_000));
    expect(budget.buckets()[0]?.windowMs).toBe(10_000);
  });
});

test.each([
  ['/api/v1/users', '/api/v1/users'],
  ['/api/v1/users/00ub0oNGTSWTBKOLGLNR/factors', '/api/v1/users/{id}/factors'],
  ['/api/v1/users/jo%40example.com', '/api/v1/users/{id}'],
  ['//api/v1/users/00u1/authenticator-enrollments', '/api/v1/users/{id}/authenticator-enrollments'],
  ['/api/v1/policies/00p1abc/rules', '/api/v1/policies/{id}/rules'],
  ['/oauth2/v1/token', '/oauth2/v1/token'],
  ['/.well-known/okta-organization', '/.well-known/okta-organization'],
  ['/api/v1/eventHooks', '/api/v1/eventHooks'],
])('routeTemplate(%s) = %s', (path, template) => {
  expect(routeTemplate(path)).toBe(template);

});
