/**
 * Writes the report files for one snapshot: the workbook, a CSV per sheet and the JSON.
 *
 * ## What "incomplete" means
 * A snapshot is complete only when all of these hold:
 * 1. the crawl ran to its end (`snapshots.status = 'complete'`);
 * 2. no listed user is still `pending` (never read) or `failed` (a read failed after retries);
 * 3. no read failed after retries anywhere (`crawl_errors.kind = 'failed'`: org, user or logs);
 * 4. every org resource was read, except those recorded as not applicable: data the org cannot
 *    have (an Identity-Engine-only API on a Classic Engine org, or a feature Okta answers
 *    E0000015 for), so nothing is missing. A permission gap (E0000006, 401/403, a missing scope)
 *    does count: the data exists but was not read.
 * Users deleted during the crawl are a fact about the org, not a gap. An incomplete snapshot is
 * refused unless `allowPartial` is set; the report then opens with a warning and the reasons.
 *
 * ## Files
 * `oie-audit_<org host>_<crawl start, UTC, YYYY-MM-DDTHHMMZ>_s<snapshot id>.xlsx`, the same stem
 * plus `_<sheet>.csv` per sheet, and `.json`. Each is written to a hidden temporary file in the
 * output folder (mode 0600) and renamed into place only after every requested file is complete,
 * so a failure leaves no half-written report; temporary files are removed on failure.
 * All reads see one commit, so a crawl writing meanwhile cannot make the sheets disagree with
 * each other or with the Summary's counts: one read transaction, and the workbook's render
 * workers open theirs while writers are held off (holdWriters), before this one reads.
 * With rules to run (`audit`) and render workers, the rules run in a thread whose write
 * transaction holds other writers off from before the workers read; they read that same commit,
 * while the workers render the sheets that do not read their results. Once the results are
 * committed, writers are held off again while every reader moves on to that commit; a commit by
 * another process since the rules began is seen in SQLite's data_version and fails the report
 * rather than mix two states.
 * @module
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../errors.js';
import { checkpoint, type Db, holdWriters, shareable } from '../store/db.js';
import { runRules, type RuleRunResult } from '../rules/run.js';
import { RulesThread } from '../rules/run_thread.js';
import { computeCoverage, SnapshotReader } from '../store/snapshot_reader.js';
import type { Coverage, SnapshotRow } from '../store/types.js';
import { EXCEL_MAX_ROWS, parseTimestamp } from './cells.js';
import { burnDown } from './burndown.js';
import { burnDownSvg } from './burndown_chart.js';
import { writeCsv } from './csv.js';
import { OutputFiles } from './files.js';
import { writeJson } from './json.js';
import { resourceLabel } from '../store/resource_labels.js';
import { buildSheets, type Completeness, knownResults, type ReportContext, type RuleMetaLike } from './sheets.js';
import { RenderWorkers, writeXlsx } from './xlsx.js';

export type { Completeness, RuleMetaLike } from './sheets.js';

export type ReportFormat = 'xlsx' | 'csv' | 'json';
const FORMATS: readonly ReportFormat[] = ['xlsx', 'csv', 'json'];

export interface WriteReportOptions {
  /** A snapshot id, or 'latest': the newest complete snapshot. */
  snapshot: number | 'latest';
  /** Created (0700) if missing. */
  outDir: string;
  formats: ReadonlyArray<ReportFormat>;
  /** Write a report marked incomplete instead of refusing an incomplete snapshot. */
  allowPartial: boolean;
  /** Metadata of every rule in this version (the rules registry). */
  rules: readonly RuleMetaLike[];
  /** The report's clock (tests fix it). */
  now?: Date;
  /** Rows per sheet, header included; defaults to Excel's 1,048,576 (tests lower it). */
  rowLimit?: number;
  /**
   * Threads rendering the workbook beside this one; by default two on a machine with two cores
   * or more, for reports big enough to pay for starting them. 0 renders on this thread.
   */
  renderWorkers?: number;
  /**
   * Evaluate the rules first (their results are stored with the snapshot) and hand their results
   * here; with render workers, they run in a thread of their own while the workers render the
   * sheets that do not read them (the specs' beforeRules).
   */
  audit?: (results: RuleRunResult[]) => void;
  /** Called as each sheet of each file is written (a progress line for long reports). */
  onSheet?: (event: SheetProgress) => void;
}

export interface SheetProgress {
  format: ReportFormat;
  sheet: string;
  rows: number;
  ms: number;
}

export interface WriteReportResult {
  files: string[];
}


// Below this many users and factors a report is written before render workers would have started.
const WORKER_ROWS = 20_000;

function defaultRenderWorkers(db: Db, snapshotId: number): number {
  if (availableParallelism() < 2) return 0;
  const rows = db.prepare(`SELECT (SELECT count(*) FROM users WHERE snapshot_id = ?) + (SELECT count(*) FROM factors WHERE snapshot_id = ?)`)
    .pluck().get(snapshotId, snapshotId) as number;
  return rows >= WORKER_ROWS ? 2 : 0;
}

/** Decides whether a snapshot is complete (see the module header for the exact rules). */
export function assessCompleteness(snapshot: SnapshotRow, coverage: Coverage): Completeness {
  const reasons: string[] = [];
  if (snapshot.status === 'running') reasons.push('The crawl has not finished (it is running or was interrupted).');
  if (snapshot.status === 'failed') reasons.push('The crawl failed before it finished.');
  const u = coverage.users;
  if (u.pending > 0) reasons.push(`${u.pending} of ${u.total} listed users were never read.`);
  if (u.failed > 0) reasons.push(`${u.failed} users could not be read.`);
  if (coverage.errors.failed > 0) reasons.push(`${coverage.errors.failed} reads failed after retries.`);
  const missing = coverage.orgResources.notAvailable;
  if (missing.length > 0) {
    const what = missing.map((r) => `${resourceLabel(r.resource)} (${[r.httpStatus, r.errorCode].filter((x) => x !== null).join(' ') || 'not available'})`);
    reasons.push(`Org data not read: ${what.join(', ')}.`);
  }
  return { complete: reasons.length === 0, reasons };
}

/** File-name stem: tool, org host, crawl start (UTC, minutes) and snapshot id. */
export function reportStem(snapshot: SnapshotRow): string {
  let host: string;
  try {
    host = new URL(snapshot.org_url).host;
  } catch {
    host = snapshot.org_url;
  }
  // The URL came from configuration, but a file name must never carry a path separator.
  host = host.toLowerCase().replace(/[^a-z0-9.-]+/g, '_').replace(/^\.+/, '') || 'org';
  const started = parseTimestamp(snapshot.started_at);
  const stamp = started === null ? 'unknown-time' : `${started.toISOString().slice(0, 13)}${started.toISOString().slice(14, 16)}Z`;
  return `oie-audit_${host}_${stamp}_s${snapshot.id}`;
}

/** Writes the requested report files for one snapshot; see the module header. */
export async function writeReport(db: Db, opts: WriteReportOptions): Promise<WriteReportResult> {
  const formats = FORMATS.filter((f) => opts.formats.includes(f));
  const unknown = opts.formats.filter((f) => !FORMATS.includes(f));
  if (formats.length === 0 || unknown.length > 0) {
    throw new AuditError('ERR_REPORT', `Report formats ${JSON.stringify(opts.formats)} are not valid; choose one or more of xlsx, csv, json.`);
  }
  const rowLimit = opts.rowLimit ?? EXCEL_MAX_ROWS;
  if (!Number.isInteger(rowLimit) || rowLimit < 2 || rowLimit > EXCEL_MAX_ROWS) {
    throw new AuditError('ERR_REPORT', `Row limit ${rowLimit} is not between 2 and ${EXCEL_MAX_ROWS}; leave it at its default.`);
  }

  // One read transaction: every sheet and count sees the same data, even while a crawl writes.
  // Render workers read through connections of their own, opened while writers are held off
  // (briefly: just until each has started its transaction), so they read this one's commit.
  // Rules to run hold writers off themselves, in a thread of their own, while the workers
  // render the sheets that do not read their results (audited, below).
  const first = new SnapshotReader(db).getSnapshot(opts.snapshot);
  const workers = formats.includes('xlsx') && shareable(db) ? (opts.renderWorkers ?? defaultRenderWorkers(db, first.id)) : 0;
  let rules: RulesThread | undefined;
  let release: (() => void) | undefined;
  if (workers > 0 && opts.audit !== undefined) rules = await RulesThread.start(db.name, first.id);
  else if (workers > 0) release = holdWriters(db);
  else opts.audit?.(runRules(db, first.id));
  const ownTransaction = !db.inTransaction;
  if (ownTransaction) db.exec('BEGIN');
  const files = new OutputFiles(opts.outDir);
  let renderers: RenderWorkers | undefined;
  try {
    const snapshot = new SnapshotReader(db).getSnapshot(first.id);
    if (rules !== undefined || release !== undefined) {
      renderers = new RenderWorkers(db.name, workers);
      await renderers.pinned;
      release?.();
    }
    const coverage = computeCoverage(db, snapshot.id);
    const completeness = assessCompleteness(snapshot, coverage);
    // The rules' results committed, writers are held off again while every reader moves on to
    // that commit; another process's commit since the rules began fails the report.
    const audited = async (): Promise<void> => {
      opts.audit!(await rules!.results);
      db.exec('COMMIT'); // this read transaction's commit is before the rules'
      release = holdWriters(db);
      if (release === undefined || (await rules!.othersCommitted())) {
        throw new AuditError('ERR_SNAPSHOT', `Snapshot database ${db.name} was written by another process while the rules ran; run the report again once it is done.`);
      }
      db.exec('BEGIN');
      ctx.known = knownResults(db, snapshot);
      await renderers!.repin(ctx.known);
      release();
    };
    if (!completeness.complete && !opts.allowPartial) {
      if (rules !== undefined) opts.audit!(await rules.results); // stored all the same, as when the rules ran first
      throw new AuditError(
        'ERR_REPORT',
        `Snapshot ${snapshot.id} of ${snapshot.org_url} is incomplete: ${completeness.reasons.join(' ')} Resume or rerun the crawl (granting any missing access), or pass --allow-partial to write a report marked incomplete.`,
      );
    }
    const now = opts.now ?? new Date();
    const ctx: ReportContext = { db, snapshot, coverage, completeness, rules: opts.rules, now, rowLimit };
    const sheets = buildSheets(ctx);
    const stem = join(opts.outDir, reportStem(snapshot));

    await files.makeFolder();
    if (formats.includes('xlsx')) {
      const onSheet = (p: { name: string; rows: number }, ms: number): void => opts.onSheet?.({ format: 'xlsx', sheet: p.name, rows: p.rows, ms });
      const source = renderers === undefined ? undefined : { workers: renderers, context: ctx, ...(rules === undefined ? {} : { audit: audited }) };
      // The rules' findings reach the database file while the last sheets are packaged, rather
      // than when the command closes it (a second or two at a million users, on one core).
      const onRendered = rules === undefined ? undefined : () => checkpoint(db.name);
      await files.write(`${stem}.xlsx`, (temp) => writeXlsx(temp, sheets, { rowLimit, now, onSheet, ...(onRendered === undefined ? {} : { onRendered }) }, source));
      // exceljs cannot draw charts: the burn-down's goes beside the workbook once there are two points.
      const chart = burnDownSvg(ctx.known?.points ?? burnDown(db, snapshot), snapshot.org_url);
      if (chart !== undefined) await files.stream(`${stem}_burn-down.svg`, async (out) => void out.end(chart));
    }
    if (formats.includes('csv')) {
      for (const sheet of sheets) {
        const started = performance.now();
        let rows = 0;
        await files.stream(`${stem}_${sheet.slug}.csv`, async (out) => {
          rows = await writeCsv(out, sheet);
        });
        opts.onSheet?.({ format: 'csv', sheet: sheet.name, rows, ms: performance.now() - started });
      }
    }
    if (formats.includes('json')) {
      await files.stream(`${stem}.json`, (out) => writeJson(out, ctx));
    }
    return { files: await files.commit() };
  } catch (e) {
    throw await files.abort(e);
  } finally {
    release?.();
    await rules?.close();
    await renderers?.close();
    if (ownTransaction && db.inTransaction) {
      try {
        db.exec('COMMIT');
      } catch {
        /* a read-only transaction: nothing to lose */
      }
    }
  }
}
