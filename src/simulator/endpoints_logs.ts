/**
 * `/api/v1/logs` as Okta pages it: a bounded query (`until` given) is ordered by `published` and its
 * last page has no `next`; a polling query (no `until`) always has a `next`, even on an empty page.
 * The `after` cursor is `<publishedMs>_<uuid>` of the last event returned.
 *
 * Okta answers a filter that matches little as fast as any other; this simulator scans its
 * generated log, and a month of a large org's log takes longer than a client waits. So an
 * ascending page stops after SCAN_BUDGET events examined, short or even empty, with a `next` from
 * the last event examined: clients follow `next` until it is gone, as Okta's paging requires.
 */
import type { Handler, HandlerContext, HandlerResult } from './http_types.js';
import type { LogEvent } from './org/types.js';
import { filterIterable, pageLinks, takePage } from './paging.js';
import { parseLogsQuery } from './query/logs_query.js';

/** Events one ascending page examines at most: on a 1,000,000-user org a page took up to 2.6 s. */
export const SCAN_BUDGET = 100_000;

export const listLogs: Handler = (ctx) => logsPage(ctx, SCAN_BUDGET);

/** listLogs with a given scan budget (tests use a small one). */
export function logsPage(ctx: HandlerContext, budget: number): HandlerResult {
  const q = parseLogsQuery(ctx.url.searchParams, ctx.now);
  const cursor = q.after ? parseCursor(q.after) : undefined;
  const descendingOrder = q.sortOrder === 'DESCENDING';
  const fromMs = cursor && !descendingOrder ? cursor.ms : q.since.getTime();
  const untilMs = q.until ? q.until.getTime() : ctx.now.getTime();
  const inRange = (e: LogEvent) => {
    const t = Date.parse(e.published);
    if (t >= untilMs) return false;
    if (t < q.since.getTime() && !cursor) return false;
    if (!cursor) return true;
    const cmp = t !== cursor.ms ? t - cursor.ms : e.uuid < cursor.uuid ? -1 : e.uuid > cursor.uuid ? 1 : 0;
    return descendingOrder ? cmp < 0 : cmp > 0;
  };
  const scan = new Scan(budget);
  // Only events past the cursor count, so each page moves on.
  const events = filterIterable(takeWhileBefore(ctx.source.logs(fromMs), untilMs), inRange);
  const matching = filterIterable(descendingOrder ? events : scan.over(events), q.matches);
  const { page, more } = descendingOrder
    ? takePage(descending(matching), q.limit)
    : takePage(matching, q.limit);
  const last = page[page.length - 1];
  // A full page resumes after its last event, a page cut short by the scan after the last examined.
  const resumeAt = more ? last : scan.cut ? scan.last : undefined;
  const after = (e: LogEvent) => ({ after: `${Date.parse(e.published)}_${e.uuid}` });
  let next: Record<string, string> | null = null;
  if (resumeAt) next = after(resumeAt);
  else if (last && !q.bounded) next = after(last);
  else if (!q.bounded) next = {}; // polling: an empty page still points at the same place
  if (next && 'after' in next) {
    return { status: 200, body: page, links: pageLinks(ctx.baseUrl, withoutSince(ctx.url), next) };
  }
  return { status: 200, body: page, links: pageLinks(ctx.baseUrl, ctx.url, next) };
};

/** Counts the events a page examines and stops at the budget, remembering the last one. */
class Scan {
  last: LogEvent | undefined;
  cut = false;
  constructor(private readonly budget: number) {}

  *over(events: Iterable<LogEvent>): Iterable<LogEvent> {
    let n = 0;
    for (const e of events) {
      if (n === this.budget) {
        this.cut = true;
        return;
      }
      n += 1;
      this.last = e;
      yield e;
    }
  }
}

/** `since` and `after` are mutually exclusive, so a `next` link carries only the cursor. */
function withoutSince(url: URL): URL {
  const u = new URL(url);
  u.searchParams.delete('since');
  return u;
}

function parseCursor(after: string): { ms: number; uuid: string } {
  const i = after.indexOf('_');
  const ms = Number(after.slice(0, i));
  return Number.isFinite(ms) && i > 0 ? { ms, uuid: after.slice(i + 1) } : { ms: 0, uuid: '' };
}

function* takeWhileBefore(events: Iterable<LogEvent>, untilMs: number): Iterable<LogEvent> {
  for (const e of events) {
    if (Date.parse(e.published) >= untilMs) return;
    yield e;
  }
}

/** DESCENDING needs the whole range in hand; the audit pages ASCENDING, so this stays small in practice. */
function descending(events: Iterable<LogEvent>): LogEvent[] {
  return [...events].reverse();
}
