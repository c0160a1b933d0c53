/**
 * `/api/v1/logs` as Okta pages it: a bounded query (`until` given) is ordered by `published` and its
 * last page has no `next`; a polling query (no `until`) always has a `next`, even on an empty page.
 * The `after` cursor is `<publishedMs>_<uuid>` of the last event returned.
 */
import type { Handler } from './http_types.js';
import type { LogEvent } from './org/types.js';
import { filterIterable, pageLinks, takePage } from './paging.js';
import { parseLogsQuery } from './query/logs_query.js';

export const listLogs: Handler = (ctx) => {
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
  const events = takeWhileBefore(ctx.source.logs(fromMs), untilMs);
  const matching = filterIterable(events, (e) => inRange(e) && q.matches(e));
  const { page, more } = descendingOrder
    ? takePage(descending(matching), q.limit)
    : takePage(matching, q.limit);
  const last = page[page.length - 1];
  let next: Record<string, string> | null = null;
  if (last && (more || !q.bounded)) next = { after: `${Date.parse(last.published)}_${last.uuid}` };
  else if (!q.bounded) next = {}; // polling: an empty page still points at the same place
  if (next && 'after' in next) {
    return { status: 200, body: page, links: pageLinks(ctx.baseUrl, withoutSince(ctx.url), next) };
  }
  return { status: 200, body: page, links: pageLinks(ctx.baseUrl, ctx.url, next) };
};

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
