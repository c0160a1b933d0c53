import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { type Db, openDatabase } from '../../src/store/db.js';
import type { RawObject, UserResult } from '../../src/store/types.js';
import { writeReport } from '../../src/report/write_report.js';
import { oktaUser, oktaVerifyEnrollment, pushFactor, signedNonceFactor } from '../store/helpers.js';
import { crawlAcme, insertFindings, insertRuleRuns, NOW, readCsv, readWorkbook, RULES, rowsOf, STEM, tempDir } from './helpers.js';

/** Values an attacker could put in a login, a name or a device name. */
const CORPUS: Record<string, string> = {
  equals: '=1+1',
  plus: '+41 79 555 12 34',
  minus: '-2+3',
  at: '@SUM(A1:A2)',
  tab: "\t=cmd|' /C calc'!A0",
  cr: '\r=1+1',
  hyperlink: '=HYPERLINK("http://x","y")',
  dde: "=cmd|' /C calc'!A0",
  big10k: `=${'A'.repeat(10_000)}`,
  big40k: `-${'B'.repeat(40_000)}`,
  emoji40k: '😀'.repeat(20_000),
  cjk: '山田太郎@例え.jp',
  rtl: 'مرحبا بالعالم',
  emoji: '👩‍💻 dev 🔥',
  bidi: '\u202Egnp.exe',
  control: 'a\u0000b\u0007c\u001Fd\u007Fe',
  excelEscape: 'user_x0041_name_x000D_',
  xml: '<b>&amp;"quoted"</b>',
  spaces: '  padded  ',
  newline: 'line1\nline2',
  crlf: 'a\r\nb',
  plain: 'plain@example.com',
};
const KEYS = Object.keys(CORPUS);
const MAX = 32_767;
const marker = (n: number) => ` [… truncated by oie-audit: ${n.toLocaleString('en-US')} characters in total]`;

/** What a cell must hold, derived here independently of src/report/cells.ts. */
function expected(v: string): string {
  let s = v.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD');
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return s;
}

/**
 * Excel reads `_xHHHH_` in cell text as an escaped character (ECMA-376 ST_Xstring), so the writer
 * escapes a literal `_x` sequence as `_x005F_x…`. exceljs's reader skips that decoding for inline
 * strings; this does what Excel does.
 */
function asExcelShows(text: unknown): unknown {
  return typeof text === 'string' ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

function checkCell(key: string, cellText: unknown, where: string): void {
  const v = CORPUS[key]!;
  const actual = where.includes('.csv') ? cellText : asExcelShows(cellText);
  const exp = expected(v);
  if (typeof actual !== 'string') throw new Error(`${where} ${key}: expected a string, got ${typeof actual}`);
  if (exp.length <= MAX) {
    expect({ where, key, value: actual }).toEqual({ where, key, value: exp });
    return;
  }
  // Over Excel's limit: the start intact, a visible marker with the original length, no split emoji.
  expect({ where, key, length: actual.length <= MAX }).toEqual({ where, key, length: true });
  expect(actual.endsWith(marker(v.length))).toBe(true);
  const kept = actual.slice(0, actual.length - marker(v.length).length);
  expect(exp.startsWith(kept)).toBe(true);
  expect(kept.length).toBeGreaterThan(MAX - 100);
  expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(actual)).toBe(false);
}

describe('hostile text from Okta', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let out: string;
  let wb: ExcelJS.Workbook;

  beforeAll(async () => {
    t = tempDir();
    db = openDatabase(t.file('snap.db'));
    const users: RawObject[] = KEYS.map((k) => {
      const u = oktaUser(`00u_${k}`, CORPUS[k]!);
      (u.profile as RawObject).firstName = CORPUS[k]!;
      (u.profile as RawObject).lastName = null;
      return u;
    });
    const results: UserResult[] = KEYS.map((k) => ({
      userId: `00u_${k}`,
      factors: [pushFactor(`opf_${k}`, CORPUS[k]!), signedNonceFactor(`snf_${k}`, CORPUS[k]!)],
      enrollments: [oktaVerifyEnrollment(`pfd_${k}`, CORPUS[k]!)],
      state: 'complete',
    }));
    const { id } = crawlAcme(db, { extraUsers: users, extraResults: results });
    insertRuleRuns(db, id, RULES.map((r) => ({ rule: r.id, status: 'evaluated' as const })));
    insertFindings(db, id, KEYS.map((k) => ({
      rule: 'fastpass_signed_nonce_present', severity: 'medium', userId: `00u_${k}`, login: CORPUS[k]!, status: 'ACTIVE',
      evidence: CORPUS[k]!, details: { deviceName: CORPUS[k]!, factorId: `snf_${k}`, note: CORPUS[k]! },
    })));
    out = join(t.dir, 'out');
    await writeReport(db, { snapshot: id, outDir: out, formats: ['xlsx', 'csv', 'json'], allowPartial: false, rules: RULES, now: NOW });
    wb = await readWorkbook(join(out, `${STEM}.xlsx`));
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('comes back neutralised and otherwise intact in logins, names, device names, nicknames and evidence', () => {
    const byUser = (sheet: string, idColumn: string) => {
      const m = new Map<string, Record<string, ExcelJS.Cell>>();
      for (const r of rowsOf(wb.getWorksheet(sheet)!)) m.set(String(r[idColumn]!.value), r);
      return m;
    };
    const users = byUser('Users', 'User ID');
    const factors = byUser('Factors', 'Factor ID');
    const enrollments = byUser('Authenticator Enrollments', 'Enrollment ID');
    const findings = rowsOf(wb.getWorksheet('Findings')!);
    const signed = rowsOf(wb.getWorksheet('Signed Nonce')!);
    for (const k of KEYS) {
      const u = users.get(`00u_${k}`)!;
      checkCell(k, u['Login']!.value, 'Users.Login');
      checkCell(k, u['Name']!.value, 'Users.Name');
      checkCell(k, factors.get(`opf_${k}`)!['Device name']!.value, 'Factors.Device name');
      checkCell(k, enrollments.get(`pfd_${k}`)!['Nickname']!.value, 'Enrollments.Nickname');
      const f = findings.find((r) => r['Subject ID']!.value === `00u_${k}`)!;
      checkCell(k, f['User login']!.value, 'Findings.User login');
      checkCell(k, f['Evidence']!.value, 'Findings.Evidence');
      const s = signed.find((r) => r['Subject ID']!.value === `00u_${k}`)!;
      checkCell(k, s['Device name']!.value, 'Signed Nonce.Device name');
    }
    expect(users.get('00u_equals')!['Login']!.value).toBe("'=1+1");
    expect(users.get('00u_hyperlink')!['Login']!.value).toBe('\'=HYPERLINK("http://x","y")');
    expect(users.get('00u_tab')!['Login']!.value).toBe("'\t=cmd|' /C calc'!A0");
    expect(users.get('00u_cr')!['Login']!.value).toBe("'\r=1+1");
    expect(users.get('00u_control')!['Login']!.value).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe');
    expect(users.get('00u_excelEscape')!['Login']!.value).toBe('user_x005F_x0041_name_x005F_x000D_');
  });

  it('is never a formula or a hyperlink anywhere in the workbook', () => {
    let cells = 0;
    for (const ws of wb.worksheets) {
      ws.eachRow((row) => {
        row.eachCell((cell) => {
          cells += 1;
          if (cell.type === ExcelJS.ValueType.Formula || cell.type === ExcelJS.ValueType.Hyperlink || cell.formula !== undefined) {
            throw new Error(`${ws.name}!${cell.address} is a ${cell.type}`);
          }
          if (typeof cell.value === 'string') expect(/^[=+\-@\t\r]/.test(cell.value)).toBe(false);
        });
      });
    }
    expect(cells).toBeGreaterThan(500);
  });

  it('CSV: the same cells, quoted per RFC 4180', () => {
    const { records } = readCsv(join(out, `${STEM}_users.csv`));
    const header = records[0]!;
    const col = (name: string) => header.indexOf(name);
    for (const k of KEYS) {
      const row = records.find((r) => r[col('User ID')] === `00u_${k}`)!;
      checkCell(k, row[col('Login')], 'users.csv Login');
      checkCell(k, row[col('Name')], 'users.csv Name');
    }
    const raw = readFileSync(join(out, `${STEM}_users.csv`), 'utf8');
    expect(raw).toContain('"\'=HYPERLINK(""http://x"",""y"")"');
    const factors = readCsv(join(out, `${STEM}_factors.csv`)).records;
    const fh = factors[0]!;
    for (const k of KEYS) {
      const row = factors.find((r) => r[fh.indexOf('Factor ID')] === `opf_${k}`)!;
      checkCell(k, row[fh.indexOf('Device name')], 'factors.csv Device name');
    }
    // Every text field is quoted, so no field of any CSV starts with a formula character.
    for (const slug of ['findings', 'signed-nonce', 'authenticator-enrollments', 'summary']) {
      for (const r of readCsv(join(out, `${STEM}_${slug}.csv`)).records) for (const f of r) expect(/^[=+\-@\t\r]/.test(f)).toBe(false);
    }
  });

  it('JSON keeps the full, unmodified text', () => {
    const doc = JSON.parse(readFileSync(join(out, `${STEM}.json`), 'utf8'));
    for (const k of KEYS) {
      const f = doc.findings.find((x: { subject: { id: string } }) => x.subject.id === `00u_${k}`);
      expect(f.evidence).toBe(CORPUS[k]);
      expect(f.details.deviceName).toBe(CORPUS[k]);
    }
  });
});
