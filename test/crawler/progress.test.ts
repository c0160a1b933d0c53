/**
 * Crawl progress as a user reads it on the bar: users done never pass the total, the total grows to
 * every listed user (DEPROVISIONED ones included, once their search is listed), each user is read
 * once, and the ETA comes from the rate budget once it has seen a window roll over.
 */
import { budgetEtaSeconds, formatEta, type ProgressState } from '../../src/crawler/progress.js';
import { simulator } from '../support/sim.js';
import { crawlSimulator } from '../support/crawl.js';

describe('budgetEtaSeconds', () => {
  const factors = '/api/v1/users/{id}/factors';
  const enrollments = '/api/v1/users/{id}/authenticator-enrollments';

  test('remaining requests over the share per window, the slowest bucket deciding', () => {
    // 1,000 users × 2 requests in one bucket with a share of 600 per 60 s window: 200 s.
    expect(budgetEtaSeconds([{ templates: [factors, enrollments], quota: 600, windowMs: 60_000 }], 1000)).toBeCloseTo(200);
    // Split over two buckets, the smaller share wins: 1,000 / 100 × 60 s.
    expect(budgetEtaSeconds([
      { templates: [factors], quota: 600, windowMs: 60_000 },
      { templates: [enrollments], quota: 100, windowMs: 60_000 },
      { templates: ['/api/v1/logs'], quota: 1, windowMs: 60_000 },
    ], 1000)).toBeCloseTo(600);
  });

  test('unknown until a per-user bucket is known and has rolled over', () => {
    expect(budgetEtaSeconds([], 10)).toBeNull();
    expect(budgetEtaSeconds([{ templates: ['/api/v1/users'], quota: 300, windowMs: 60_000 }], 10)).toBeNull();
    expect(budgetEtaSeconds([{ templates: [factors], quota: 600, windowMs: undefined }], 10)).toBeNull();
  });

  test('formats like the bar shows it', () => {
    expect(formatEta(200)).toBe('3m20s');
    expect(formatEta(3 * 3600 + 61)).toBe('3h01m');
    expect(formatEta(null)).toBe('?');
  });
});

describe.each(['idx', 'v1'] as const)('progress of a 600-user %s crawl', (pipeline) => {
  test('done ≤ total all along, total = every user once listed, each user read once, ETA from the budget', async () => {
    // 1 s windows and a small share so the crawl spans several windows and the budget learns one.
    const sim = await simulator({ users: 600, seed: 3, pipeline, windowMs: 1000, limits: { api_v1: 400 } });
    const states: ProgressState[] = [];
    try {
      await crawlSimulator(sim, { maxShare: 0.5, concurrency: 8, onProgress: (p) => states.push(p) });
      const bad = states.filter((p) => p.usersDone > p.usersTotal);
      expect(bad).toEqual([]);
      const last = states.at(-1)!;
      expect(last).toMatchObject({ usersDone: 600, usersTotal: 600, listing: false });
      expect(sim.stats().byEndpoint['user_factors']).toBe(600);
      // The total includes DEPROVISIONED users, which only their own search lists.
      const deprovisioned = [...sim.source.users()].filter((u) => u.status === 'DEPROVISIONED').length;
      expect(deprovisioned).toBeGreaterThan(5);
      expect(states.some((p) => !p.listing && p.usersTotal === 600)).toBe(true);
      // Once a window has rolled over, the ETA is the budget's: remaining requests / 200 per second.
      const perUser = pipeline === 'idx' ? 2 : 1;
      const late = states.filter((p) => p.usersDone >= 300 && p.usersDone < p.usersTotal);
      expect(late.length).toBeGreaterThan(0);
      for (const p of late) expect([p.usersDone, p.etaSeconds]).toEqual([p.usersDone, expect.closeTo(((p.usersTotal - p.usersDone) * perUser) / 200, 1)]);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
