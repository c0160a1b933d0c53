/**
 * Evaluates rules over one snapshot and stores the outcome in `rule_runs` and `findings`.
 *
 * Each rule runs in its own transaction (a savepoint inside a caller's) that first deletes the
 * rule's earlier rows for the snapshot, so a re-run replaces them and a crash or a throwing rule never leaves a half-written
 * result: a rule's findings and its rule_runs row always change together. Findings are written in
 * batches while the rule is still streaming its rows, which needs better-sqlite3's unsafe mode
 * (writing while a read statement is open); rules only read snapshot tables, never the two
 * tables written here.
 *
 * A rule whose data exists but was not read (org resource not available, no user's factor list
 * read) is recorded as skipped with the reason, never as an empty pass. A rule meant for the other
 * engine, or whose data the org cannot have (an Identity-Engine-only API on a Classic Engine org),
 * is recorded as not applicable: nothing is missing, there is just nothing to check.
 * @module
 */
import { AuditError } from '../errors.js';
import type { Db } from '../store/db.js';
import { resourceLabel } from '../store/resource_labels.js';
import { SnapshotReader } from '../store/snapshot_reader.js';
import type { SnapshotRow } from '../store/types.js';
import { RULES } from './registry.js';
import type { Finding, Requirement, Rule, RuleContext, RuleMeta } from './types.js';
import { SEVERITIES } from './types.js';

/** Findings written by one INSERT: one statement per 100 rows instead of per row saves a quarter of the insert time. */
export const FINDING_BATCH = 100;
const FINDING_COLUMNS = 10;
const FINDING_ROW = `(${Array(FINDING_COLUMNS).fill('?').join(', ')})`;

export type RuleRunStatus = 'evaluated' | 'skipped' | 'not_applicable' | 'error';

export interface RuleRunResult {
  ruleId: string;
  status: RuleRunStatus;
  reason?: string;
  findings: number;
}

export interface RunOptions {
  /** Rule ids to run; all when absent. */
  only?: readonly string[];
  /** Rules to choose from instead of the registry (tests, programmatic use). */
  rules?: readonly Rule[];
  /**
   * The connection the rules read the snapshot through; `db`, which writes the results, by
   * default. One whose read transaction started on the commit db's write transaction started
   * from reads the same rows, without searching the write-ahead log the findings go to.
   */
  read?: Db;
}

export function runRules(db: Db, snapshotId: number, opts: RunOptions = {}): RuleRunResult[] {
  const read = opts.read ?? db;
  const reader = new SnapshotReader(read);
  const snapshot = reader.getSnapshot(snapshotId);
  const rules = selectRules(opts.rules ?? RULES, opts.only);
  const ctx: RuleContext = { db: read, snapshot, reader, pipeline: snapshot.pipeline, now: new Date(snapshot.started_at) };
  const store = prepareStore(db);
  const availability = new Availability(read, snapshot);
  return rules.map((rule) => runOne(db, store, ctx, availability, rule));
}

function selectRules(rules: readonly Rule[], only: readonly string[] | undefined): readonly Rule[] {
  if (only === undefined) return rules;
  const known = new Set(rules.map((r) => r.meta.id));
  const unknown = only.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AuditError('ERR_USAGE', `Unknown rule id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}; run "oie-audit rules" to list the rule ids.`);
  }
  const wanted = new Set(only);
  return rules.filter((r) => wanted.has(r.meta.id));
}

type Store = ReturnType<typeof prepareStore>;

const INSERT_FINDINGS = `INSERT INTO findings (snapshot_id, rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json)`;

function prepareStore(db: Db) {
  return {
    deleteFindings: db.prepare<[number, string]>(`DELETE FROM findings WHERE snapshot_id = ? AND rule_id = ?`),
    deleteRun: db.prepare<[number, string]>(`DELETE FROM rule_runs WHERE snapshot_id = ? AND rule_id = ?`),
    insertRun: db.prepare<[number, string, RuleRunStatus, string | null, number, string]>(
      `INSERT INTO rule_runs (snapshot_id, rule_id, status, reason, findings, evaluated_at) VALUES (?, ?, ?, ?, ?, ?)`),
    // A full batch of findings, and the rows of the last, partial one.
    insertFindings: db.prepare<unknown[]>(`${INSERT_FINDINGS} VALUES ${Array(FINDING_BATCH).fill(FINDING_ROW).join(', ')}`),
    insertFinding: db.prepare<unknown[]>(`${INSERT_FINDINGS} VALUES ${FINDING_ROW}`),
  };
}

function runOne(db: Db, store: Store, ctx: RuleContext, availability: Availability, rule: Rule): RuleRunResult {
  const id = rule.meta.id;
  const snapshotId = ctx.snapshot.id;
  const record = (status: RuleRunStatus, reason: string | null, findings: number): void => {
    store.deleteFindings.run(snapshotId, id);
    store.deleteRun.run(snapshotId, id);
    store.insertRun.run(snapshotId, id, status, reason, findings, new Date().toISOString());
  };

  const skip = availability.skipReason(rule.meta);
  if (skip !== undefined) {
    db.transaction(() => record(skip.status, skip.reason, 0))();
    return { ruleId: id, status: skip.status, reason: skip.reason, findings: 0 };
  }

  let written = 0;
  db.unsafeMode(true);
  try {
    db.transaction(() => {
      store.deleteFindings.run(snapshotId, id);
      store.deleteRun.run(snapshotId, id);
      // The batch's column values, row after row; rows go in in order, so their ids are too.
      const values: unknown[] = [];
      const full = FINDING_BATCH * FINDING_COLUMNS;
      const flush = (): void => {
        if (values.length === full) store.insertFindings.run(values);
        else for (let k = 0; k < values.length; k += FINDING_COLUMNS) store.insertFinding.run(values.slice(k, k + FINDING_COLUMNS));
        written += values.length / FINDING_COLUMNS;
        values.length = 0;
      };
      for (const f of rule.evaluate(ctx)) {
        checkFinding(f, rule.meta);
        values.push(snapshotId, id, f.severity, f.subjectType, f.subjectId ?? null, f.userId ?? null, f.userLogin ?? null,
          f.userStatus ?? null, f.evidence, JSON.stringify(f.details));
        if (values.length === full) flush();
      }
      flush();
      store.insertRun.run(snapshotId, id, 'evaluated', null, written, new Date().toISOString());
    })();
    return { ruleId: id, status: 'evaluated', findings: written };
  } catch (err) {
    const reason = errorReason(err);
    db.transaction(() => record('error', reason, 0))();
    return { ruleId: id, status: 'error', reason, findings: 0 };
  } finally {
    db.unsafeMode(false);
  }
}

const KNOWN_SEVERITIES: ReadonlySet<string> = new Set(SEVERITIES);

/** A finding the report could not show correctly is a rule bug: fail the rule, not the run. */
function checkFinding(f: Finding, meta: RuleMeta): void {
  if (f.ruleId !== meta.id) throw new Error(`finding names rule "${f.ruleId}"`);
  if (!KNOWN_SEVERITIES.has(f.severity)) throw new Error(`finding has unknown severity "${f.severity}"`);
  if (typeof f.evidence !== 'string' || f.evidence.trim() === '') throw new Error('finding has no evidence');
}

function errorReason(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const line = text.replace(/\s+/g, ' ').trim();
  return `Rule failed: ${line.length > 500 ? `${line.slice(0, 497)}...` : line}`;
}

type Unmet = { status: 'skipped' | 'not_applicable'; reason: string };

/** Answers, per requirement, whether the snapshot holds the data (cached per run). */
class Availability {
  readonly #db: Db;
  readonly #snapshot: SnapshotRow;
  readonly #cache = new Map<string, Unmet | null>();

  constructor(db: Db, snapshot: SnapshotRow) {
    this.#db = db;
    this.#snapshot = snapshot;
  }

  /** Why the rule cannot run here, or undefined when it can. */
  skipReason(meta: RuleMeta): Unmet | undefined {
    const engine = this.#engineReason(meta);
    if (engine !== undefined) return engine;
    for (const req of meta.requires) {
      let unmet = this.#cache.get(req);
      if (unmet === undefined) {
        unmet = this.#requirementReason(req);
        this.#cache.set(req, unmet);
      }
      if (unmet !== null) return unmet;
    }
    return undefined;
  }

  #engineReason(meta: RuleMeta): Unmet | undefined {
    if (meta.appliesTo === 'both') return undefined;
    const wanted = meta.appliesTo === 'idx' ? 'Identity Engine' : 'Classic Engine';
    const pipeline = this.#snapshot.pipeline;
    if (pipeline === meta.appliesTo) return undefined;
    if (pipeline === null) return { status: 'skipped', reason: `Applies to ${wanted} orgs only, and the org's engine is unknown (org metadata was not read)` };
    return { status: 'not_applicable', reason: `Applies to ${wanted} orgs only; this org runs ${pipeline === 'idx' ? 'Identity Engine' : 'Classic Engine'} (pipeline ${pipeline})` };
  }

  #orgResource(resource: string) {
    return this.#db.prepare<[number, string], { state: string; reason: string | null; http_status: number | null; error_code: string | null }>(
      `SELECT state, reason, http_status, error_code FROM org_resources WHERE snapshot_id = ? AND resource = ?`).get(this.#snapshot.id, resource);
  }

  /** null when the requirement is met, else why not. */
  #requirementReason(req: Requirement): Unmet | null {
    const id = this.#snapshot.id;
    if (req === 'users') return null;
    if (req === 'factors' || req === 'authenticatorEnrollments') {
      const absent = req === 'authenticatorEnrollments' ? this.#orgResource('authenticatorEnrollments') : undefined;
      if (absent?.state === 'not_applicable') return { status: 'not_applicable', reason: `Authenticator enrollments: none in this org. ${absent.reason ?? ''}`.trim() };
      const column = req === 'factors' ? 'factors_fetched' : 'enrollments_fetched';
      // The count comes from an index; the EXISTS stops at the first user whose list was read
      // (summing the flag instead read every user row, seconds on a large org).
      const c = this.#db.prepare<[number, number], { total: number; read: number | null }>(
        `SELECT count(*) AS total, EXISTS (SELECT 1 FROM users WHERE snapshot_id = ? AND ${column} = 1) AS read FROM users WHERE snapshot_id = ?`).get(id, id);
      const total = c?.total ?? 0;
      if (total === 0 || (c?.read ?? 0) > 0) return null;
      const what = req === 'factors' ? 'Factor lists' : 'Authenticator enrollments';
      const endpoint = req === 'factors' ? '*/factors' : '*/authenticator-enrollments';
      const e = this.#db.prepare<[number, string], { http_status: number | null; error_code: string | null; message: string }>(
        `SELECT http_status, error_code, message FROM crawl_errors
          WHERE snapshot_id = ? AND scope = 'user' AND endpoint GLOB ? ORDER BY kind = 'not_available' DESC, id LIMIT 1`).get(id, endpoint);
      const cause = e === undefined ? '' : `: ${[e.http_status, e.error_code, e.message].filter((v) => v !== null).join(' ')}`;
      return { status: 'skipped', reason: `${what} not available: not read for any of the ${total} users in this snapshot${cause}` };
    }
    const row = this.#orgResource(req);
    const label = resourceLabel(req);
    if (row?.state === 'complete') return null;
    if (row?.state === 'not_applicable') return { status: 'not_applicable', reason: `${label}: none in this org. ${row.reason ?? ''}`.trim() };
    if (row?.state === 'not_available') {
      const parts = [row.http_status, row.error_code, row.reason].filter((v) => v !== null && v !== '');
      return { status: 'skipped', reason: `${label} not available${parts.length > 0 ? `: ${parts.join(' ')}` : ''}` };
    }
    // Not recorded: the read failed after retries, or the crawl never got to it.
    const subject = req === 'logs' ? 'logs:*' : req;
    const e = this.#db.prepare<[number, string], { http_status: number | null; error_code: string | null; message: string }>(
      `SELECT http_status, error_code, message FROM crawl_errors
        WHERE snapshot_id = ? AND scope IN ('org', 'logs') AND subject GLOB ? ORDER BY id DESC LIMIT 1`).get(id, subject);
    if (e !== undefined) return { status: 'skipped', reason: `${label} could not be read: ${[e.http_status, e.error_code, e.message].filter((v) => v !== null).join(' ')}` };
    return { status: 'skipped', reason: `${label} not read in this snapshot` };
  }
}
