/**
 * The upgrade's progress over time: for every snapshot of the org in the database (up to the one
 * reported), its findings by severity and by rule, as stored when its rules ran. A snapshot whose
 * rules never ran says so instead of showing zeros.
 * @module
 */
import type { Db } from '../store/db.js';
import type { SnapshotRow } from '../store/types.js';
import { parseTimestamp } from './cells.js';
import { date, label, num } from './columns.js';
import { type ColumnSpec, type SheetSpec, SEVERITIES, SEVERITY_WORD, type RuleMetaLike } from './sheets.js';

export interface BurnDownPoint {
  snapshotId: number;
  startedAt: string;
  pipeline: string | null;
  /** False when no rule has run on the snapshot. */
  evaluated: boolean;
  bySeverity: Record<string, number>;
  byRule: Record<string, number>;
  total: number;
}

/** Every snapshot of the reported snapshot's org up to it, oldest first. */
export function burnDown(db: Db, snapshot: SnapshotRow): BurnDownPoint[] {
  const snaps = db.prepare(`SELECT id, started_at, pipeline, (SELECT count(*) FROM rule_runs r WHERE r.snapshot_id = s.id) AS runs FROM snapshots s
    WHERE s.id <= ? AND (s.org_url = ? OR (s.org_id IS NOT NULL AND s.org_id = ?)) ORDER BY s.id`).all(snapshot.id, snapshot.org_url, snapshot.org_id) as
    Array<{ id: number; started_at: string; pipeline: string | null; runs: number }>;
  const counts = db.prepare(`SELECT rule_id, severity, count(*) AS n FROM findings WHERE snapshot_id = ? GROUP BY rule_id, severity`);
  return snaps.map((s) => {
    const bySeverity: Record<string, number> = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0]));
    const byRule: Record<string, number> = {};
    let total = 0;
    for (const c of counts.all(s.id) as Array<{ rule_id: string; severity: string; n: number }>) {
      bySeverity[c.severity] = (bySeverity[c.severity] ?? 0) + c.n;
      byRule[c.rule_id] = (byRule[c.rule_id] ?? 0) + c.n;
      total += c.n;
    }
    return { snapshotId: s.id, startedAt: s.started_at, pipeline: s.pipeline, evaluated: s.runs > 0, bySeverity, byRule, total };
  });
}

const engine = (p: string | null): string => (p === 'idx' ? 'Identity Engine' : p === 'v1' ? 'Classic Engine' : 'Unknown');

export function burnDownSheets(points: () => BurnDownPoint[], rules: readonly RuleMetaLike[]): SheetSpec[] {
  // A snapshot whose rules never ran has no counts, not zeros.
  const count = (p: BurnDownPoint, n: number | undefined): number | null => (p.evaluated ? n ?? 0 : null);
  const bySeverity: SheetSpec<BurnDownPoint> = {
    name: 'Burn-down',
    slug: 'burn-down',
    about: 'Every snapshot of this org in the database, oldest first, with its findings by severity: the upgrade\'s progress from audit to audit.',
    columns: [
      num('Snapshot ID', 10, (p) => p.snapshotId),
      date('Crawl started', (p) => p.startedAt),
      label('Engine', 16, (p) => engine(p.pipeline)),
      label('Rules run', 10, (p) => (p.evaluated ? 'Yes' : 'No')),
      ...SEVERITIES.map((sev): ColumnSpec<BurnDownPoint> => ({ header: SEVERITY_WORD[sev], width: 10, type: 'number', value: (p) => count(p, p.bySeverity[sev]) })),
      num('All findings', 12, (p) => count(p, p.total)),
    ],
    count: () => points().length,
    rows: points,
  };
  // One row per rule that ever had a finding, one column per snapshot.
  const ruleIds = (): string[] => {
    const seen = new Set(points().flatMap((p) => Object.keys(p.byRule)));
    return [...rules.map((r) => r.id).filter((id) => seen.has(id)), ...[...seen].filter((id) => !rules.some((r) => r.id === id)).sort()];
  };
  const title = new Map(rules.map((r) => [r.id, r.title]));
  const snapshotColumns = (): ColumnSpec<string>[] => points().map((p) => ({
    header: `Snapshot ${p.snapshotId} (${(parseTimestamp(p.startedAt) ?? new Date(0)).toISOString().slice(0, 10)})`, width: 14, type: 'number',
    value: (id: string) => count(p, p.byRule[id]),
  }));
  let cols: ColumnSpec<string>[] | undefined;
  const byRule: SheetSpec<string> = {
    name: 'Burn-down by Rule',
    slug: 'burn-down-by-rule',
    about: 'The same snapshots, one column each, with each rule\'s number of findings: which upgrade items are being worked off.',
    get columns() {
      return (cols ??= [label('Rule ID', 30, (id: string) => id), label('Rule', 44, (id: string) => title.get(id) ?? id), ...snapshotColumns()]);
    },
    count: () => ruleIds().length,
    rows: ruleIds,
  };
  return [bySeverity, byRule];
}

/** The last few snapshots' totals, for the Summary. */
export function burnDownSummary(points: BurnDownPoint[], max = 10): Array<{ item: string; value: string }> {
  return points.slice(-max).map((p) => ({
    item: `Snapshot ${p.snapshotId} (${p.startedAt.slice(0, 10)}, ${engine(p.pipeline)})`,
    value: p.evaluated
      ? `${p.total.toLocaleString('en-US')} ${p.total === 1 ? 'finding' : 'findings'}: ${SEVERITIES.filter((s) => (p.bySeverity[s] ?? 0) > 0).map((s) => `${(p.bySeverity[s] ?? 0).toLocaleString('en-US')} ${s}`).join(', ') || 'none'}`
      : 'Rules not run on this snapshot',
  }));
}
