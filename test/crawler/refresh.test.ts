/**
 * `crawl --refresh` against the simulator over time: a full crawl on day 0, then refreshes on days
 * 1, 7 and 30, each one from the previous. Each refreshed snapshot must equal a full crawl of the
 * org on that day, table by table, raw JSON included, while reading only the users that changed.
 */
import { join } from 'node:path';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { CHANGE_RATE } from '../../src/simulator/org/generated_history.js';
import { simulator } from '../support/sim.js';
import { crawlSimulator, rows, tempDir } from '../support/crawl.js';
import { snapshotDifferences, snapshotRows } from '../cli/snapshot_tables.js';

const USERS = 3000;
const DAY = 86_400_000;
const DAY0 = new Date('2026-06-01T00:00:00.000Z');

describe.each(['idx', 'v1'] as const)('refresh of a %s org on days 1, 7 and 30', (pipeline) => {
  const dir = tempDir('oie-refresh-');
  const refreshed = join(dir, 'refreshed.db');
  let port = 0;

  /** The org on `day`, at the same address each time (the snapshots name it). */
  async function org(day: number): Promise<SimulatorHandle> {
    const sim = await simulator({ users: USERS, seed: 9, pipeline, now: DAY0, day, port, windowMs: 1000, limits: { api_v1: 6000, users_list: 2000 } });
    port = Number(new URL(sim.url).port);
    return sim;
  }
  // Both crawls of a day read the same window, which ends as the day begins on the org's clock.
  const window = (day: number) => ({ logsUntil: new Date(DAY0.getTime() + day * DAY), logsSince: new Date(DAY0.getTime() + (day - 30) * DAY) });

  beforeAll(async () => {
    const sim = await org(0);
    try {
      await crawlSimulator(sim, { dbPath: refreshed, ...window(0) });
    } finally {
      await sim.close();
    }
  }, 120_000);

  test.each([[1, 2], [7, 3], [30, 4]])('day %i: the refresh (snapshot %i) equals a full crawl of that day', async (day, snapshotId) => {
    const sim = await org(day);
    try {
      const run = await crawlSimulator(sim, { dbPath: refreshed, refresh: {}, ...window(day) });
      expect(run.snapshotId).toBe(snapshotId);
      const readByRefresh = sim.stats().byEndpoint['user_factors'] ?? 0;
      const full = join(dir, `full-${day}.db`);
      await crawlSimulator(sim, { dbPath: full, ...window(day) });

      expect(snapshotDifferences({ db: refreshed, snapshot: snapshotId }, { db: full, snapshot: 1 })).toEqual({});
      for (const table of ['users', 'factors', 'log_events', 'apps', 'policies']) expect([table, snapshotRows(full, 1, table).length > 0]).toEqual([table, true]);
      if (pipeline === 'idx') expect(snapshotRows(full, 1, 'authenticator_enrollments').length).toBeGreaterThan(0);

      const [snap] = rows<{ status: string; base_snapshot_id: number; pipeline: string }>(refreshed, 'SELECT status, base_snapshot_id, pipeline FROM snapshots WHERE id = ?', snapshotId);
      expect(snap).toEqual({ status: 'complete', base_snapshot_id: snapshotId - 1, pipeline });
      // Only the users that changed were read again; the others were copied from the base.
      const [users] = rows<{ carried: number; read: number }>(refreshed,
        'SELECT sum(carried_from IS NOT NULL) AS carried, sum(carried_from IS NULL) AS read FROM users WHERE snapshot_id = ?', snapshotId);
      const daysSinceBase = day - (day === 1 ? 0 : day === 7 ? 1 : 7);
      expect(users!.read).toBe(readByRefresh);
      expect(users!.read).toBeGreaterThan(0);
      expect(users!.read).toBeLessThanOrEqual(Math.ceil(USERS * CHANGE_RATE) * daysSinceBase);
      expect(users!.carried).toBeGreaterThan(USERS * 0.5);
    } finally {
      await sim.close();
    }
  }, 120_000);
});
