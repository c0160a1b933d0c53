/**
 * Query parameters of `GET /api/v1/users`: `search`, `filter`, `q` and `limit`, with Okta's rules
 * (management spec `listUsers`; legacy Users API doc "List Users with a Filter" / "with Search").
 *
 * - Plain listing and `q` omit DEPROVISIONED users; `search` and `filter` return them whatever the
 *   expression says (spec: "Returned users include those with the DEPROVISIONED status"). An old
 *   doc note that they must be "explicitly requested with a status filter" was removed by Okta as
 *   incorrect (okta-blog-archive PR #1773, OKTA-151641), so a query need not name the status.
 * - `search`: any `profile.*` attribute plus `id, status, created, activated, statusChanged,
 *   lastUpdated, type.id`; operators `eq, sw, co, pr, gt, ge, lt, le` (`ne` is documented as not
 *   supported); `co` only on `profile.firstName|lastName|email|login`; values case-insensitive.
 * - `filter`: only `status, lastUpdated, id, profile.login|email|firstName|lastName`; only `eq`,
 *   plus `gt, ge, lt, le` on `lastUpdated`; `and`/`or` but no `not`; values case-sensitive.
 * - `q`: case-insensitive prefix of `profile.firstName`, `lastName` or `email`; default limit 10;
 *   no pagination.
 * - `limit`: default 200, at most 200 (values above are clamped).
 *
 * Errors (400):
 * - E0000031 "Invalid search criteria." for a malformed or unsupported search/filter. Verified
 *   for users `filter=status ne "ACTIVE"` (okta-sdk-python#245) and for a malformed groups search,
 *   whose cause was "Invalid search syntax." (okta-powershell-cli#48). Our `errorCauses` carry the
 *   parser's detail instead, which real Okta does not give.
 * - E0000033 "Bad request. Can't specify a search query and filter in the same request." (Okta's
 *   error-code catalog). Using it for every pair of `search` / `filter` / `q` is our reading: UNVERIFIED.
 * - E0000030 (catalog "Invalid date") for a date attribute compared with a non-date: UNVERIFIED.
 * - A non-numeric or < 1 `limit` → E0000001 "Api validation failed: limit": UNVERIFIED, as is the
 *   silent clamp above 200 (the docs only say "maximum 200").
 */
import type { OktaUser } from '../org/types.js';
import {
  ExpressionError,
  QueryError,
  comparisons,
  evaluate,
  parseExpression,
  parseIsoInstant,
  type Expression,
  type Operator,
} from './expression.js';

export { QueryError } from './expression.js';

export type UsersQueryMode = 'list' | 'search' | 'filter' | 'q';

export interface UsersQuery {
  readonly mode: UsersQueryMode;
  /** Page size after defaults and clamping. */
  readonly limit: number;
  readonly includesDeprovisioned: boolean;
  /** False for `q`: Okta answers one page and no `next` link. */
  readonly paginated: boolean;
  /** Status rule and expression together: the server needs nothing else to select users. */
  matches(user: OktaUser): boolean;
}

export const USERS_DEFAULT_LIMIT = 200;
export const USERS_MAX_LIMIT = 200;
export const USERS_Q_DEFAULT_LIMIT = 10;
const MAX_Q_LENGTH = 4096;

const SEARCH_OPERATORS: readonly Operator[] = ['eq', 'sw', 'co', 'pr', 'gt', 'ge', 'lt', 'le'];
const SEARCH_TOP_LEVEL = new Set(['id', 'status', 'created', 'activated', 'statusChanged', 'lastUpdated', 'type.id']);
const SEARCH_CONTAINS = new Set(['profile.firstName', 'profile.lastName', 'profile.email', 'profile.login']);

const FILTER_OPERATORS: readonly Operator[] = ['eq', 'gt', 'ge', 'lt', 'le'];
const FILTER_ATTRIBUTES = new Set([
  'status', 'lastUpdated', 'id', 'profile.login', 'profile.email', 'profile.firstName', 'profile.lastName',
]);

const DATE_ATTRIBUTES = new Set(['created', 'activated', 'statusChanged', 'lastUpdated']);

function invalidCriteria(detail: string): QueryError {
  return new QueryError('E0000031', 'Invalid search criteria.', [detail]);
}

function parseLimit(raw: string | null, fallback: number): number {
  const text = raw?.trim() ?? '';
  if (raw === null || text === '') return fallback;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1) {
    throw new QueryError('E0000001', 'Api validation failed: limit', [`limit: '${raw.slice(0, 40)}' is not an integer of at least 1`]);
  }
  return Math.min(Number(text), USERS_MAX_LIMIT);
}

function parseOrThrow(text: string, operators: readonly Operator[]): Expression {
  try {
    return parseExpression(text, { operators, allowNot: false });
  } catch (err) {
    if (err instanceof ExpressionError) throw invalidCriteria(err.message);
    throw err;
  }
}

function checkDates(expr: Expression): void {
  for (const c of comparisons(expr)) {
    if (c.kind === 'compare' && DATE_ATTRIBUTES.has(c.path) && typeof c.value === 'string' && parseIsoInstant(c.value) === undefined) {
      throw new QueryError(
        'E0000030',
        "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.",
        [`${c.path}: '${c.value.slice(0, 40)}' is not a date`],
      );
    }
  }
}

function parseSearch(text: string): Expression {
  const expr = parseOrThrow(text, SEARCH_OPERATORS);
  for (const c of comparisons(expr)) {
    const profileAttr = c.path.startsWith('profile.') && c.path.length > 'profile.'.length;
    if (!profileAttr && !SEARCH_TOP_LEVEL.has(c.path)) {
      throw invalidCriteria(`Attribute '${c.path}' at position ${c.position} cannot be searched`);
    }
    if (c.kind === 'compare' && c.op === 'co' && !SEARCH_CONTAINS.has(c.path)) {
      throw invalidCriteria(
        `Operator 'co' at position ${c.position} is only supported on ${[...SEARCH_CONTAINS].join(', ')}, not '${c.path}'`,
      );
    }
  }
  checkDates(expr);
  return expr;
}

function parseFilter(text: string): Expression {
  const expr = parseOrThrow(text, FILTER_OPERATORS);
  for (const c of comparisons(expr)) {
    if (!FILTER_ATTRIBUTES.has(c.path)) {
      throw invalidCriteria(
        `Attribute '${c.path}' at position ${c.position} cannot be filtered. Expected: ${[...FILTER_ATTRIBUTES].join(', ')}`,
      );
    }
    if (c.kind === 'compare' && c.op !== 'eq' && c.path !== 'lastUpdated') {
      throw invalidCriteria(`Operator '${c.op}' at position ${c.position} is only supported on lastUpdated; '${c.path}' takes eq`);
    }
  }
  checkDates(expr);
  return expr;
}

function startsWithFold(value: unknown, prefix: string): boolean {
  return typeof value === 'string' && value.toLowerCase().startsWith(prefix);
}

/** Parse `/api/v1/users` query parameters; throws QueryError carrying Okta's 400 error. */
export function parseUsersQuery(params: URLSearchParams): UsersQuery {
  // An empty parameter (`search=`) is treated as absent.
  const search = params.get('search')?.trim() || undefined;
  const filter = params.get('filter')?.trim() || undefined;
  const q = params.get('q')?.trim() || undefined;

  if ([search, filter, q].filter((p) => p !== undefined).length > 1) {
    throw new QueryError('E0000033', "Bad request. Can't specify a search query and filter in the same request.");
  }

  if (search !== undefined || filter !== undefined) {
    const expr = search !== undefined ? parseSearch(search) : parseFilter(filter!);
    const caseInsensitive = search !== undefined;
    return {
      mode: search !== undefined ? 'search' : 'filter',
      limit: parseLimit(params.get('limit'), USERS_DEFAULT_LIMIT),
      includesDeprovisioned: true,
      paginated: true,
      matches: (user) => evaluate(expr, user, { caseInsensitive }),
    };
  }

  if (q !== undefined) {
    if (q.length > MAX_Q_LENGTH) throw invalidCriteria(`q is ${q.length} characters; at most ${MAX_Q_LENGTH} allowed`);
    const prefix = q.toLowerCase();
    return {
      mode: 'q',
      limit: parseLimit(params.get('limit'), USERS_Q_DEFAULT_LIMIT),
      includesDeprovisioned: false,
      paginated: false,
      matches: (user) =>
        user.status !== 'DEPROVISIONED' &&
        (startsWithFold(user.profile['firstName'], prefix) ||
          startsWithFold(user.profile['lastName'], prefix) ||
          startsWithFold(user.profile['email'], prefix)),
    };
  }

  return {
    mode: 'list',
    limit: parseLimit(params.get('limit'), USERS_DEFAULT_LIMIT),
    includesDeprovisioned: false,
    paginated: true,
    matches: (user) => user.status !== 'DEPROVISIONED',
  };
}
