/**
 * The System Log's scan bound: an ascending page stops after a number of events examined, so a
 * filter that matches little still answers in bounded time, and following `next` reads exactly
 * what one unbounded scan would.
 */
import { logsPage, SCAN_BUDGET } from '../../src/simulator/endpoints_logs.js';
import type { JsonResponse } from '../../src/simulator/http_types.js';
import { createGeneratedOrg } from '../../src/simulator/org/generated.js';
import type { LogEvent } from '../../src/simulator/org/types.js';

const NOW = new Date('2026-03-10T00:00:00.000Z');
const BASE = 'https://sim.example.com';
const source = createGeneratedOrg({ users: 300, seed: 4, pipeline: 'idx', baseUrl: BASE, now: NOW });

/** Every page of a query, following `next`, with the given scan budget. */
function readAll(query: string, budget: number): { events: LogEvent[]; pages: number } {
  let url: URL | undefined = new URL(`${BASE}/api/v1/logs?${query}`);
  const events: LogEvent[] = [];
  let pages = 0;
  while (url !== undefined) {
    const r = logsPage({ source, url, params: [], baseUrl: BASE, now: NOW, isDeleted: () => false }, budget) as JsonResponse;
    expect(r.status).toBe(200);
    events.push(...(r.body as LogEvent[]));
    pages += 1;
    const next = (r.links ?? []).find((l) => l.endsWith('rel="next"'));
    url = next === undefined ? undefined : new URL(/^<([^>]+)>/.exec(next)![1]!);
    if (pages > 10_000) throw new Error('the pages never end');
  }
  return { events, pages };
}

const window = `since=2026-02-10T00:00:00.000Z&until=2026-03-10T00:00:00.000Z&limit=100&sortOrder=ASCENDING`;

test.each([
  ['a filter nothing matches', 'eventType eq "no.such.event"'],
  ['a sparse filter', 'eventType eq "user.mfa.factor.deactivate"'],
  ['no filter', undefined],
])('%s: pages cut by the scan, followed to the end, give what one unbounded scan gives', (_, filter) => {
  const query = filter === undefined ? window : `${window}&filter=${encodeURIComponent(filter)}`;
  const whole = readAll(query, Number.MAX_SAFE_INTEGER);
  const cut = readAll(query, 50);
  expect(cut.events.map((e) => e.uuid)).toEqual(whole.events.map((e) => e.uuid));
  // The small budget did cut pages short: a budget under the page size cuts even pages of every event.
  expect(cut.pages).toBeGreaterThan(whole.pages);
});

test('the server examines at most SCAN_BUDGET events a page', () => {
  expect(SCAN_BUDGET).toBeGreaterThanOrEqual(10_000);
  // Budget 1: every page moves on by one event at least, and the read still ends.
  const one = readAll(`${window}&filter=${encodeURIComponent('eventType eq "user.mfa.factor.deactivate"')}`, 1);
  const whole = readAll(`${window}&filter=${encodeURIComponent('eventType eq "user.mfa.factor.deactivate"')}`, Number.MAX_SAFE_INTEGER);
  expect(one.events.length).toBe(whole.events.length);
  expect(whole.events.length).toBeGreaterThan(0);
});
