/** Render workers: the same workbook as rendering on one thread, and one commit for every reader. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type ExcelJS from 'exceljs';
import { type Db, holdWriters, openDatabase } from '../../src/store/db.js';
import { writeReport } from '../../src/report/write_report.js';
import { RULES as REGISTRY } from '../../src/rules/registry.js';
import type { RuleRunResult } from '../../src/rules/run.js';
import { crawlAcme, judgeAcme, listDir, NOW, readWorkbook, RULES, sheetNames, STEM, tempDir } from './helpers.js';

function cells(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row) => {
    const values: unknown[] = [];
    row.eachCell({ includeEmpty: true }, (cell) => values.push([cell.value instanceof Date ? cell.value.toISOString() : cell.value, cell.numFmt ?? null, cell.fill ?? null]));
    rows.push(values);
  });
  return rows;
}

describe('render workers', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;

  beforeAll(() => {
    t = tempDir();
    db = openDatabase(t.file('snap.db'));
    const { id } = crawlAcme(db);
    judgeAcme(db, id);
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('write the same workbook as one thread, sheets and continuations in order', async () => {
    // A row limit of 3 splits the bigger sheets into parts, which the workers finish out of order.
    const write = async (renderWorkers: number, dir: string): Promise<ExcelJS.Workbook> => {
      await writeReport(db, { snapshot: 'latest', outDir: join(t.dir, dir), formats: ['xlsx'], allowPartial: false, rules: RULES, now: NOW, rowLimit: 3, renderWorkers });
      return readWorkbook(join(t.dir, dir, `${STEM}.xlsx`));
    };
    const one = await write(0, 'one');
    const two = await write(2, 'two');
    expect(sheetNames(two)).toEqual(sheetNames(one));
    expect(listDir(join(t.dir, 'two'))).toEqual([`${STEM}.xlsx`]); // no part file left behind
    expect(sheetNames(one)).toContain('Factors (2)');
    expect(sheetNames(one).indexOf('Factors (2)')).toBe(sheetNames(one).indexOf('Factors') + 1);
    for (const ws of one.worksheets) expect(cells(two.getWorksheet(ws.name)!)).toEqual(cells(ws));
  });

  it('hold writers off until released, so readers that start meanwhile see one commit', () => {
    const release = holdWriters(db);
    expect(release).toBeDefined();
    const other = new Database(db.name, { timeout: 50 });
    try {
      expect(() => other.prepare(`UPDATE snapshots SET tool_version = tool_version`).run()).toThrow(/locked|busy/i);
      release!();
      expect(() => other.prepare(`UPDATE snapshots SET tool_version = tool_version`).run()).not.toThrow();
    } finally {
    }
  });

  it('are not used for an in-memory database, nor inside a caller\'s transaction', () => {
    const mem = openDatabase(':memory:');
    try {
      expect(holdWriters(mem)).toBeUndefined();
    } finally {
      mem.close();
    }
    db.exec('BEGIN');
    try {
      expect(holdWriters(db)).toBeUndefined();
    } finally {
      db.exec('ROLLBACK');
    }
  });

  it('run the rules (in a thread of their own) beside them, and render the findings from the rules\' commit', async () => {
    const fresh = openDatabase(t.file('audit.db'));
    try {
      const { id } = crawlAcme(fresh);
      const order: string[] = [];
      let results: RuleRunResult[] = [];
      await writeReport(fresh, {
        snapshot: 'latest', outDir: join(t.dir, 'audited'), formats: ['xlsx'], allowPartial: false, rules: RULES, now: NOW, rowLimit: 3, renderWorkers: 2,
        onSheet: (e) => order.push(e.sheet),
        audit: (r) => {
          results = r;
          order.push('rules');
        },
      });
      expect(results.map((r) => r.ruleId)).toEqual(REGISTRY.map((r) => r.meta.id));
      expect(order.indexOf('Findings')).toBeGreaterThan(order.indexOf('rules'));
      const stored = fresh.prepare(`SELECT count(*) FROM findings WHERE snapshot_id = ?`).pluck().get(id) as number;
      expect(stored).toBeGreaterThan(0);
      expect(fresh.prepare(`SELECT sum(findings) FROM rule_runs WHERE snapshot_id = ?`).pluck().get(id)).toBe(stored);
      // The same workbook as one thread writes from the stored findings.
      await writeReport(fresh, { snapshot: 'latest', outDir: join(t.dir, 'after'), formats: ['xlsx'], allowPartial: false, rules: RULES, now: NOW, rowLimit: 3, renderWorkers: 0 });
      const audited = await readWorkbook(join(t.dir, 'audited', `${STEM}.xlsx`));
      const after = await readWorkbook(join(t.dir, 'after', `${STEM}.xlsx`));
      expect(sheetNames(audited)).toEqual(sheetNames(after));
      expect(listDir(join(t.dir, 'audited'))).toEqual([`${STEM}.xlsx`]);
      for (const ws of after.worksheets) expect(cells(audited.getWorksheet(ws.name)!)).toEqual(cells(ws));
      const findingRows = sheetNames(after).filter((n) => /^Findings( \(\d+\))?$/.test(n)).reduce((n, name) => n + cells(after.getWorksheet(name)!).length - 1, 0);
      expect(findingRows).toBe(stored);
    } finally {
      fresh.close();
    }
  });
});
