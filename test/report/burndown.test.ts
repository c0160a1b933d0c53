/**
 * The burn-down: the report of one snapshot shows the findings of every snapshot of the same org
 * in the database up to it, by severity and by rule, and says which snapshots were never audited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { writeReport } from '../../src/report/write_report.js';
import { RULES as REGISTRY } from '../../src/rules/registry.js';
import { writeSnapshotDirect } from '../rules/helpers.js';
import { user } from '../rules/okta_json.js';
import { insertFindings, insertRuleRuns, readWorkbook, rowsOf, tempDir } from './helpers.js';

const U2F = 'factor_u2f_classic_only';
const WEAK = 'user_weak_factors_only';

test('Burn-down sheets, Summary and JSON: every audited snapshot of the org, oldest first', async () => {
  const t = tempDir();
  const db = openDatabase(t.file('acme.db'));
  const snap = (pipeline: 'v1' | 'idx', startedAt: string, orgUrl?: string) =>
    writeSnapshotDirect(db, { org: { id: orgUrl ? '00oother' : '00oacme', pipeline }, users: [user('00u1', 'ann@example.com')] }, { startedAt, ...(orgUrl ? { orgUrl } : {}) });
  const s1 = snap('v1', '2026-10-01T08:00:00.000Z');
  const s2 = snap('v1', '2026-10-08T08:00:00.000Z'); // never audited
  const other = snap('v1', '2026-10-09T08:00:00.000Z', 'https://other.okta.com');
  const s4 = snap('idx', '2026-11-01T08:00:00.000Z');
  insertRuleRuns(db, s1, [{ rule: U2F, status: 'evaluated' }, { rule: WEAK, status: 'evaluated' }]);
  insertFindings(db, s1, [
    ...['a', 'b', 'c'].map((u) => ({ rule: U2F, severity: 'high', userId: u, evidence: 'u2f' })),
    ...['d', 'e'].map((u) => ({ rule: WEAK, severity: 'medium', userId: u, evidence: 'weak' })),
  ]);
  insertRuleRuns(db, other, [{ rule: U2F, status: 'evaluated' }]);
  insertFindings(db, other, [{ rule: U2F, severity: 'high', userId: 'x', evidence: 'another org' }]);
  insertRuleRuns(db, s4, [{ rule: U2F, status: 'evaluated' }, { rule: WEAK, status: 'evaluated' }]);
  insertFindings(db, s4, [{ rule: U2F, severity: 'high', userId: 'a', evidence: 'u2f' }]);

  const out = join(t.dir, 'out');
  const { files } = await writeReport(db, { snapshot: s4, outDir: out, formats: ['xlsx', 'json'], allowPartial: false, rules: REGISTRY.map((r) => r.meta) });
  const wb = await readWorkbook(files.find((f) => f.endsWith('.xlsx'))!);
  const v = (c: { value: unknown } | undefined) => (c?.value instanceof Date ? c.value.toISOString() : c?.value ?? null);
  expect(rowsOf(wb.getWorksheet('Burn-down')!).map((r) => [v(r['Snapshot ID']), v(r['Crawl started (UTC)']), v(r['Engine']), v(r['Rules run']), v(r['High']), v(r['Medium']), v(r['All findings'])])).toEqual([
    [s1, '2026-10-01T08:00:00.000Z', 'Classic Engine', 'Yes', 3, 2, 5],
    [s2, '2026-10-08T08:00:00.000Z', 'Classic Engine', 'No', null, null, null],
    [s4, '2026-11-01T08:00:00.000Z', 'Identity Engine', 'Yes', 1, 0, 1],
  ]);
  const byRule = rowsOf(wb.getWorksheet('Burn-down by Rule')!);
  expect(byRule.map((r) => [v(r['Rule ID']), v(r[`Snapshot ${s1} (2026-10-01)`]), v(r[`Snapshot ${s2} (2026-10-08)`]), v(r[`Snapshot ${s4} (2026-11-01)`])])).toEqual([
    [U2F, 3, null, 1],
    [WEAK, 2, null, 0],
  ]);
  const progress = rowsOf(wb.getWorksheet('Summary')!).filter((r) => r['Section']!.value === 'Progress over time').map((r) => [r['Item']!.value, r['Value']!.value]);
  expect(progress).toEqual([
    [`Snapshot ${s1} (2026-10-01, Classic Engine)`, '5 findings: 3 high, 2 medium'],
    [`Snapshot ${s2} (2026-10-08, Classic Engine)`, 'Rules not run on this snapshot'],
    [`Snapshot ${s4} (2026-11-01, Identity Engine)`, '1 finding: 1 high'],
  ]);
  const json = JSON.parse(readFileSync(files.find((f) => f.endsWith('.json'))!, 'utf8')) as { burnDown: Array<{ snapshotId: number; evaluated: boolean; total: number; byRule: object }> };
  expect(json.burnDown.map((p) => [p.snapshotId, p.evaluated, p.total, p.byRule])).toEqual([
    [s1, true, 5, { [U2F]: 3, [WEAK]: 2 }], [s2, false, 0, {}], [s4, true, 1, { [U2F]: 1 }],
  ]);
  // Beside the workbook, the chart: the audited snapshots only, the upgrade between them.
  const svg = readFileSync(files.find((f) => f.endsWith('_burn-down.svg'))!, 'utf8');
  expect([...svg.matchAll(/>#(\d+)</g)].map((m) => Number(m[1]))).toEqual([s1, s4]);
  expect(svg).toContain('upgrade to Identity Engine');
  const allLine = /<polyline points="([^"]+)" fill="none" stroke="#333333"/.exec(svg)![1]!.split(' ').map((xy) => Number(xy.split(',')[1]));
  expect(allLine[0]! < allLine[1]!).toBe(true); // 5 findings, then 1: the line goes down (SVG y grows downwards)
  // One audited snapshot is no trend: no chart.
  const first = await writeReport(db, { snapshot: s1, outDir: join(t.dir, 'out1'), formats: ['xlsx'], allowPartial: false, rules: REGISTRY.map((r) => r.meta) });
  expect(first.files.map((f) => f.slice(f.lastIndexOf('.')))).toEqual(['.xlsx']);
  db.close();
  t.cleanup();
});
