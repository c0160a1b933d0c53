import { join } from 'node:path';
import { AuditError } from '../../src/errors.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { computeCoverage } from '../../src/store/snapshot_reader.js';
import { oktaUser, pushFactor } from '../store/helpers.js';
import { assessCompleteness, writeReport } from '../../src/report/write_report.js';
import type { RuleMetaLike } from '../../src/report/sheets.js';
import { crawlAcme, headerOf, judgeAcme, listDir, NOW, readCsv, readWorkbook, RULES, rowsOf, sheetNames, STEM, tempDir } from './helpers.js';

describe('row limit: a sheet continues on "<name> (2)"', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;

  beforeAll(() => {
    t = tempDir();
    db = openDatabase(t.file('snap.db'));
    const extra = Array.from({ length: 6 }, (_, i) => `00uextra${i}`);
    const { id } = crawlAcme(db, {
      extraUsers: extra.map((u) => oktaUser(u, `${u}@acme.example`)),
      extraResults: extra.map((u) => ({ userId: u, factors: [pushFactor(`opf${u}`, 'phone')], enrollments: null, state: 'complete' as const })),
    });
    judgeAcme(db, id);
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('splits Users (10 rows) and Factors (11 rows) at 5 rows per sheet, same header, and says so in the Summary', async () => {
    const out = join(t.dir, 'small');
    const progress: string[] = [];
    await writeReport(db, {
      snapshot: 1, outDir: out, formats: ['xlsx', 'csv'], allowPartial: false, rules: RULES, now: NOW, rowLimit: 5,
      onSheet: (e) => progress.push(`${e.format} ${e.sheet} ${e.rows}`),
    });
    expect(progress).toEqual(expect.arrayContaining(['xlsx Users 4', 'xlsx Users (2) 4', 'xlsx Users (3) 2', 'csv Users 10']));
    const wb = await readWorkbook(join(out, `${STEM}.xlsx`));
    const names = sheetNames(wb);
    expect(names.slice(names.indexOf('Findings'), names.indexOf('Findings') + 3)).toEqual(['Findings', 'Findings (2)', 'Signed Nonce']);
    expect(names.slice(names.indexOf('Users'))).toEqual([
      'Users', 'Users (2)', 'Users (3)', 'Factors', 'Factors (2)', 'Factors (3)', 'Authenticator Enrollments', 'Policies', 'Coverage & Errors',
    ]);
    const parts = ['Users', 'Users (2)', 'Users (3)'].map((n) => wb.getWorksheet(n)!);
    for (const p of parts) {
      expect(headerOf(p)).toEqual(headerOf(parts[0]!));
      expect(p.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(p.autoFilter).toBe('A1:J1');
    }
    const logins = parts.flatMap((p) => rowsOf(p).map((r) => r['Login']!.value));
    expect(parts.map((p) => rowsOf(p).length)).toEqual([4, 4, 2]);
    expect(logins).toHaveLength(10);
    expect(new Set(logins).size).toBe(10);
    expect(logins).toEqual([...logins].sort());

    // At 5 rows per sheet the Summary continues too: read all of its parts.
    const summary = wb.worksheets.filter((ws) => /^Summary( \(\d+\))?$/.test(ws.name)).flatMap((ws) => rowsOf(ws));
    expect(names.filter((n) => n.startsWith('Summary')).length).toBeGreaterThan(1);
    const notes = summary.filter((r) => r['Section']!.value === 'Sheets continued').map((r) => [r['Item']!.value, r['Value']!.value]);
    expect(notes).toEqual([
      ['Findings', 'Continues on Findings (2)'],
      ['Burn-down by Rule', 'Continues on Burn-down by Rule (2)'],
      ['Users', 'Continues on Users (2), Users (3)'],
      ['Factors', 'Continues on Factors (2), Factors (3)'],
    ]);
    expect(names[0]).toBe('Summary');

    // CSV has no row limit: one file with every row.
    expect(readCsv(join(out, `${STEM}_users.csv`)).records).toHaveLength(11);
  });
});

describe('incomplete snapshots', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  it('refuses an unfinished crawl naming --allow-partial, and leaves no file or folder behind', async () => {
    const db = openDatabase(t.file('snap.db'));
    const { w, id } = crawlAcme(db, { finish: false, extraUsers: [oktaUser('00upending', 'pending@acme.example')] });
    w.markOrgResource(id, 'logs', 'not_available', 'no permission (You do not have permission to perform the requested action); grant the read scope', 403, 'E0000006');
    judgeAcme(db, id);
    const out = join(t.dir, 'out');
    const attempt = writeReport(db, { snapshot: id, outDir: out, formats: ['xlsx', 'csv', 'json'], allowPartial: false, rules: RULES, now: NOW });
    await expect(attempt).rejects.toThrow(AuditError);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_REPORT', exitCode: 7 });
    await expect(attempt).rejects.toThrow(/--allow-partial/);
    await expect(attempt).rejects.toThrow(/not finished.*1 of 5 listed users were never read.*Org data not read: System Log \(403 E0000006\)/);
    expect(listDir(t.dir)).toEqual(['snap.db', 'snap.db-shm', 'snap.db-wal']);
    expect(db.inTransaction).toBe(false);

    // With --allow-partial: written, and the Summary opens with the warning and the reasons.
    const { files } = await writeReport(db, { snapshot: id, outDir: out, formats: ['xlsx', 'json'], allowPartial: true, rules: RULES, now: NOW });
    expect(files).toHaveLength(2);
    const wb = await readWorkbook(files[0]!);
    const summary = rowsOf(wb.getWorksheet('Summary')!);
    expect(summary[0]!['Section']!.value).toBe('WARNING');
    expect(summary[0]!['Item']!.value).toBe('INCOMPLETE SNAPSHOT');
    expect(String(summary[0]!['Notes']!.value)).toContain('1 of 5 listed users were never read.');
    expect(summary[0]!['Item']!.font?.bold).toBe(true);
    expect(summary.find((r) => r['Item']!.value === 'Snapshot complete')!['Value']!.value).toBe('NO: see the warning at the top');
    expect(summary.find((r) => r['Item']!.value === 'Crawl finished (UTC)')!['Value']!.value).toBe('Not finished');
    expect(summary.find((r) => r['Item']!.value === 'Users not read (crawl unfinished)')!['Value']!.value).toBe(1);
    const users = rowsOf(wb.getWorksheet('Users')!);
    expect(users.find((u) => u['Login']!.value === 'pending@acme.example')!['Crawl result']!.value).toBe('Not read (crawl unfinished)');
    const cov = rowsOf(wb.getWorksheet('Coverage & Errors')!).map((r) => r['What']!.value);
    expect(cov).toEqual(expect.arrayContaining(['Org data not read (not available)', 'Users not read']));
    db.close();
  });

  it('data the org cannot have (not applicable) is complete; a permission gap or a failed read is not', () => {
    const db = openDatabase(t.file('snap.db'));
    const { w, id } = crawlAcme(db);
    const assess = () => assessCompleteness(db.prepare('SELECT * FROM snapshots WHERE id = ?').get(id) as never, computeCoverage(db, id));
    expect(assess()).toEqual({ complete: true, reasons: [] }); // authenticatorEnrollments is not applicable on Classic
    w.markOrgResource(id, 'apps', 'not_available', 'no permission (You do not have permission to perform the requested action)', 403, 'E0000006');
    expect(assess()).toEqual({ complete: false, reasons: ['Org data not read: Apps (403 E0000006).'] });
    w.markOrgResource(id, 'apps', 'complete');
    w.recordError(id, { scope: 'org', subject: 'eventHooks', endpoint: '/api/v1/eventHooks', kind: 'failed', httpStatus: 500, errorCode: null, message: 'HTTP 500' });
    expect(assess()).toEqual({ complete: false, reasons: ['1 reads failed after retries.'] });
    db.close();
  });

  it("'latest' means the newest complete snapshot; none complete is a snapshot error", async () => {
    const db = openDatabase(t.file('snap.db'));
    crawlAcme(db, { finish: false });
    const attempt = writeReport(db, { snapshot: 'latest', outDir: join(t.dir, 'out'), formats: ['xlsx'], allowPartial: true, rules: RULES });
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_SNAPSHOT' });
    db.close();
  });
});

describe('no half-written report', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  beforeAll(() => {
    t = tempDir();
    db = openDatabase(t.file('snap.db'));
    judgeAcme(db, crawlAcme(db).id);
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('removes every temporary file when writing fails midway, and renames nothing', async () => {
    const out = join(t.dir, 'out');
    const broken: RuleMetaLike[] = [...RULES];
    // A failure while the workbook's rows are being written (the Findings sheet reads titles).
    let reads = 0;
    broken[0] = { ...RULES[0]!, get title(): string { reads += 1; if (reads > 3) throw new Error('boom'); return 'x'; } };
    await expect(writeReport(db, { snapshot: 1, outDir: out, formats: ['csv', 'xlsx'], allowPartial: false, rules: broken, now: NOW })).rejects.toThrow('boom');
    expect(listDir(out)).toEqual([]);
  });

  it('fails cleanly when a final name is taken by a folder', async () => {
    const out = join(t.dir, 'taken');
    await import('node:fs').then((fs) => fs.mkdirSync(join(out, `${STEM}.json`), { recursive: true }));
    await expect(writeReport(db, { snapshot: 1, outDir: out, formats: ['json'], allowPartial: false, rules: RULES, now: NOW })).rejects.toThrow();
    expect(listDir(out)).toEqual([`${STEM}.json`]);
  });

  it('refuses unknown formats and impossible row limits', async () => {
    const base = { snapshot: 1, outDir: join(t.dir, 'x'), allowPartial: false, rules: RULES };
    await expect(writeReport(db, { ...base, formats: [] })).rejects.toMatchObject({ code: 'ERR_REPORT' });
    await expect(writeReport(db, { ...base, formats: ['pdf' as never] })).rejects.toThrow(/xlsx, csv, json/);
    await expect(writeReport(db, { ...base, formats: ['xlsx'], rowLimit: 1 })).rejects.toThrow(/Row limit/);
    expect(listDir(t.dir)).not.toContain('x');
  });
});
