/**
 * The workbook of a generated org with its real findings, pinned two ways:
 * - rendered on one thread, every part of the package (each worksheet's XML, styles, shared
 *   strings, workbook, properties) is byte for byte what it was before the writer was optimised:
 *   their digests are in the jest snapshot, written before those changes;
 * - rendered by the render workers (which number shared strings in their own slots, and may split
 *   a sheet's parts between them), every sheet, row and cell reads back the same as on one
 *   thread: value, type, number format, font, fill, alignment, border, row height, column width,
 *   frozen panes and filter.
 * A row limit of 1,000 splits the bigger sheets into several parts, as Excel's limit does for an
 * org of millions.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { RULES as REGISTRY } from '../../src/rules/registry.js';
import { runRules } from '../../src/rules/run.js';
import { writeReport } from '../../src/report/write_report.js';
import { createGeneratedOrg } from '../../src/simulator/org/generated.js';
import type { Db } from '../../src/store/db.js';
import { fixtureFromSource, tempDb, writeSnapshotDirect } from '../rules/helpers.js';
import { readWorkbook, sheetNames } from './helpers.js';
import { zipEntries } from './zip.js';

const NOW = new Date('2024-08-02T09:30:00.000Z');
const STARTED = '2024-08-01T00:00:00.000Z';
const RULES = REGISTRY.map((r) => r.meta);

/** Every cell and the sheet settings that a reader sees, in a form toEqual compares. */
function sheetModel(ws: ExcelJS.Worksheet): unknown {
  const rows: unknown[] = [];
  ws.eachRow({ includeEmpty: true }, (row, r) => {
    const cells: unknown[] = [];
    row.eachCell({ includeEmpty: true }, (cell, c) => {
      const value = cell.value instanceof Date ? `date ${cell.value.toISOString()}` : cell.value;
      cells.push([c, cell.type, value, cell.numFmt ?? null, cell.font ?? null, cell.fill ?? null, cell.alignment ?? null, cell.border ?? null]);
    });
    rows.push([r, row.height ?? null, cells]);
  });
  const columns = (ws.columns ?? []).map((c) => c.width ?? null);
  return { name: ws.name, views: ws.views, autoFilter: ws.autoFilter ?? null, columns, rows };
}

function digests(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, data] of [...zipEntries(file)].sort(([a], [b]) => (a < b ? -1 : 1))) out[name] = createHash('sha256').update(data).digest('hex');
  return out;
}

describe('the workbook of a generated org', () => {
  let env: ReturnType<typeof tempDb>;

  beforeAll(() => {
    env = tempDb();
    const fx = fixtureFromSource(createGeneratedOrg({ users: 2500, seed: 5, pipeline: 'idx', baseUrl: 'https://gen.okta.com', now: new Date(STARTED) }));
    const id = writeSnapshotDirect(env.db, fx, { startedAt: STARTED });
    runRules(env.db, id);
    // The tool's clock, stamped on the snapshot, its errors and rule runs: fixed so the workbook is.
    fixClocks(env.db, id);
  });
  afterAll(() => env.cleanup());

  const write = async (dir: string, renderWorkers: number, rowLimit?: number): Promise<string> => {
    const out = join(env.path, '..', dir);
    const { files } = await writeReport(env.db, {
      snapshot: 'latest', outDir: out, formats: ['xlsx'], allowPartial: false, rules: RULES, now: NOW, renderWorkers, ...(rowLimit === undefined ? {} : { rowLimit }),
    });
    return files[0]!;
  };

  it('rendered on one thread is byte for byte what it was', async () => {
    expect(digests(await write('one', 0))).toMatchSnapshot();
  });

  it('rendered on one thread, continued past a row limit, is byte for byte what it was', async () => {
    expect(digests(await write('one-limit', 0, 1000))).toMatchSnapshot();
  });

  it('rendered by the workers reads back cell for cell as rendered on one thread', async () => {
    const one = await readWorkbook(await write('one-cells', 0, 1000));
    const two = await readWorkbook(await write('two-cells', 2, 1000));
    expect(sheetNames(one)).toContain('Factors (3)');
    expect(sheetNames(two)).toEqual(sheetNames(one));
    for (const ws of one.worksheets) expect(sheetModel(two.getWorksheet(ws.name)!)).toEqual(sheetModel(ws));
  });
});

function fixClocks(db: Db, snapshotId: number): void {
  db.prepare(`UPDATE snapshots SET finished_at = ? WHERE id = ?`).run('2024-08-01T00:40:00.000Z', snapshotId);
  db.prepare(`UPDATE crawl_errors SET at = ? WHERE snapshot_id = ?`).run('2024-08-01T00:20:00.000Z', snapshotId);
  db.prepare(`UPDATE rule_runs SET evaluated_at = ? WHERE snapshot_id = ?`).run('2024-08-02T09:29:00.000Z', snapshotId);
}
