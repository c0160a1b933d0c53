/**
 * Query parameters of `GET /api/v1/logs` (management spec `listLogEvents`; okta-developer-docs
 * `reference/system-log-query`, cited below as "the guide").
 *
 * - `limit`: default 100, "Integer between 0 and 1000" (spec).
 * - `since` defaults to 7 days before `until`; `until` defaults to now. A query without `until`
 *   and with `sortOrder=ASCENDING` is a polling query; `since` + `until` is a bounded one.
 * - Retention: events older than 90 days are never returned, yet such a `since` still succeeds
 *   (guide, "Data retention"), so `since` is raised to the retention start. A `since` over 180 days
 *   ago is refused (guide, Errors).
 * - `since` and `after`: the guide calls them mutually exclusive, but its own `next` link example
 *   carries both (`…&after=…&since=…`), so Okta cannot be rejecting the pair. Both are accepted;
 *   `after` is where the page resumes and `since` stays a lower bound.
 * - `filter`: all operators, `and`/`or`/`not`, grouping. `published` is not allowed (guide: it
 *   conflicts with since/until/after); `co` on `debugContext.debugData.url|requestUri` is refused.
 *   String comparisons are case-insensitive: UNVERIFIED for the System Log (SCIM's default).
 * - `q`: up to 10 space-separated keywords of at most 40 characters (spec), all of which must
 *   match, case-insensitively and "exactly" (guide). What Okta tokenises is not documented; here
 *   every string, number and boolean anywhere in the event is a candidate, as a whole value and
 *   split into words, with hyphenated words also split at the hyphens (the guide's one documented
 *   tokenising rule).
 *
 * Errors (400), from the guide unless marked:
 * - bad `since`/`until`: E0000001 "Api validation failed: 'until': The date format in your query is
 *   not recognized. …" with two causes. A 2018 report saw E0000030 instead (okta-blog-archive#2499).
 * - malformed filter: E0000053 "Invalid filter '<filter>': <detail>", detail in Okta's style
 *   "Unrecognized attribute operator 'eqq' at position 16. Expected: …".
 * - unknown attribute: E0000053 "field is not valid: <field>" (the guide's "invalid field" example;
 *   that it applies to filter attributes is our reading).
 * - `co` on debugData url/requestUri: E0000031 "The supplied combination of operator and field is
 *   not currently supported. Operator: co, Field: <field>".
 * - `since` > 180 days ago: E0000053 "Invalid parameter: The since parameter is over 180 days prior
 *   to the current day."
 * - a keyword over 40 characters: E0000001 "Api validation failed: 'q': Freeform search cannot
 *   contain items longer than 40 characters. …".
 * - UNVERIFIED wording: more than 10 keywords, bad `limit`, bad `sortOrder`, `published` in filter.
 */
import type { LogEvent } from '../org/types.js';
import {
  ExpressionError,
  QueryError,
  comparisons,
  evaluate,
  parseExpression,
  parseIsoInstant,
  type Expression,
} from './expression.js';

export { QueryError } from './expression.js';

export type SortOrder = 'ASCENDING' | 'DESCENDING';

export interface LogsQuery {
  /** Lower bound after defaults and the 90-day retention floor. */
  readonly since: Date;
  /** Absent means an open-ended query (up to now). */
  readonly until: Date | undefined;
  /** `until` given: events are selected by `published` and the last page has no `next` link. */
  readonly bounded: boolean;
  /** No `until` and ASCENDING: every page, even an empty one, has a `next` link. */
  readonly polling: boolean;
  readonly after?: string;
  readonly limit: number;
  readonly sortOrder: SortOrder;
  /** Lower-cased `q` keywords, for the server's self link or logging. */
  readonly keywords: readonly string[];
  /** `filter` and `q` only; time bounds and the cursor are the server's. */
  matches(event: LogEvent): boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
export const LOGS_DEFAULT_LIMIT = 100;
export const LOGS_MAX_LIMIT = 1000;
export const LOGS_DEFAULT_WINDOW_DAYS = 7;
export const LOGS_RETENTION_DAYS = 90;
export const LOGS_MAX_SINCE_DAYS = 180;
const MAX_KEYWORDS = 10;
const MAX_KEYWORD_LENGTH = 40;

/** LogEvent's top-level properties (spec `LogEvent`); a filter on anything else is refused. */
const LOG_EVENT_FIELDS = new Set([
  'uuid', 'published', 'eventType', 'version', 'severity', 'legacyEventType', 'displayMessage', 'actor',
  'client', 'device', 'authenticationContext', 'securityContext', 'debugContext', 'outcome', 'transaction',
  'request', 'target',
]);
const NO_CONTAINS = new Set(['debugContext.debugData.url', 'debugContext.debugData.requestUri']);

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function parseDateParam(name: 'since' | 'until', raw: string): Date {
  const ms = parseIsoInstant(raw.trim());
  if (ms === undefined) {
    const notRecognized = `${name}: The date format in your query is not recognized. Please enter dates using ISO8601 string format.`;
    const mustBe = `${name}: must be a valid date-time or empty.`;
    throw new QueryError(
      'E0000001',
      `Api validation failed: '${name}': The date format in your query is not recognized. Please enter dates using ISO8601 string format. '${name}': must be a valid date-time or empty.`,
      [notRecognized, mustBe],
    );
  }
  return new Date(ms);
}

function parseLimit(raw: string | null): number {
  if (raw === null || raw.trim() === '') return LOGS_DEFAULT_LIMIT;
  const text = raw.trim();
  if (!/^[0-9]+$/.test(text) || Number(text) > LOGS_MAX_LIMIT) {
    throw new QueryError('E0000001', `Api validation failed: 'limit': must be an integer between 0 and ${LOGS_MAX_LIMIT}`, [
      `limit: '${clip(raw, 40)}' is not an integer between 0 and ${LOGS_MAX_LIMIT}`,
    ]);
  }
  return Number(text);
}

function parseSortOrder(raw: string | null): SortOrder {
  if (raw === null || raw === '') return 'ASCENDING';
  if (raw === 'ASCENDING' || raw === 'DESCENDING') return raw;
  throw new QueryError('E0000001', "Api validation failed: 'sortOrder': must be ASCENDING or DESCENDING", [
    `sortOrder: '${clip(raw, 40)}' is not ASCENDING or DESCENDING`,
  ]);
}

function parseFilter(text: string): Expression {
  let expr: Expression;
  try {
    expr = parseExpression(text);
  } catch (err) {
    if (err instanceof ExpressionError) throw new QueryError('E0000053', `Invalid filter '${clip(text)}': ${err.message}`);
    throw err;
  }
  for (const c of comparisons(expr)) {
    const root = c.path.split('.')[0]!;
    if (root === 'published') {
      throw new QueryError(
        'E0000053',
        `Invalid filter '${clip(text)}': 'published' at position ${c.position} cannot be filtered; use since and until`,
      );
    }
    if (!LOG_EVENT_FIELDS.has(root)) throw new QueryError('E0000053', `field is not valid: ${clip(c.path, 100)}`);
    if (c.kind === 'compare' && c.op === 'co' && NO_CONTAINS.has(c.path)) {
      throw new QueryError(
        'E0000031',
        `The supplied combination of operator and field is not currently supported. Operator: co, Field: ${c.path}`,
      );
    }
  }
  return expr;
}

function parseKeywords(raw: string | null): string[] {
  if (raw === null) return [];
  const keywords = raw.split(/\s+/).filter((k) => k !== '');
  if (keywords.some((k) => k.length > MAX_KEYWORD_LENGTH)) {
    throw new QueryError(
      'E0000001',
      "Api validation failed: 'q': Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields.",
    );
  }
  if (keywords.length > MAX_KEYWORDS) {
    throw new QueryError('E0000001', `Api validation failed: 'q': Freeform search cannot contain more than ${MAX_KEYWORDS} items.`);
  }
  return keywords.map((k) => k.toLowerCase());
}

// Word boundaries for `q`: anything but letters, digits and the characters that hold identifiers,
// hosts, emails and dotted event types together. One character class: matching is linear.
const SEPARATORS = /[^\p{L}\p{N}._@-]+/u;

/** Sentence punctuation ("Okta.") is not part of a word. A loop, not /\.+$/, which backtracks. */
function trimDots(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && word[start] === '.') start++;
  while (end > start && word[end - 1] === '.') end--;
  return word.slice(start, end);
}

function addTerms(value: string, terms: Set<string>): void {
  const lower = value.toLowerCase();
  terms.add(lower.trim());
  for (const raw of lower.split(SEPARATORS)) {
    const word = trimDots(raw);
    if (word === '') continue;
    terms.add(word);
    if (word.includes('-')) for (const part of word.split('-')) if (part) terms.add(part);
    if (word.includes('@')) for (const part of word.split('@')) if (part) terms.add(part);
  }
}

/** Every searchable term of an event; walked with an explicit stack, however deep the event. */
function eventTerms(event: LogEvent): Set<string> {
  const terms = new Set<string>();
  const stack: unknown[] = [event];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') addTerms(v, terms);
    else if (typeof v === 'number' || typeof v === 'boolean') terms.add(String(v));
    else if (Array.isArray(v)) stack.push(...v);
    else if (v !== null && typeof v === 'object') stack.push(...Object.values(v));
  }
  return terms;
}

/** Parse `/api/v1/logs` query parameters at time `now`; throws QueryError carrying Okta's 400 error. */
export function parseLogsQuery(params: URLSearchParams, now: Date): LogsQuery {
  const sinceRaw = params.get('since');
  const untilRaw = params.get('until');
  const until = untilRaw !== null && untilRaw.trim() !== '' ? parseDateParam('until', untilRaw) : undefined;
  const sinceGiven = sinceRaw !== null && sinceRaw.trim() !== '';
  const requestedSince = sinceGiven
    ? parseDateParam('since', sinceRaw)
    : new Date((until ?? now).getTime() - LOGS_DEFAULT_WINDOW_DAYS * DAY_MS);

  if (sinceGiven && requestedSince.getTime() < now.getTime() - LOGS_MAX_SINCE_DAYS * DAY_MS) {
    throw new QueryError('E0000053', 'Invalid parameter: The since parameter is over 180 days prior to the current day.');
  }
  const retentionStart = now.getTime() - LOGS_RETENTION_DAYS * DAY_MS;
  const since = new Date(Math.max(requestedSince.getTime(), retentionStart));

  const limit = parseLimit(params.get('limit'));
  const sortOrder = parseSortOrder(params.get('sortOrder'));
  const filterRaw = params.get('filter')?.trim();
  const expr = filterRaw ? parseFilter(filterRaw) : undefined;
  const keywords = parseKeywords(params.get('q'));
  const after = params.get('after') || undefined;

  return {
    since,
    until,
    bounded: until !== undefined,
    polling: until === undefined && sortOrder === 'ASCENDING',
    ...(after !== undefined ? { after } : {}),
    limit,
    sortOrder,
    keywords,
    matches(event: LogEvent): boolean {
      if (expr && !evaluate(expr, event, { caseInsensitive: true })) return false;
      if (keywords.length === 0) return true;
      const terms = eventTerms(event);
      return keywords.every((k) => terms.has(k));
    },
  };
}
