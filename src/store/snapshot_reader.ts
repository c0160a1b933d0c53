/**
 * Read API for rules and the report. Per-user tables and the System Log are streamed with
 * `Statement.iterate()`, so memory stays flat whatever the org size; org-level lists
 * (policies, authenticators, hooks, tokens: tens of rows) are returned as arrays.
 *
 * While an iterator is open the connection can still read (lookups inside a loop work) but not
 * write; finish or `return()` the iterator before writing.
 * @module
 */
import type { Statement } from 'better-sqlite3';
import { AuditError } from '../errors.js';
import type { Db } from './db.js';
import type {
  ApiTokenRow,
  AuthenticatorRow,
  Coverage,
  CrawlErrorRow,
  CrawlState,
  EnrollmentRow,
  ErrorKind,
  ErrorScope,
  EventHookRow,
  FactorRow,
  LogEventRow,
  OrgResourceGap,
  OrgResourceRow,
  PolicyRow,
  PolicyRuleRow,
  SnapshotRow,
  UserRow,
} from './types.js';

/** One value or several (matched with IN). */
export type OneOrMany = string | readonly string[];

export interface UserFilter {
  status?: OneOrMany;
  crawlState?: CrawlState | readonly CrawlState[];
}
export interface FactorFilter {
  factorType?: OneOrMany;
  status?: OneOrMany;
  userId?: string;
}
export interface EnrollmentFilter {
  key?: OneOrMany;
  userId?: string;
}
export interface LogEventFilter {
  eventType?: OneOrMany;
  /** Matches request_uri by prefix, e.g. '/api/v1/authn'. */
  requestUriPrefix?: string;
  /** published >= since (ISO-8601). */
  since?: string;
  /** published < until (ISO-8601). */
  until?: string;
}
export interface CrawlErrorFilter {
  scope?: ErrorScope;
  kind?: ErrorKind;
}

/** The Okta object a row was extracted from, exactly as served. */
export function parseRaw<T = Record<string, unknown>>(row: { raw_json: string }): T {
  return JSON.parse(row.raw_json) as T;
}

type Condition = { sql: string; params: unknown[] };

function oneOrMany(column: string, value: OneOrMany | undefined): Condition | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return { sql: `${column} = ?`, params: [value] };
  // json_each keeps one statement shape (and one cached statement) for any list length.
  return { sql: `${column} IN (SELECT value FROM json_each(?))`, params: [JSON.stringify(value)] };
}

function equals(column: string, value: string | undefined): Condition | undefined {
  return value === undefined ? undefined : { sql: `${column} = ?`, params: [value] };
}

export class SnapshotReader {
  readonly #db: Db;
  // Filters change the SQL text; each distinct text is prepared once.
  readonly #statements = new Map<string, Statement<unknown[], unknown>>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** A snapshot by id, or 'latest': the newest complete snapshot (of any org). */
  getSnapshot(id: number | 'latest'): SnapshotRow {
    if (id === 'latest') {
      const row = this.#get<SnapshotRow>(`SELECT * FROM snapshots WHERE status = 'complete' ORDER BY id DESC LIMIT 1`, []);
      if (row === undefined) {
        throw new AuditError('ERR_SNAPSHOT', `No complete snapshot in ${this.#db.name}; run a crawl to completion, or pass a snapshot id to report on an incomplete one.`);
      }
      return row;
    }
    const row = this.#get<SnapshotRow>(`SELECT * FROM snapshots WHERE id = ?`, [id]);
    if (row === undefined) {
      throw new AuditError('ERR_SNAPSHOT', `Snapshot ${id} is not in ${this.#db.name}; list the snapshots it holds and pass one of their ids.`);
    }
    return row;
  }

  /** Every snapshot, newest first (a handful of rows). */
  listSnapshots(): SnapshotRow[] {
    return this.#all<SnapshotRow>(`SELECT * FROM snapshots ORDER BY id DESC`, []);
  }

  iterateUsers(id: number, filter: UserFilter = {}): IterableIterator<UserRow> {
    return this.#iterate<UserRow>('users', id, [oneOrMany('status', filter.status), oneOrMany('crawl_state', filter.crawlState)], 'id');
  }

  iterateFactors(id: number, filter: FactorFilter = {}): IterableIterator<FactorRow> {
    return this.#iterate<FactorRow>(
      'factors',
      id,
      [oneOrMany('factor_type', filter.factorType), oneOrMany('status', filter.status), equals('user_id', filter.userId)],
      'user_id, id',
    );
  }

  iterateEnrollments(id: number, filter: EnrollmentFilter = {}): IterableIterator<EnrollmentRow> {
    return this.#iterate<EnrollmentRow>('authenticator_enrollments', id, [oneOrMany('key', filter.key), equals('user_id', filter.userId)], 'user_id, id');
  }

  iterateLogEvents(id: number, filter: LogEventFilter = {}): IterableIterator<LogEventRow> {
    const prefix = filter.requestUriPrefix;
    return this.#iterate<LogEventRow>(
      'log_events',
      id,
      [
        oneOrMany('event_type', filter.eventType),
        // substr comparison, not LIKE: '_' and '%' are literal characters in a path.
        prefix === undefined ? undefined : { sql: 'substr(request_uri, 1, length(?)) = ?', params: [prefix, prefix] },
        filter.since === undefined ? undefined : { sql: 'published >= ?', params: [filter.since] },
        filter.until === undefined ? undefined : { sql: 'published < ?', params: [filter.until] },
      ],
      'published, uuid',
    );
  }

  iterateCrawlErrors(id: number, filter: CrawlErrorFilter = {}): IterableIterator<CrawlErrorRow> {
    return this.#iterate<CrawlErrorRow>('crawl_errors', id, [equals('scope', filter.scope), equals('kind', filter.kind)], 'id');
  }

  /** Same as {@link iterateCrawlErrors}; errors can number one per user, so this streams too. */
  crawlErrors(id: number, filter: CrawlErrorFilter = {}): IterableIterator<CrawlErrorRow> {
    return this.iterateCrawlErrors(id, filter);
  }

  authenticators(id: number): AuthenticatorRow[] {
    return this.#all<AuthenticatorRow>(`SELECT * FROM authenticators WHERE snapshot_id = ? ORDER BY key, id`, [id]);
  }

  /** Policies, optionally of one type (e.g. 'MFA_ENROLL'), in evaluation order. */
  policies(id: number, type?: string): PolicyRow[] {
    return type === undefined
      ? this.#all<PolicyRow>(`SELECT * FROM policies WHERE snapshot_id = ? ORDER BY type, priority, id`, [id])
      : this.#all<PolicyRow>(`SELECT * FROM policies WHERE snapshot_id = ? AND type = ? ORDER BY priority, id`, [id, type]);
  }

  policyRules(id: number, policyId: string): PolicyRuleRow[] {
    return this.#all<PolicyRuleRow>(`SELECT * FROM policy_rules WHERE snapshot_id = ? AND policy_id = ? ORDER BY priority, id`, [id, policyId]);
  }

  eventHooks(id: number): EventHookRow[] {
    return this.#all<EventHookRow>(`SELECT * FROM event_hooks WHERE snapshot_id = ? ORDER BY name, id`, [id]);
  }

  apiTokens(id: number): ApiTokenRow[] {
    return this.#all<ApiTokenRow>(`SELECT * FROM api_tokens WHERE snapshot_id = ? ORDER BY name, id`, [id]);
  }

  orgResources(id: number): OrgResourceRow[] {
    return this.#all<OrgResourceRow>(`SELECT * FROM org_resources WHERE snapshot_id = ? ORDER BY resource`, [id]);
  }

  /** Whether a resource was read; undefined if the crawl never got to it. */
  orgResource(id: number, resource: string): OrgResourceRow | undefined {
    return this.#get<OrgResourceRow>(`SELECT * FROM org_resources WHERE snapshot_id = ? AND resource = ?`, [id, resource]);
  }

  userById(id: number, userId: string): UserRow | undefined {
    return this.#get<UserRow>(`SELECT * FROM users WHERE snapshot_id = ? AND id = ?`, [id, userId]);
  }

  coverage(id: number): Coverage {
    return computeCoverage(this.#db, id);
  }

  #statement(sql: string): Statement<unknown[], unknown> {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare<unknown[], unknown>(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  #get<T>(sql: string, params: unknown[]): T | undefined {
    return this.#statement(sql).get(...params) as T | undefined;
  }

  #all<T>(sql: string, params: unknown[]): T[] {
    return this.#statement(sql).all(...params) as T[];
  }

  #iterate<T>(table: string, id: number, conditions: Array<Condition | undefined>, orderBy: string): IterableIterator<T> {
    const used = conditions.filter((c): c is Condition => c !== undefined);
    const where = ['snapshot_id = ?', ...used.map((c) => c.sql)].join(' AND ');
    const sql = `SELECT * FROM ${table} WHERE ${where} ORDER BY ${orderBy}`;
    return this.#statement(sql).iterate(id, ...used.flatMap((c) => c.params)) as IterableIterator<T>;
  }
}

function gap(r: OrgResourceRow): OrgResourceGap {
  return { resource: r.resource, reason: r.reason, httpStatus: r.http_status, errorCode: r.error_code };
}

/** Counts for a snapshot: users by crawl_state, org resources read or not, errors by kind. */
export function computeCoverage(db: Db, id: number): Coverage {
  const users: Coverage['users'] = { total: 0, pending: 0, complete: 0, deleted: 0, failed: 0 };
  for (const r of db.prepare<[number], { crawl_state: CrawlState; n: number }>(
    `SELECT crawl_state, count(*) AS n FROM users WHERE snapshot_id = ? GROUP BY crawl_state`,
  ).iterate(id)) {
    users[r.crawl_state] = r.n;
    users.total += r.n;
  }
  const errors: Coverage['errors'] = { failed: 0, deleted: 0, not_available: 0 };
  for (const r of db.prepare<[number], { kind: ErrorKind; n: number }>(
    `SELECT kind, count(*) AS n FROM crawl_errors WHERE snapshot_id = ? GROUP BY kind`,
  ).iterate(id)) {
    errors[r.kind] = r.n;
  }
  const resources = db.prepare<[number], OrgResourceRow>(`SELECT * FROM org_resources WHERE snapshot_id = ? ORDER BY resource`).all(id);
  const phases = db
    .prepare<[number], { phase: string; done: number }>(`SELECT phase, done FROM crawl_progress WHERE snapshot_id = ? ORDER BY phase`)
    .all(id)
    .map((p) => ({ phase: p.phase, done: p.done === 1 }));
  const expected = db.prepare<[number], { users_expected: number | null }>(`SELECT users_expected FROM snapshots WHERE id = ?`).get(id);
  return {
    snapshotId: id,
    usersExpected: expected?.users_expected ?? null,
    users,
    orgResources: {
      complete: resources.filter((r) => r.state === 'complete').map((r) => r.resource),
      notAvailable: resources.filter((r) => r.state === 'not_available').map(gap),
      notApplicable: resources.filter((r) => r.state === 'not_applicable').map(gap),
    },
    errors,
    phases,
  };
}
