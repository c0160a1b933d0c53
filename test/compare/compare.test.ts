/**
 * `diff` and `verify-upgrade` through the CLI on two hand-written snapshots of one org: Classic
 * Engine before, Identity Engine after its upgrade. Every expected row is listed below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { openDatabase } from '../../src/store/db.js';
import type { RawObject } from '../../src/store/types.js';
import { removeSandbox, runCli, sandbox, type Sandbox } from '../cli/helpers.js';
import { writeSnapshotDirect } from '../rules/helpers.js';
import { app, email, oktaTotp, oktaVerifyEnrollment, push, sms, u2f, user } from '../rules/okta_json.js';

const HOSTILE = '=HYPERLINK("http://x","y")@example.com';

function enrollment(id: string, key: string, type: string): RawObject {
  return { type, id, key, status: 'ACTIVE', name: key, nickname: null, created: '2024-09-01T00:00:00.000Z', lastUpdated: '2024-09-01T00:00:00.000Z' };
}

/** Before: Classic. After: the same org upgraded, with what changed said on each line. */
function buildDb(path: string): void {
  const db = openDatabase(path);
  const ann = user('00uann', 'ann@example.com');
  writeSnapshotDirect(db, {
    org: { id: '00oacme', pipeline: 'v1' },
    users: [ann, user('00ubob', 'bob@example.com'), user('00ucid', 'cid@example.com'), user('00udee', 'dee@example.com', { status: 'SUSPENDED' }), user('00ueve', 'eve@example.com')],
    factors: {
      '00uann': [push(ann, 'opfann', 'Ann iPhone'), oktaTotp(ann, 'ostann'), sms('smsann')],
      '00ubob': [u2f('fufbob')],
      '00ucid': [sms('smscid')],
      '00ueve': [push('00ueve', 'opfeve', 'Eve phone')],
    },
  }, { startedAt: '2024-08-01T00:00:00.000Z' });
  writeSnapshotDirect(db, {
    org: { id: '00oacme', pipeline: 'idx' },
    users: [
      ann, user('00ubob', 'bob@example.com'), user('00ucid', 'cid@example.com'),
      user('00udee', 'dee@example.com'), // reactivated
      user('00ufay', HOSTILE), // new; eve was deleted
    ],
    factors: {
      '00uann': [push(ann, 'opfann', 'Ann iPhone'), oktaTotp(ann, 'ostann'), sms('smsann'), email('emfann', 'ann@example.com')],
      '00ubob': [u2f('fufbob'), email('emfbob', 'bob@example.com')],
      '00ucid': [sms('smscid'), email('emfcid', 'cid@example.com')],
    },
    authenticatorEnrollments: {
      // Ann keeps Okta Verify and her phone; a second Okta Verify names no device.
      '00uann': [oktaVerifyEnrollment('pfdann', 'Ann iPhone'), oktaVerifyEnrollment('pfdann2', null), enrollment('smsann', 'phone_number', 'phone'), enrollment('eaeann', 'okta_email', 'email')],
      // Bob's U2F key did not carry over; Cid's phone did not either.
      '00ubob': [enrollment('eaebob', 'okta_email', 'email')],
      '00ucid': [enrollment('eaecid', 'okta_email', 'email')],
    },
    apps: [app('0oaportal', 'Portal', { pipeline: 'CLASSIC' }), app('0oamail', 'Mail', { pipeline: 'ORG_DEFAULT' })],
  }, { startedAt: '2024-10-01T00:00:00.000Z' });
  // Findings as the rules stored them: one resolved, one changed, one new.
  const f = db.prepare(`INSERT INTO findings (snapshot_id, rule_id, severity, subject_type, subject_id, user_id, user_login, evidence, details_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}')`);
  const run = db.prepare(`INSERT INTO rule_runs (snapshot_id, rule_id, status, findings, evaluated_at) VALUES (?, ?, 'evaluated', 0, '2024-10-01T00:00:00.000Z')`);
  for (const s of [1, 2]) run.run(s, 'factor_u2f_classic_only');
  f.run(1, 'factor_u2f_classic_only', 'medium', 'user', '00ubob', '00ubob', 'bob@example.com', 'U2F on Classic');
  f.run(2, 'factor_u2f_classic_only', 'medium', 'user', '00ubob', '00ubob', 'bob@example.com', 'U2F still there after the upgrade');
  f.run(1, 'user_weak_factors_only', 'medium', 'user', '00ucid', '00ucid', 'cid@example.com', 'SMS only');
  f.run(2, 'app_pipeline_classic_remaining', 'high', 'app', '0oaportal', null, null, 'Portal on CLASSIC');
  db.close();
}

let box: Sandbox;
let dbPath: string;
beforeAll(() => {
  box = sandbox('oie-compare-');
  dbPath = join(box.cwd, 'acme.db');
  buildDb(dbPath);
});
afterAll(() => removeSandbox(box));

interface Out { code: number | null; stderr: string; json: { sheets: Record<string, Record<string, unknown>[]> }; files: string[] }

async function cli(args: string[], out: string): Promise<Out> {
  const r = await runCli(box, [...args, '--db', dbPath, '--out', out]);
  const files = r.code === 0 ? readdirSync(out) : [];
  const json = files.find((x) => x.endsWith('.json'));
  return { code: r.code, stderr: r.stderr, files, json: json ? JSON.parse(readFileSync(join(out, json), 'utf8')) : { sheets: {} } };
}

const pick = (rows: Record<string, unknown>[], ...keys: string[]) => rows.map((r) => keys.map((k) => r[k]).join(' | '));

test('diff 1 2: every user, factor, enrollment and finding that changed, by stable id', async () => {
  const r = await cli(['diff', '1', '2'], join(box.cwd, 'diff'));
  expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('diff: snapshot 1 to snapshot 2')]);
  const s = r.json.sheets;
  expect(pick(s['users']!, 'Change', 'Login', 'Status before', 'Status after', 'What changed')).toEqual([
    'Changed | dee@example.com | SUSPENDED | ACTIVE | status',
    'Removed | eve@example.com | ACTIVE |  | ',
    `Added | ${HOSTILE} |  | ACTIVE | `,
  ]);
  expect(pick(s['factors']!, 'Change', 'User login', 'Factor type', 'Factor ID')).toEqual([
    'Appears after the upgrade | ann@example.com | email | emfann',
    'Appears after the upgrade | bob@example.com | email | emfbob',
    'Appears after the upgrade | cid@example.com | email | emfcid',
    'Removed | eve@example.com | push | opfeve',
  ]);
  expect(pick(s['authenticator-enrollments']!, 'Change', 'User login', 'Authenticator', 'Enrollment ID')).toEqual([
    'Added | ann@example.com | okta_email | eaeann',
    'Added | ann@example.com | okta_verify | pfdann',
    'Added | ann@example.com | okta_verify | pfdann2',
    'Added | ann@example.com | phone_number | smsann',
    'Added | bob@example.com | okta_email | eaebob',
    'Added | cid@example.com | okta_email | eaecid',
  ]);
  expect(pick(s['findings']!, 'Change', 'Rule ID', 'Subject ID', 'Evidence before', 'Evidence after')).toEqual([
    'New | app_pipeline_classic_remaining | 0oaportal |  | Portal on CLASSIC',
    'Changed | factor_u2f_classic_only | 00ubob | U2F on Classic | U2F still there after the upgrade',
    'Resolved | user_weak_factors_only | 00ucid | SMS only | ',
  ]);
  const summary = Object.fromEntries(s['summary']!.map((x) => [`${String(x['Section'])}/${String(x['Item'])}`, x['Value']]));
  expect(summary).toMatchObject({ 'Users/Added': 1, 'Users/Removed': 1, 'Users/Changed': 1, 'Factors/Appears after the upgrade': 3, 'Factors/Added': 0, 'Findings/New': 1 });

  // The workbook holds the same rows, formula-safe.
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(join(box.cwd, 'diff', r.files.find((x) => x.endsWith('.xlsx'))!));
  expect(wb.worksheets.map((w) => w.name)).toEqual(['Summary', 'Users', 'Factors', 'Authenticator Enrollments', 'Findings']);
  const logins: unknown[] = [];
  wb.getWorksheet('Users')!.eachRow((row) => logins.push(row.getCell(2).value));
  expect(logins).toEqual(['Login', 'dee@example.com', 'eve@example.com', `'${HOSTILE}`]);
  expect(readFileSync(join(box.cwd, 'diff', r.files.find((x) => x.endsWith('_users.csv'))!), 'utf8')).toContain(`"'${HOSTILE.replace(/"/g, '""')}"`);
});

test('verify-upgrade --before 1 --after 2: the lost factors, Okta Verify without a device, apps on the Classic pipeline', async () => {
  const r = await cli(['verify-upgrade', '--before', '1', '--after', '2'], join(box.cwd, 'verify'));
  expect(r.code).toBe(0);
  const s = r.json.sheets;
  // dee was SUSPENDED before and eve is gone: only users ACTIVE on both sides are checked.
  expect(pick(s['lost-factors']!, 'User login', 'Factor type before', 'Expected authenticator', 'Authenticators after the upgrade')).toEqual([
    'bob@example.com | u2f | webauthn,security_key | okta_email',
    'cid@example.com | sms | phone_number | okta_email',
  ]);
  expect(pick(s['okta-verify-without-device']!, 'User login', 'Push factors before', 'Enrollment ID')).toEqual(['ann@example.com | 1 | pfdann2']);
  expect(pick(s['apps-on-classic-pipeline']!, 'App', 'Status')).toEqual(['Portal | ACTIVE']);
  const summary = Object.fromEntries(s['summary']!.map((x) => [String(x['Item']), x['Value']]));
  expect(summary).toMatchObject({ 'Factors carried over': '2 users lost at least one factor', 'Users checked (ACTIVE before and after)': 3, 'Factors lost': 2 });
});

test('snapshots: the ids to compare, oldest first, as a table and as JSON', async () => {
  const text = await runCli(box, ['snapshots', '--db', dbPath]);
  expect([text.code, text.stdout.split('\n')]).toEqual([0, [
    'ID  ORG                    ENGINE  STARTED (UTC)     STATE     FROM        USERS  FINDINGS',
    '1   https://acme.okta.com  v1      2024-08-01 00:00  complete  full crawl  5      2',
    '2   https://acme.okta.com  idx     2024-10-01 00:00  complete  full crawl  5      2',
    '',
  ]]);
  const json = await runCli(box, ['snapshots', '--db', dbPath, '--json']);
  expect(JSON.parse(json.stdout).map((s: { id: number; engine: string; users: number }) => [s.id, s.engine, s.users])).toEqual([[1, 'v1', 5], [2, 'idx', 5]]);
});

test('refused: snapshots the wrong way round, one snapshot twice, an unknown id', async () => {
  const wrongWay = await cli(['verify-upgrade', '--before', '2', '--after', '1'], join(box.cwd, 'x1'));
  expect([wrongWay.code, wrongWay.stderr]).toEqual([2, expect.stringContaining('--before must be a Classic Engine snapshot and --after an Identity Engine one')]);
  const same = await cli(['diff', '1', '1'], join(box.cwd, 'x2'));
  expect([same.code, same.stderr]).toEqual([2, expect.stringContaining('both sides are snapshot 1')]);
  const unknown = await cli(['diff', '1', '9'], join(box.cwd, 'x3'));
  expect([unknown.code, unknown.stderr]).toEqual([6, expect.stringContaining('Snapshot 9 is not in')]);
  // Nothing was written for any of them.
  const db = new Database(dbPath, { readonly: true });
  expect(db.prepare('SELECT count(*) FROM snapshots').pluck().get()).toBe(2);
  db.close();
});
