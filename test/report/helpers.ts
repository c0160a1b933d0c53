/** Report test fixtures: a crawled snapshot, rule metadata, stored findings, and file readers. */
import { readdirSync, readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Db } from '../../src/store/db.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import { IDENTITY_ENGINE_ONLY } from '../../src/crawler/engine_only.js';
import type { RawObject, UserResult } from '../../src/store/types.js';
import type { RuleMetaLike } from '../../src/report/sheets.js';
import {
  authenticatorsEnrollPolicy,
  classicEnrollPolicy,
  emailEnrollment,
  logEvent,
  oktaUser,
  oktaVerifyEnrollment,
  pushFactor,
  signedNonceFactor,
  smsFactor,
} from '../store/helpers.js';

export { tempDir } from '../store/helpers.js';

export const ORG = 'https://acme.okta.com';
export const STARTED = '2026-11-22T13:40:12.345Z';
export const FINISHED = '2026-11-22T14:02:00.000Z';
export const NOW = new Date('2026-11-23T08:00:00.000Z');
export const STEM = 'oie-audit_acme.okta.com_2026-11-22T1340Z_s1';

export const RULES: RuleMetaLike[] = [
  {
    id: 'fastpass_signed_nonce_present', title: 'Okta Verify FastPass factors present', severity: 'medium', family: 'Signed Nonce',
    whyItMatters: 'signed_nonce factors cannot be enrolled or verified through the Factors API.', recommendation: 'Manage FastPass devices under Directory > Devices.',
    docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/', unverified: false,
  },
  {
    id: 'okta_verify_duplicate_push', title: 'More than one Okta Verify push factor', severity: 'high', family: 'Duplicate Push',
    whyItMatters: 'Classic allows one Okta Verify device per user.', recommendation: 'Remove the stale device before the upgrade.',
    docUrl: 'https://help.okta.com/oie/en-us/content/topics/mobile/ov-admin-main.htm',
  },
  {
    id: 'enroll_policy_classic_format', title: 'Enrollment policy still in Classic factor format', severity: 'low', family: 'Classic-only Workflows',
    whyItMatters: 'Policies keep settings.factors until converted.', recommendation: 'Convert the policy to authenticators after the upgrade.',
    docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-mfa-enroll-policy/',
  },
  {
    id: 'classic_authn_api_callers', title: 'Callers of the Classic Authentication API', severity: 'critical', family: 'Classic API Callers',
    whyItMatters: '/api/v1/authn loses features in Identity Engine.', recommendation: 'Move the integration to the Interaction Code flow.',
    docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-identify-integrations/', unverified: true,
  },
  {
    id: 'users_without_active_factor', title: 'Users without an active factor', severity: 'low', family: 'MFA Hygiene',
    whyItMatters: 'They will be asked to enroll at first sign-in.', recommendation: 'Contact the users or deactivate the accounts.',
    docUrl: 'https://help.okta.com/',
  },
  {
    id: 'email_factor_after_upgrade', title: 'Verified email appears as a factor after the upgrade', severity: 'info', family: 'Expected after the upgrade',
    whyItMatters: 'The Factors API shows the primary email as an active email factor in Identity Engine.', recommendation: 'None: expected.',
    docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/',
  },
  {
    id: 'event_hooks_classic_events', title: 'Event hooks on Classic-only events', severity: 'high', family: 'Classic-only Workflows',
    whyItMatters: 'Some events never fire in Identity Engine.', recommendation: 'Subscribe to the Identity Engine events instead.',
    docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-event-hooks/',
  },
];

export interface FindingInput {
  rule: string;
  severity: string;
  userId?: string | null;
  login?: string | null;
  status?: string | null;
  subjectType?: string;
  subjectId?: string | null;
  evidence: string;
  details?: object | string;
}

export function insertFindings(db: Db, snapshotId: number, findings: readonly FindingInput[]): void {
  const ins = db.prepare(`INSERT INTO findings (snapshot_id, rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const f of findings) {
      ins.run(snapshotId, f.rule, f.severity, f.subjectType ?? 'user', f.subjectId ?? f.userId ?? null, f.userId ?? null, f.login ?? null, f.status ?? null,
        f.evidence, typeof f.details === 'string' ? f.details : JSON.stringify(f.details ?? {}));
    }
  })();
}

export function insertRuleRuns(db: Db, snapshotId: number, runs: ReadonlyArray<{ rule: string; status: 'evaluated' | 'skipped' | 'error'; reason?: string; findings?: number }>): void {
  const ins = db.prepare(`INSERT INTO rule_runs (snapshot_id, rule_id, status, reason, findings, evaluated_at) VALUES (?, ?, ?, ?, ?, ?)`);
  for (const r of runs) ins.run(snapshotId, r.rule, r.status, r.reason ?? null, r.findings ?? 0, '2026-11-23T07:59:00.000Z');
}

/** Fixes the crawl clock columns so file names and date cells are predictable. */
export function fixTimes(db: Db, snapshotId: number, finished: string | null = FINISHED): void {
  db.prepare(`UPDATE snapshots SET started_at = ?, finished_at = ? WHERE id = ?`).run(STARTED, finished, snapshotId);
}

export interface Crawl {
  w: SnapshotWriter;
  id: number;
}

/** A Classic org: users with push, FastPass, SMS; two enrollment policies; logs; some gaps. */
export function crawlAcme(db: Db, opts: { finish?: boolean; extraUsers?: RawObject[]; extraResults?: UserResult[] } = {}): Crawl {
  const w = new SnapshotWriter(db);
  const id = w.createSnapshot({ orgUrl: ORG, toolVersion: '0.1.0', settings: { concurrency: 4 } });
  w.setOrgInfo(id, { orgId: '00o5rb5mt2H3d1TJd0h7', pipeline: 'v1', usersExpected: 4 });
  w.markOrgResource(id, 'wellKnown', 'complete');
  w.writeOrgResource(id, 'authenticators', [], 'authenticators');
  w.writeOrgResource(id, 'policies:MFA_ENROLL', [classicEnrollPolicy('00pclassic'), authenticatorsEnrollPolicy('00pauth')], 'policies');
  w.writeOrgResource(id, 'policyRules:00pclassic', [{ id: '0prA', type: 'MFA_ENROLL', name: 'Everyone', status: 'ACTIVE', priority: 1, system: false }], 'policy_rules', { policyId: '00pclassic' });
  w.markOrgResource(id, 'authenticatorEnrollments', 'not_applicable', IDENTITY_ENGINE_ONLY['authenticatorEnrollments']);
  w.writeUsersPage(id, 'users:all', [
    oktaUser('00ualice', 'alice@acme.example'),
    oktaUser('00ubob', 'bob@acme.example'),
    oktaUser('00ucarol', 'carol@acme.example', 'SUSPENDED', null),
    oktaUser('00udave', 'dave@acme.example'),
    ...(opts.extraUsers ?? []),
  ], null);
  w.completeUsers(id, [
    { userId: '00ualice', factors: [pushFactor('opfalice', "Alice's iPhone"), signedNonceFactor('snfalice', 'ALICE-LAPTOP'), smsFactor('smsalice')], enrollments: [oktaVerifyEnrollment('pfdalice'), emailEnrollment('eaealice')], state: 'complete' },
    { userId: '00ubob', factors: [pushFactor('opfbob1', 'Bob old phone'), pushFactor('opfbob2', 'Bob new phone')], enrollments: null, state: 'complete' },
    { userId: '00ucarol', factors: [], enrollments: null, state: 'complete' },
    { userId: '00udave', factors: null, enrollments: null, state: 'deleted', errors: [{ endpoint: '/api/v1/users/00udave/factors', kind: 'deleted', httpStatus: 404, errorCode: 'E0000007', message: 'user no longer exists' }] },
    ...(opts.extraResults ?? []),
  ]);
  w.writeLogEvents(id, 'logs:classic', [logEvent('ev1', 'user.session.start', '/api/v1/authn', { apiTokenId: '00Tsvc' })], null);
  w.markOrgResource(id, 'logs', 'complete');
  if (opts.finish !== false) w.finishSnapshot(id, 'complete', w.coverage(id));
  fixTimes(db, id, opts.finish === false ? null : FINISHED);
  return { w, id };
}

/** Findings and rule runs for {@link crawlAcme}'s snapshot. */
export function judgeAcme(db: Db, id: number): void {
  insertRuleRuns(db, id, [
    { rule: 'fastpass_signed_nonce_present', status: 'evaluated', findings: 1 },
    { rule: 'okta_verify_duplicate_push', status: 'evaluated', findings: 1 },
    { rule: 'enroll_policy_classic_format', status: 'evaluated', findings: 1 },
    { rule: 'classic_authn_api_callers', status: 'evaluated', findings: 1 },
    { rule: 'users_without_active_factor', status: 'evaluated', findings: 1 },
    { rule: 'email_factor_after_upgrade', status: 'evaluated', findings: 0 },
    { rule: 'event_hooks_classic_events', status: 'skipped', reason: 'eventHooks were not read (no permission)' },
  ]);
  insertFindings(db, id, [
    { rule: 'users_without_active_factor', severity: 'low', userId: '00ucarol', login: 'carol@acme.example', status: 'SUSPENDED', evidence: 'No ACTIVE factor (0 factors).', details: { factorCount: 0, lastLogin: null } },
    {
      rule: 'fastpass_signed_nonce_present', severity: 'medium', userId: '00ualice', login: 'alice@acme.example', status: 'ACTIVE',
      evidence: 'FastPass factor snfalice on ALICE-LAPTOP (WINDOWS).',
      details: { factorId: 'snfalice', factorStatus: 'ACTIVE', deviceName: 'ALICE-LAPTOP', platform: 'WINDOWS', deviceType: 'Tablet_Windows', created: '2023-11-07T22:41:14.000Z', lastVerified: null, keyCount: 2, pushFactors: 1, oktaVerifyTotpFactors: 0, engine: 'v1' },
    },
    {
      rule: 'okta_verify_duplicate_push', severity: 'high', userId: '00ubob', login: 'bob@acme.example', status: 'ACTIVE',
      evidence: '2 Okta Verify push factors on 2 devices.', details: { push_factors: 2, distinct_devices: 2, device_names: ['Bob old phone', 'Bob new phone'] },
    },
    {
      rule: 'classic_authn_api_callers', severity: 'critical', subjectType: 'api_token', subjectId: '00Tsvc',
      evidence: 'API token 00Tsvc called /api/v1/authn 1 time.',
      details: {
        integration: { kind: 'api_token', id: '00Tsvc', tokenName: 'svc-integration', tokenInSnapshot: true, ownerId: '00ualice', ownerLogin: 'alice@acme.example', ownerStatus: 'ACTIVE' },
        calls: 1, failedCalls: 0, firstSeen: '2024-08-13T15:58:20.353Z', lastSeen: '2024-08-13T15:58:20.353Z', apis: ['authn'],
        operations: [{ api: 'authn', operation: 'primary', label: 'Primary authentication (POST /api/v1/authn)', calls: 1 }],
        userAgents: [{ userAgent: 'okta-sdk-java/8.2.1 java/17', calls: 1, browser: false }], distinctActors: 1, engine: 'v1',
      },
    },
    { rule: 'enroll_policy_classic_format', severity: 'low', subjectType: 'policy', subjectId: '00pclassic', evidence: 'Policy "Default Policy" uses settings.factors.', details: { policyId: '00pclassic', policyName: 'Default Policy', status: 'ACTIVE', priority: 2, system: true, mapping: { okta_push: 'okta_verify', okta_sms: 'phone_number' }, engine: 'v1' } },
  ]);
}

// ---- reading the output back ----

export async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  return wb;
}

export function sheetNames(wb: ExcelJS.Workbook): string[] {
  return wb.worksheets.map((ws) => ws.name);
}

export function headerOf(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = [];
  ws.getRow(1).eachCell({ includeEmpty: false }, (cell, col) => {
    out[col - 1] = String(cell.value);
  });
  return out;
}

/** Data rows as objects keyed by header (row 1). */
export function rowsOf(ws: ExcelJS.Worksheet): Array<Record<string, ExcelJS.Cell>> {
  const header = headerOf(ws);
  const rows: Array<Record<string, ExcelJS.Cell>> = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const obj: Record<string, ExcelJS.Cell> = {};
    header.forEach((h, i) => {
      obj[h] = row.getCell(i + 1);
    });
    rows.push(obj);
  }
  return rows;
}

/** Minimal RFC 4180 parser: quoted fields, doubled quotes, CRLF records. Returns [header, ...rows]. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      if (ch === '\n' || ch === '\r' || ch === '"') throw new Error(`bare ${JSON.stringify(ch)} outside quotes at ${i}`);
      field += ch;
      i += 1;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('last record not terminated by CRLF');
  return records;
}

export function readCsv(path: string): { bom: boolean; records: string[][] } {
  const text = readFileSync(path, 'utf8');
  const bom = text.startsWith('\uFEFF');
  return { bom, records: parseCsv(bom ? text.slice(1) : text) };
}

export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
