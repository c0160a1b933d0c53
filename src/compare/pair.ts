/**
 * Two snapshots of one org to compare (`diff`, `verify-upgrade`): both must exist, be of the same
 * org, and be complete unless the caller allows partial ones. Their files are written like the
 * report's: all or nothing, in the output folder, named after the org and both snapshots.
 * @module
 */
import { join } from 'node:path';
import { AuditError } from '../errors.js';
import type { Db } from '../store/db.js';
import { computeCoverage, SnapshotReader } from '../store/snapshot_reader.js';
import type { SnapshotRow } from '../store/types.js';
import { runRules } from '../rules/run.js';
import { writeCsv } from '../report/csv.js';
import { OutputFiles } from '../report/files.js';
import { type ReportFormat, assessCompleteness, reportStem } from '../report/write_report.js';
import type { SheetSpec } from '../report/sheets.js';
import { writeSheetsJson } from '../report/sheets_json.js';
import { writeXlsx } from '../report/xlsx.js';

export interface Pair {
  before: SnapshotRow;
  after: SnapshotRow;
}

export function loadPair(db: Db, beforeId: number, afterId: number, allowPartial: boolean, what: string): Pair {
  const reader = new SnapshotReader(db);
  const before = reader.getSnapshot(beforeId);
  const after = reader.getSnapshot(afterId);
  if (before.id === after.id) throw new AuditError('ERR_USAGE', `${what}: both sides are snapshot ${before.id}; give two different snapshots.`);
  const sameOrg = before.org_id !== null && after.org_id !== null ? before.org_id === after.org_id : before.org_url === after.org_url;
  if (!sameOrg) {
    throw new AuditError('ERR_USAGE', `${what}: snapshot ${before.id} is of ${before.org_url} and snapshot ${after.id} of ${after.org_url}; compare two snapshots of the same org.`);
  }
  if (!allowPartial) {
    for (const s of [before, after]) {
      const c = assessCompleteness(s, computeCoverage(db, s.id));
      if (!c.complete) throw new AuditError('ERR_REPORT', `${what}: snapshot ${s.id} is incomplete: ${c.reasons.join(' ')} Resume it, or pass --allow-partial to compare anyway.`);
    }
  }
  return { before, after };
}

/** Findings are compared as stored: a snapshot no rule has run on yet gets its rules run first. */
export function ensureFindings(db: Db, snapshotId: number): void {
  const runs = db.prepare('SELECT count(*) FROM rule_runs WHERE snapshot_id = ?').pluck().get(snapshotId) as number;
  if (runs === 0) runRules(db, snapshotId);
}

/** `oie-audit-<kind>_<org host>_<time of before>_s<before>-s<after>`. */
function stem(kind: string, pair: Pair): string {
  return `${reportStem(pair.before).replace(/^oie-audit_/, `oie-audit-${kind}_`)}-s${pair.after.id}`;
}

/** Writes the sheets as a workbook, a CSV per sheet and one JSON document, all or nothing. */
export async function writeComparison(kind: string, pair: Pair, sheets: ReadonlyArray<SheetSpec>, head: object, outDir: string,
  formats: ReadonlyArray<ReportFormat>, now: Date): Promise<string[]> {
  const files = new OutputFiles(outDir);
  const base = join(outDir, stem(kind, pair));
  try {
    await files.makeFolder();
    if (formats.includes('xlsx')) await files.write(`${base}.xlsx`, (temp) => writeXlsx(temp, sheets, { now }));
    if (formats.includes('csv')) for (const sheet of sheets) await files.stream(`${base}_${sheet.slug}.csv`, (out) => writeCsv(out, sheet));
    if (formats.includes('json')) await files.stream(`${base}.json`, (out) => writeSheetsJson(out, head, sheets));
    return await files.commit();
  } catch (e) {
    throw await files.abort(e);
  }
}

export function snapshotWords(s: SnapshotRow): string {
  const engine = s.pipeline === 'idx' ? 'Identity Engine' : s.pipeline === 'v1' ? 'Classic Engine' : 'unknown engine';
  return `snapshot ${s.id}, crawled ${s.started_at.slice(0, 16).replace('T', ' ')} UTC, ${engine}`;
}
