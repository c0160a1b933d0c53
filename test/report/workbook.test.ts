import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { type Db, openDatabase } from '../../src/store/db.js';
import { writeReport } from '../../src/report/write_report.js';
import { SEVERITY_COLOURS } from '../../src/report/xlsx.js';
import { crawlAcme, headerOf, judgeAcme, listDir, NOW, readCsv, readWorkbook, RULES, rowsOf, sheetNames, STEM, tempDir } from './helpers.js';

const SHEETS = [
  'Summary', 'Findings', 'Signed Nonce', 'Duplicate Push', 'Classic-only Workflows', 'Classic API Callers', 'MFA Hygiene',
  'Expected after Upgrade', 'Burn-down', 'Burn-down by Rule', 'Users', 'Factors', 'Authenticator Enrollments', 'Policies', 'Coverage & Errors',
];

describe('writeReport: workbook, CSV and JSON of a complete snapshot', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let files: string[];
  let out: string;
  let wb: ExcelJS.Workbook;

  beforeAll(async () => {
    t = tempDir();
    db = openDatabase(t.file('snap.db'));
    const { id } = crawlAcme(db);
    judgeAcme(db, id);
    out = join(t.dir, 'reports', 'nested');
    ({ files } = await writeReport(db, { snapshot: 'latest', outDir: out, formats: ['xlsx', 'csv', 'json'], allowPartial: false, rules: RULES, now: NOW }));
    wb = await readWorkbook(join(out, `${STEM}.xlsx`));
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('names files after the org host, crawl time and snapshot; all 0600; no temporary files left', () => {
    const slugs = ['summary', 'findings', 'signed-nonce', 'duplicate-push', 'classic-only-workflows', 'classic-api-callers', 'mfa-hygiene',
      'expected-after-upgrade', 'burn-down', 'burn-down-by-rule', 'users', 'factors', 'authenticator-enrollments', 'policies', 'coverage-and-errors'];
    const expected = [`${STEM}.xlsx`, ...slugs.map((s) => `${STEM}_${s}.csv`), `${STEM}.json`];
    expect(files).toEqual(expected.map((f) => join(out, f)));
    expect(listDir(out)).toEqual([...expected].sort());
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('has the sheets in order, each with a bold frozen header and an autofilter over it', () => {
    expect(sheetNames(wb)).toEqual(SHEETS);
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      const width = headerOf(ws).length;
      const last = String.fromCharCode(64 + width);
      expect(ws.autoFilter).toBe(`A1:${last}1`);
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(ws.getColumn(1).width).toBeGreaterThan(5);
    }
  });

  it('Findings: the brief columns, most severe first, severity as word and colour', () => {
    const ws = wb.getWorksheet('Findings')!;
    expect(headerOf(ws).slice(0, 9)).toEqual(['Severity', 'Rule ID', 'Rule', 'Family', 'User login', 'User status', 'Evidence', 'Recommendation', 'Documentation link']);
    const rows = rowsOf(ws);
    expect(rows.map((r) => r['Severity']!.value)).toEqual(['Critical', 'High', 'Medium', 'Low', 'Low']);
    expect(rows.map((r) => r['Rule ID']!.value)).toEqual(['classic_authn_api_callers', 'okta_verify_duplicate_push', 'fastpass_signed_nonce_present', 'enroll_policy_classic_format', 'users_without_active_factor']);
    const bob = rows[1]!;
    expect(bob['Rule']!.value).toBe('More than one Okta Verify push factor');
    expect(bob['Family']!.value).toBe('Duplicate Push');
    expect(bob['User login']!.value).toBe('bob@acme.example');
    expect(bob['User status']!.value).toBe('ACTIVE');
    expect(bob['Evidence']!.value).toBe('2 Okta Verify push factors on 2 devices.');
    expect(bob['Documentation link']!.value).toBe('https://help.okta.com/oie/en-us/content/topics/mobile/ov-admin-main.htm');
    const fill = (c: ExcelJS.Cell) => (c.fill as ExcelJS.FillPattern).fgColor?.argb;
    expect(fill(bob['Severity']!)).toBe(SEVERITY_COLOURS.high.fill);
    expect(fill(rows[0]!['Severity']!)).toBe(SEVERITY_COLOURS.critical.fill);
    expect(rows[0]!['Severity']!.font?.color?.argb).toBe('FFFFFFFF');
    expect(fill(rows[2]!['Severity']!)).toBe(SEVERITY_COLOURS.medium.fill);
    expect(rows[0]!['Unverified Okta behaviour']!.value).toBe('Yes');
    expect(typeof rows[0]!['Finding ID']!.value).toBe('number');
  });

  it('family sheets carry their detail columns from details_json, extra keys in "Other details"', () => {
    const sn = rowsOf(wb.getWorksheet('Signed Nonce')!);
    expect(sn).toHaveLength(1);
    expect(sn[0]!['Device name']!.value).toBe('ALICE-LAPTOP');
    expect(sn[0]!['Platform']!.value).toBe('WINDOWS');
    expect(sn[0]!['Factor ID']!.value).toBe('snfalice');
    expect(sn[0]!['Factor created (UTC)']!.value).toEqual(new Date('2023-11-07T22:41:14.000Z'));
    expect(sn[0]!['Keys']!.value).toBe(2);
    expect(sn[0]!['Last verified (UTC)']!.value).toBeNull();
    expect(sn[0]!['Other details']!.value).toBe('oktaVerifyTotpFactors: 0'); // engine is on the Summary

    const dup = rowsOf(wb.getWorksheet('Duplicate Push')!);
    expect(dup[0]!['Push factors']!.value).toBe(2); // snake_case key matched, kept a number
    expect(dup[0]!['Devices']!.value).toBe(2);
    expect(dup[0]!['Device name']!.value).toBe('Bob old phone, Bob new phone');

    const api = rowsOf(wb.getWorksheet('Classic API Callers')!);
    expect(api[0]!['Caller']!.value).toBe('svc-integration 00Tsvc');
    expect(api[0]!['Caller type']!.value).toBe('api_token');
    expect(api[0]!['Token owner']!.value).toBe('alice@acme.example ACTIVE');
    expect(api[0]!['Calls']!.value).toBe(1);
    expect(api[0]!['Operations']!.value).toBe('Primary authentication (POST /api/v1/authn)');
    expect(api[0]!['User agents']!.value).toBe('okta-sdk-java/8.2.1 java/17');
    expect(api[0]!['Other details']!.value).toBe('distinctActors: 1');
    expect(api[0]!['Last seen (UTC)']!.value).toEqual(new Date('2024-08-13T15:58:20.353Z'));

    const wf = rowsOf(wb.getWorksheet('Classic-only Workflows')!)[0]!;
    expect(wf['Name']!.value).toBe('Default Policy');
    expect(wf['Classic-only part']!.value).toBe('okta_push: okta_verify, okta_sms: phone_number');
    expect(wf['Object ID']!.value).toBe('00pclassic');
    expect(rowsOf(wb.getWorksheet('Expected after Upgrade')!)).toHaveLength(0);
  });

  it('writes ISO timestamps as date cells with a date-time format', () => {
    const users = rowsOf(wb.getWorksheet('Users')!);
    expect(users.map((u) => u['Login']!.value)).toEqual(['alice@acme.example', 'bob@acme.example', 'carol@acme.example', 'dave@acme.example']);
    const alice = users[0]!;
    expect(alice['Last login (UTC)']!.value).toEqual(new Date('2024-05-01T10:00:00.000Z'));
    expect(alice['Last login (UTC)']!.type).toBe(ExcelJS.ValueType.Date);
    expect(alice['Last login (UTC)']!.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(users[2]!['Last login (UTC)']!.value).toBeNull(); // never signed in
    expect(alice['Name']!.value).toBe('Test 00ualice');
    expect(alice['Factors']!.value).toBe(3);
    expect(alice['Enrollments']!.value).toBe(2);
    expect(users[1]!['Enrollments']!.value).toBeNull(); // not read: blank, not 0
    expect(users[3]!['Crawl result']!.value).toBe('Deleted during the crawl');

    const factors = rowsOf(wb.getWorksheet('Factors')!);
    expect(factors.length).toBe(5);
    const sn = factors.find((f) => f['Factor ID']!.value === 'snfalice')!;
    expect(sn['User login']!.value).toBe('alice@acme.example');
    expect(sn['Device name']!.value).toBe('ALICE-LAPTOP');
    expect(sn['Created (UTC)']!.value).toEqual(new Date('2023-11-07T22:41:14.000Z'));
  });

  it('Summary: org, engine in words, dates as dates, coverage, findings by rule and severity, how to read', () => {
    const rows = rowsOf(wb.getWorksheet('Summary')!);
    const item = (name: string) => rows.find((r) => r['Item']!.value === name);
    expect(item('Organisation URL')!['Value']!.value).toBe('https://acme.okta.com');
    expect(item('Organisation ID')!['Value']!.value).toBe('00o5rb5mt2H3d1TJd0h7');
    expect(item('Engine')!['Value']!.value).toBe('Classic Engine (v1)');
    expect(item('Snapshot ID')!['Value']!.value).toBe(1);
    expect(item('Crawl started (UTC)')!['Value']!.value).toEqual(new Date('2026-11-22T13:40:12.345Z'));
    expect(item('Crawl finished (UTC)')!['Value']!.value).toEqual(new Date('2026-11-22T14:02:00.000Z'));
    expect(item('Report written (UTC)')!['Value']!.value).toEqual(NOW);
    expect(item('Crawled with oie-audit version')!['Value']!.value).toBe('0.1.0');
    expect(item('Users listed')!['Value']!.value).toBe(4);
    expect(item('Users deleted during the crawl')!['Value']!.value).toBe(1);
    expect(item('Not in this org: Authenticator enrollments')!['Value']!.value).toBe('Does not exist on Classic Engine');
    expect(item('Not in this org: Authenticator enrollments')!['Notes']!.value).toMatch(/Identity Engine API: on a Classic Engine org each user's Factors API list is the whole MFA picture/);
    expect(item('Snapshot complete')!['Value']!.value).toBe('Yes');
    expect(item('Org data read')!['Value']!.value).toBe('authenticators, logs, policies:MFA_ENROLL, wellKnown, rules of 1 policy');
    expect(rows.some((r) => r['Section']!.value === 'WARNING')).toBe(false);

    const bySev = rows.filter((r) => r['Section']!.value === 'Findings by severity');
    expect(bySev.map((r) => [r['Item']!.value, r['Value']!.value])).toEqual([
      ['Critical', 1], ['High', 1], ['Medium', 1], ['Low', 2], ['Info', 0], ['All findings', 5],
    ]);
    const byRule = rows.filter((r) => r['Section']!.value === 'Findings by rule');
    expect(byRule.map((r) => [r['Item']!.value, r['Value']!.value, r['Severity']!.value])).toEqual([
      ['Callers of the Classic Authentication API', 1, 'Critical'],
      ['More than one Okta Verify push factor', 1, 'High'],
      ['Okta Verify FastPass factors present', 1, 'Medium'],
      ['Enrollment policy still in Classic factor format', 1, 'Low'],
      ['Users without an active factor', 1, 'Low'],
      ['Event hooks on Classic-only events', 0, 'High'],
      ['Verified email appears as a factor after the upgrade', 0, 'Info'],
    ]);
    expect(String(byRule[5]!['Notes']!.value)).toContain('skipped: eventHooks were not read');
    expect((byRule[0]!['Severity']!.fill as ExcelJS.FillPattern).fgColor?.argb).toBe(SEVERITY_COLOURS.critical.fill);

    const how = rows.filter((r) => r['Section']!.value === 'How to read this workbook').map((r) => r['Item']!.value);
    expect(how).toEqual(expect.arrayContaining([...SHEETS, 'Severity: Critical', 'Severity: Info', 'Leading apostrophe']));
    expect(rows.some((r) => r['Section']!.value === 'Sheets continued')).toBe(false);
  });

  it('Policies and Coverage & Errors list org data and what could not be read', () => {
    const pol = rowsOf(wb.getWorksheet('Policies')!);
    expect(pol.map((p) => [p['Name']!.value, p['Settings format']!.value, p['Rules']!.value])).toEqual([
      ['Contractors', 'Authenticators (Identity Engine format)', 0],
      ['Default Policy', 'Factors (Classic format: settings.factors)', 1],
    ]);
    const cov = rowsOf(wb.getWorksheet('Coverage & Errors')!);
    expect(cov.map((c) => [c['What']!.value, c['Subject']!.value])).toEqual([
      ['Org data not in this org (not applicable)', 'Authenticator enrollments'],
      ['Rule skipped (its data was not read)', 'Event hooks on Classic-only events'],
      ['User deleted during the crawl', '00udave'],
    ]);
    expect(cov[2]!['User login']!.value).toBe('dave@acme.example');
    expect(cov[2]!['HTTP status']!.value).toBe(404);
    expect(cov[2]!['Recorded (UTC)']!.value).toBeInstanceOf(Date);
  });

  it('CSV: one file per sheet, BOM, CRLF, same columns as the workbook', () => {
    for (const ws of wb.worksheets) {
      const slug = ws.name === 'Coverage & Errors' ? 'coverage-and-errors' : ws.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const { bom, records } = readCsv(join(out, `${STEM}_${slug}.csv`));
      expect(bom).toBe(true);
      expect(records[0]).toEqual(headerOf(ws));
      expect(records.length - 1).toBe(ws.rowCount - 1);
    }
    const findings = readCsv(join(out, `${STEM}_findings.csv`)).records;
    expect(findings[2]!.slice(0, 7)).toEqual(['High', 'okta_verify_duplicate_push', 'More than one Okta Verify push factor', 'Duplicate Push', 'bob@acme.example', 'ACTIVE', '2 Okta Verify push factors on 2 devices.']);
    const users = readCsv(join(out, `${STEM}_users.csv`)).records;
    expect(users[1]!.slice(0, 6)).toEqual(['alice@acme.example', 'Test 00ualice', 'ACTIVE', '2024-05-01T10:00:00.000Z', 'Read', '3']);
    const raw = readFileSync(join(out, `${STEM}_users.csv`), 'utf8');
    expect(raw.split('\r\n')).toHaveLength(users.length + 1);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });

  it('JSON: snapshot header with coverage, rules with their runs, findings with rule metadata', () => {
    const doc = JSON.parse(readFileSync(join(out, `${STEM}.json`), 'utf8'));
    expect(doc.format).toBe('oie-audit-report');
    expect(doc.formatVersion).toBe(1);
    expect(doc.generatedAt).toBe(NOW.toISOString());
    expect(doc.snapshot).toMatchObject({
      id: 1, orgUrl: 'https://acme.okta.com', orgId: '00o5rb5mt2H3d1TJd0h7', pipeline: 'v1', engine: 'Classic Engine (v1)',
      status: 'complete', startedAt: '2026-11-22T13:40:12.345Z', finishedAt: '2026-11-22T14:02:00.000Z', complete: true, incompleteReasons: [],
    });
    expect(doc.snapshot.coverage.users).toEqual({ total: 4, pending: 0, complete: 3, deleted: 1, failed: 0 });
    expect(doc.rules).toHaveLength(RULES.length);
    expect(doc.rules.find((r: { id: string }) => r.id === 'event_hooks_classic_events').run).toMatchObject({ status: 'skipped', reason: 'eventHooks were not read (no permission)' });
    expect(doc.findingsBySeverity).toEqual({ critical: 1, high: 1, medium: 1, low: 2, info: 0 });
    expect(doc.findings).toHaveLength(5);
    expect(doc.findings[0]).toMatchObject({
      ruleId: 'classic_authn_api_callers', severity: 'critical', rule: { title: 'Callers of the Classic Authentication API', family: 'Classic API Callers' },
      subject: { type: 'api_token', id: '00Tsvc' }, user: null, details: { calls: 1, apis: ['authn'] },
    });
    expect(doc.findings[1].user).toEqual({ id: '00ubob', login: 'bob@acme.example', status: 'ACTIVE' });
  });
});
