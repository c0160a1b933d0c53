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
 * With rules to run (`audit`), this connection holds writers off itself and runs them in its
 * write transaction, so they read what the workers read, while the workers render the sheets
 * that do not read their results. Once the results are committed, writers are held off again
 * while every reader moves on to that commit; a commit by another process in that moment is
 * seen in SQLite's data_version and fails the report rather than mix two states.
 * @module
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AuditError } from '../errors.js';
import { beginWriting, dataVersion, type Db, holdWriters, pinnedReader } from '../store/db.js';
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
   * Evaluates the rules and stores their results, before any sheet that reads them is read;
   * with render workers, while they render the others (the specs' beforeRules).
   */
  audit?: (read: Db) => Promise<unknown>;
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
  // With rules to run, this connection holds writers off itself and runs them in its write
  // transaction, while the workers render the sheets that do not read their results.
  const pin = formats.includes('xlsx') && opts.renderWorkers !== 0;
  const writing = pin && opts.audit !== undefined && beginWriting(db);
  let release = pin && !writing ? holdWriters(db) : undefined;
  if (opts.audit !== undefined && !writing) await opts.audit(db);
  const ownTransaction = !db.inTransaction;
  if (ownTransaction) db.exec('BEGIN');
  const files = new OutputFiles(opts.outDir);
  let renderers: RenderWorkers | undefined;
  let ruleReader: Db | undefined;
  try {
    const snapshot = new SnapshotReader(db).getSnapshot(opts.snapshot);
    if (release !== undefined || writing) {
      const count = opts.renderWorkers ?? defaultRenderWorkers(db, snapshot.id);
      if (count > 0) {
        renderers = new RenderWorkers(db.name, count);
        // The rules read the snapshot as the workers do, from a read transaction of their own.
        if (writing) ruleReader = pinnedReader(db.name);
        await renderers.pinned;
      }
      release?.();
    }
    const version = writing ? dataVersion(db) : 0;
    const coverage = computeCoverage(db, snapshot.id);
    const completeness = assessCompleteness(snapshot, coverage);
    // Rules not run yet run here: alone, or while the workers render (audited, below).
    const audited = async (): Promise<void> => {
      await opts.audit?.(ruleReader ?? db);
      ruleReader?.close();
      ruleReader = undefined;
      if (renderers === undefined) return;
      db.exec('COMMIT');
      // The results committed, writers are held off again while every reader moves on to that
      // commit; one written in between is seen by the data version and fails the report.
      release = holdWriters(db);
      if (release === undefined || dataVersion(db) !== version) {
        throw new AuditError('ERR_SNAPSHOT', `Snapshot database ${db.name} was written by another process while the rules ran; run the report again once it is done.`);
      }
      db.exec('BEGIN');
      ctx.known = knownResults(db, snapshot);
      await renderers.repin(ctx.known);
      release();
    };
    if (!completeness.complete && !opts.allowPartial) {
      if (writing) await opts.audit!(ruleReader ?? db); // stored all the same, as when the rules ran first
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
      const source = renderers === undefined ? undefined : { workers: renderers, context: ctx, ...(writing ? { audit: audited } : {}) };
      if (source === undefined && writing) await audited();
      await files.write(`${stem}.xlsx`, (temp) => writeXlsx(temp, sheets, { rowLimit, now, onSheet }, source));
      // exceljs cannot draw charts: the burn-down's goes beside the workbook once there are two points.
      const chart = burnDownSvg(burnDown(db, snapshot), snapshot.org_url);
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
    ruleReader?.close();
    release?.();
    await renderers?.close();
    // Commits the rules' results if they ran in this transaction; else ends a read.
    if ((ownTransaction || writing) && db.inTransaction) {
      try {
        db.exec('COMMIT');
      } catch {
        /* a read-only transaction: nothing to lose */
      }
    }
  }
}
