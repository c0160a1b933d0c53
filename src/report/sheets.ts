/**
 * What the report contains: one spec per sheet (header words, width, cell type, row source), so
 * the XLSX and CSV writers produce the same columns from the same rows. Row sources stream from
 * SQLite with `Statement.iterate()`; only org-level lists (tens of rows) are read whole.
 * @module
 */
import type { Db } from '../store/db.js';
import type { Coverage, CrawlState, PolicyRow, SnapshotRow } from '../store/types.js';
import { resourceLabel } from '../store/resource_labels.js';
import { objectRows } from '../store/rows.js';
import { SnapshotReader } from '../store/snapshot_reader.js';
import { type BurnDownPoint, burnDown, burnDownSheets, burnDownSummary } from './burndown.js';
import { type CellValue, EXCEL_MAX_ROWS, parseTimestamp, toText } from './cells.js';
import { date, label, num, text } from './columns.js';

import { RULE_FAMILIES, SEVERITIES, type RuleFamily, type Severity } from '../rules/types.js';

/** The rules' own lists: one sheet per family, severities in this order. */
export { SEVERITIES };
export type { Severity };
export const FAMILIES = RULE_FAMILIES;
export type Family = RuleFamily;

/** The rule metadata the report needs; the rules engine's RuleMeta satisfies it. */
export interface RuleMetaLike {
  id: string;
  title: string;
  severity: Severity;
  family: Family;
  whyItMatters: string;
  recommendation: string;
  docUrl: string;
  /** Set when the rule rests on behaviour no Okta source confirms. */
  unverified?: boolean | string;
}

/** Whether the snapshot can be reported as complete, and if not, why (in words). */
export interface Completeness {
  complete: boolean;
  reasons: string[];
}

export interface ReportContext {
  db: Db;
  snapshot: SnapshotRow;
  coverage: Coverage;
  completeness: Completeness;
  rules: readonly RuleMetaLike[];
  now: Date;
  /** Rows per sheet, header included; Excel's limit unless a test lowers it. */
  rowLimit: number;
  /** Read already in the same commit (by the thread that hands out the sheets): renderers reuse it. */
  known?: KnownResults;
}

/** The findings' counts by rule and severity, and the burn-down: every findings sheet reads them. */
export interface KnownResults {
  groups: FindingGroup[];
  points: BurnDownPoint[];
}

export function knownResults(db: Db, snapshot: SnapshotRow): KnownResults {
  return { groups: findingGroups(db, snapshot.id), points: burnDown(db, snapshot) };
}

/** text: neutralised string; date: ISO text shown as a date cell; number: ours; severity: coloured word. */
export type ColumnType = 'text' | 'date' | 'number' | 'severity';

// Methods (not function properties) so a spec of specific rows is usable as a spec of unknown rows.
export interface ColumnSpec<R> {
  header: string;
  /** Excel column width, in characters. */
  width: number;
  type: ColumnType;
  /** Wrap long text inside the cell (Summary only: wrapped rows grow tall). */
  wrap?: boolean;
  /** Few distinct values (statuses, types, rule titles, recommendations): the workbook stores each once. */
  repeats?: boolean;
  value(row: R): CellValue;
}

/** A row drawn as a warning banner or a section heading (Summary only). */
export type RowStyle = 'warning' | 'section';

export interface SheetSpec<R = unknown> {
  /** Sheet name; at most 26 characters so a " (NN)" continuation still fits Excel's 31. */
  name: string;
  /** File-name suffix of the sheet's CSV. */
  slug: string;
  /** One sentence for the Summary's "How to read this workbook". */
  about: string;
  columns: ReadonlyArray<ColumnSpec<R>>;
  /** Exactly how many rows `rows()` yields (the report reads inside one transaction). */
  count(): number;
  rows(): Iterable<R>;
  /** rows() without the first `offset`, read from there: a render worker can start a later part of a long sheet. */
  rowsFrom?(offset: number): Iterable<R>;
  rowStyle?(row: R): RowStyle | undefined;
  /** Reads only what the crawl stored, none of the rules' results: may be rendered while the rules run. */
  beforeRules?: boolean;
}

export const SEVERITY_WORD: Record<Severity, string> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Info' };

export const SEVERITY_MEANING: Record<Severity, string> = {
  critical: 'Breaks sign-in or MFA for users at or right after the upgrade. Fix before upgrading.',
  high: 'Likely to break an integration, workflow or group of users after the upgrade. Plan the fix before upgrading.',
  medium: 'Needs a decision or a change as part of the upgrade plan.',
  low: 'Hygiene: worth cleaning up; little upgrade risk on its own.',
  info: 'For awareness: expected behaviour or context. No action needed.',
};

/** Severity as a word, whatever case or unknown value the row holds. */
export function severityWord(severity: string | null | undefined): string {
  return severity !== null && severity !== undefined && severity in SEVERITY_WORD ? SEVERITY_WORD[severity as Severity] : toText(severity);
}

export function engineWords(pipeline: string | null): string {
  if (pipeline === 'idx') return 'Identity Engine (idx)';
  if (pipeline === 'v1') return 'Classic Engine (v1)';
  return 'Unknown (the org metadata could not be read)';
}

/** Sheet name of a family: the word "the" dropped to keep tab names short. */
export const FAMILY_SHEET: Record<Family, string> = {
  'Signed Nonce': 'Signed Nonce',
  'Duplicate Push': 'Duplicate Push',
  'Classic-only Workflows': 'Classic-only Workflows',
  'Classic API Callers': 'Classic API Callers',
  'MFA Hygiene': 'MFA Hygiene',
  'Expected after the upgrade': 'Expected after Upgrade',
};

/** Name of the k-th part (k ≥ 1) of a sheet that passes the row limit. */
export function partName(name: string, k: number): string {
  return k === 1 ? name : `${name} (${k})`;
}

/** How many sheets `rows` data rows take when each sheet holds `rowLimit` rows with its header. */
export function partsFor(rows: number, rowLimit: number): number {
  return Math.max(1, Math.ceil(rows / (rowLimit - 1)));
}

// ---------------------------------------------------------------------------------------------
// Column helpers

/** A Summary sheet of fixed rows (Section, Item, Value, Severity, Notes), wrapped like the report's. */
export function summarySpec(about: string, build: () => SummaryRow[]): SheetSpec<SummaryRow> {
  let rows: SummaryRow[] | undefined;
  const all = (): SummaryRow[] => (rows ??= build());
  return {
    name: 'Summary',
    slug: 'summary',
    about,
    columns: [
      text('Section', 22, (r) => r.section),
      { header: 'Item', width: 40, type: 'text', wrap: true, value: (r) => r.item },
      { header: 'Value', width: 50, type: 'text', wrap: true, value: (r) => r.value },
      { header: 'Severity', width: 11, type: 'severity', value: (r) => r.severity },
      { header: 'Notes', width: 70, type: 'text', wrap: true, value: (r) => r.notes },
    ],
    count: () => all().length,
    rows: all,
    rowStyle: (r) => r.style,
  };
}

function yesNo(flag: number | null): string {
  return flag === 1 ? 'Yes' : flag === 0 ? 'No' : '';
}

const CRAWL_STATE_WORDS: Record<CrawlState, string> = {
  complete: 'Read',
  pending: 'Not read (crawl unfinished)',
  failed: 'Read failed (see Coverage & Errors)',
  deleted: 'Deleted during the crawl',
};

const POLICY_KIND: Record<string, string> = {
  MFA_ENROLL: 'Authenticator enrollment policy (Classic: MFA enrollment policy)',
  OKTA_SIGN_ON: 'Global session policy (Classic: Okta sign-on policy)',
  ACCESS_POLICY: 'App authentication policy (Identity Engine only)',
  IDP_DISCOVERY: 'Identity provider routing rules',
  PASSWORD: 'Password policy',
  PROFILE_ENROLLMENT: 'Profile enrollment policy (Identity Engine only)',
};

const SETTINGS_FORMAT_WORDS: Record<string, string> = {
  FACTORS: 'Factors (Classic format: settings.factors)',
  AUTHENTICATORS: 'Authenticators (Identity Engine format)',
};

/** Memoises a count so the Summary and the writers ask SQLite once. */
function once(fn: () => number): () => number {
  let value: number | undefined;
  return () => (value ??= fn());
}

function countOf(db: Db, sql: string, ...params: unknown[]): number {
  return (db.prepare(sql).pluck().get(...params) as number | undefined) ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Findings

export interface FindingSqlRow {
  id: number;
  rule_id: string;
  severity: string;
  subject_type: string;
  subject_id: string | null;
  user_id: string | null;
  user_login: string | null;
  user_status: string | null;
  evidence: string;
  details_json: string;
}

/** A finding row, completed in place (one object per row, no copies: there can be millions). */
interface FindingRow extends FindingSqlRow {
  rule?: RuleMetaLike | undefined;
  /** Detail cells of the family sheet, in column order, then the "Other details" text. */
  detailCells?: CellValue[];
}

export type FindingGroup = { rule_id: string; severity: string; n: number };

function severityRank(severity: string): number {
  const i = (SEVERITIES as readonly string[]).indexOf(severity);
  return i < 0 ? SEVERITIES.length : i;
}

/** Finding counts per rule and severity, most severe first, then by rule id. */
export function findingGroups(db: Db, snapshotId: number): FindingGroup[] {
  const groups = db
    .prepare(`SELECT rule_id, severity, count(*) AS n FROM findings WHERE snapshot_id = ? GROUP BY rule_id, severity`)
    .all(snapshotId) as FindingGroup[];
  return groups.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0));
}

/**
 * Findings most severe first, then by rule, each rule's in the order it wrote them. Read one
 * (rule, severity) group at a time through the findings_by_rule index: no sort of the whole table
 * (evidence and details make that a sort of hundreds of megabytes).
 */
export function* orderedFindings(db: Db, snapshotId: number, groups: readonly FindingGroup[], only?: ReadonlySet<string>): Generator<FindingSqlRow> {
  const stmt = db.prepare(`SELECT id, rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json
    FROM findings WHERE snapshot_id = ? AND rule_id = ? AND severity = ? ORDER BY id`);
  for (const g of groups) {
    if (only === undefined || only.has(g.rule_id)) yield* objectRows<FindingSqlRow>(stmt, snapshotId, g.rule_id, g.severity);
  }
}

/** A detail column of a family sheet: the first of `keys` present in details_json fills it. */
interface DetailColumn {
  header: string;
  width: number;
  type: ColumnType;
  /** Candidate keys; matched ignoring case, '_' and '-' (deviceName = device_name). */
  keys: readonly string[];
  /** For an object, or a list of objects: the fields shown, space-separated, one item per entry. */
  pick?: readonly string[];
  /** Few distinct values (see ColumnSpec.repeats). */
  repeats?: boolean;
}

const d = (header: string, width: number, type: ColumnType, keys: readonly string[], pick?: readonly string[]): DetailColumn =>
  pick === undefined ? { header, width, type, keys } : { header, width, type, keys, pick };

// Keys named after the rules' details (src/rules/*), with aliases so a renamed key still lands.
const FAMILY_DETAILS: Record<Family, { about: string; details: readonly DetailColumn[] }> = {
  'Signed Nonce': {
    about: 'Okta Verify FastPass (signed_nonce) factors: one row per finding, with the device and factor involved. They exist only in Identity Engine and can only be removed, not enrolled, through the Factors API.',
    details: [
      d('Device name', 28, 'text', ['deviceName', 'device']),
      { ...d('Platform', 12, 'text', ['platform']), repeats: true },
      { ...d('Device type', 20, 'text', ['deviceType']), repeats: true },
      d('Factor ID', 24, 'text', ['factorId', 'factorIds']),
      { ...d('Factor status', 14, 'text', ['factorStatus']), repeats: true },
      d('Keys', 7, 'number', ['keyCount']),
      d('Push factors', 9, 'number', ['pushFactors']),
      d('Factor created', 20, 'date', ['created', 'factorCreated']),
      d('Last verified', 20, 'date', ['lastVerified']),
    ],
  },
  'Duplicate Push': {
    about: 'Users with more than one Okta Verify push factor, device or enrollment, abandoned push activations and repeated enrollments: the counts and devices behind each finding.',
    details: [
      d('Push factors', 10, 'number', ['pushFactors', 'pendingPushFactors']),
      d('FastPass factors', 10, 'number', ['signedNonceFactors']),
      d('Okta Verify enrollments', 12, 'number', ['oktaVerifyEnrollments']),
      d('Devices', 9, 'number', ['devices', 'distinctDevices', 'deviceCount']),
      d('Device name', 28, 'text', ['deviceName', 'deviceNames']),
      d('Likely stale factors', 28, 'text', ['staleFactorIds', 'likelyStaleFactorId']),
      d('Factors', 48, 'text', ['factors'], ['factorId', 'deviceName', 'status']),
      d('Attempts', 9, 'number', ['attempts']),
      d('First seen', 20, 'date', ['firstSeen']),
      d('Last seen', 20, 'date', ['lastSeen']),
    ],
  },
  'Classic-only Workflows': {
    about: 'Policies, policy rules, event hooks, inline hooks, API tokens, apps, sign-in pages, factor types and Device Trust that exist only in Classic Engine or change meaning in Identity Engine.',
    details: [
      d('Name', 30, 'text', ['name', 'policyName', 'hookName', 'tokenName']),
      d('Policy rule', 24, 'text', ['ruleName']),
      d('Status', 10, 'text', ['status']),
      d('Classic-only part', 40, 'text', ['classicOnlyEvents', 'mapping', 'okta_email', 'providers', 'setting', 'factorKeys']),
      d('Owner', 28, 'text', ['ownerLogin']),
      d('Object ID', 22, 'text', ['policyId', 'hookId', 'tokenId', 'factorId', 'appId', 'brandId']),
      d('Created', 20, 'date', ['created']),
    ],
  },
  'Classic API Callers': {
    about: 'Callers of Classic-only APIs (Authentication API /api/v1/authn, Sessions API incl. cookieToken and /sessions/me, Factors API, org factors) seen in the System Log, and trusted origins that let browser pages call Okta: who called, how often, which operations and user agents (browsers apart from scripts), first and last seen.',
    details: [
      d('Caller', 30, 'text', ['integration', 'caller'], ['tokenName', 'id']),
      d('Caller type', 12, 'text', ['integration', 'caller'], ['kind']),
      d('Token owner', 28, 'text', ['integration', 'caller'], ['ownerLogin', 'ownerStatus']),
      d('Calls', 9, 'number', ['calls']),
      d('Failed calls', 9, 'number', ['failedCalls']),
      d('APIs', 16, 'text', ['apis', 'api']),
      d('Operations', 44, 'text', ['operations'], ['label']),
      d('User agents', 44, 'text', ['userAgents'], ['userAgent']),
      d('First seen', 20, 'date', ['firstSeen']),
      d('Last seen', 20, 'date', ['lastSeen']),
    ],
  },
  'MFA Hygiene': {
    about: 'Factor hygiene: active users without an active factor, users with only weak factors (SMS, voice, email, security question).',
    details: [
      d('Active factor types', 28, 'text', ['activeFactorTypes']),
      d('Factors', 48, 'text', ['factors', 'activeFactors'], ['factorType', 'status']),
      d('Last login', 20, 'date', ['lastLogin']),
      d('User created', 20, 'date', ['created']),
    ],
  },
  'Expected after the upgrade': {
    about: 'Changes the upgrade makes by design (the verified email and the recovery question appear as factors). Listed so they are not mistaken for problems afterwards.',
    details: [
      d('Users affected', 12, 'number', ['usersWithoutEmailFactor', 'usersWithRecoveryQuestionOnly', 'users']),
      d('Factors', 10, 'number', ['emailFactors', 'questionFactors']),
    ],
  },
};

// The engine is on the Summary; repeating it on every row says nothing.
const HIDDEN_DETAILS = new Set(['engine']);

/** The detail-column keys each family sheet reads from details_json (for the rules' authors). */
export function familyDetailKeys(): Record<Family, Record<string, readonly string[]>> {
  return Object.fromEntries(
    FAMILIES.map((f) => [f, Object.fromEntries(FAMILY_DETAILS[f].details.map((c) => [c.header, c.keys]))]),
  ) as Record<Family, Record<string, readonly string[]>>;
}

function normKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '');
}

// Detail keys repeat on every finding of a rule: each is normalised once (the rules name them,
// so there are few; the bound keeps odd data from growing the map).
const NORMALISED = new Map<string, string>();
function normalised(key: string): string {
  let norm = NORMALISED.get(key);
  if (norm === undefined) {
    norm = normKey(key);
    if (NORMALISED.size < 10_000) NORMALISED.set(key, norm);
  }
  return norm;
}

function parseDetails(json: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function picked(v: unknown, fields: readonly string[]): string {
  const one = (item: unknown): string => {
    if (!isObject(item)) return toText(item);
    const parts = fields.map((f) => item[f]).filter((x) => x !== null && x !== undefined && x !== '');
    return parts.length > 0 ? parts.map(toText).join(' ') : JSON.stringify(item);
  };
  return Array.isArray(v) ? v.map(one).join(', ') : one(v);
}

/** Fills the family's detail columns; keys no column shows go to "Other details", so nothing is hidden. */
function detailCells(details: Record<string, unknown> | undefined, raw: string, columns: readonly DetailColumn[]): CellValue[] {
  if (details === undefined) return [...columns.map(() => null), raw];
  const keys = Object.keys(details);
  const byNorm = new Map<string, string>();
  for (const k of keys) {
    const norm = normalised(k);
    if (!byNorm.has(norm)) byNorm.set(norm, k);
  }
  const used = new Set<string>(HIDDEN_DETAILS);
  const cells: CellValue[] = columns.map((col) => {
    for (const candidate of col.keys) {
      const key = byNorm.get(normalised(candidate));
      if (key === undefined) continue;
      used.add(key);
      const v = details[key];
      if (v === null || v === undefined) return null;
      if (col.type === 'number' && typeof v === 'number') return v;
      if (col.type === 'number' && Array.isArray(v)) return v.length;
      return col.pick === undefined ? toText(v) : picked(v, col.pick);
    }
    return null;
  });
  let rest = '';
  for (const k of keys) if (!used.has(k)) rest += `${rest === '' ? '' : '; '}${k}: ${toText(details[k])}`;
  cells.push(rest);
  return cells;
}

/** What an unverified rule relies on, or '' for a rule resting on documented behaviour. */
function unverifiedText(rule: RuleMetaLike | undefined): string {
  if (!rule?.unverified) return '';
  return typeof rule.unverified === 'string' ? rule.unverified : 'Yes';
}

function ruleMap(rules: readonly RuleMetaLike[]): Map<string, RuleMetaLike> {
  return new Map(rules.map((r) => [r.id, r]));
}

function findingsSheet(ctx: ReportContext, byId: Map<string, RuleMetaLike>, groups: () => FindingGroup[]): SheetSpec<FindingRow> {
  const { db, snapshot } = ctx;
  return {
    name: 'Findings',
    slug: 'findings',
    about: 'Every finding, one row each, most severe first, then by rule. Filter on Family or Rule to work through one topic.',
    columns: [
      { header: 'Severity', width: 11, type: 'severity', value: (r) => severityWord(r.severity) },
      label('Rule ID', 28, (r) => r.rule_id),
      label('Rule', 44, (r) => r.rule?.title ?? r.rule_id),
      label('Family', 22, (r) => r.rule?.family ?? 'Not in this version of oie-audit'),
      text('User login', 32, (r) => r.user_login),
      label('User status', 14, (r) => r.user_status),
      text('Evidence', 60, (r) => r.evidence),
      label('Recommendation', 60, (r) => r.rule?.recommendation),
      label('Documentation link', 40, (r) => r.rule?.docUrl),
      label('Subject type', 14, (r) => r.subject_type),
      text('Subject ID', 24, (r) => r.subject_id),
      label('Unverified Okta behaviour', 30, (r) => unverifiedText(r.rule)),
      num('Finding ID', 10, (r) => r.id),
    ],
    count: () => groups().reduce((n, g) => n + g.n, 0),
    *rows() {
      for (const row of orderedFindings(db, snapshot.id, groups()) as Generator<FindingRow>) {
        row.rule = byId.get(row.rule_id);
        yield row;
      }
    },
  };
}

function familySheet(ctx: ReportContext, family: Family, byId: Map<string, RuleMetaLike>, groups: () => FindingGroup[]): SheetSpec<FindingRow> {
  const { db, snapshot } = ctx;
  const members = new Set(ctx.rules.filter((r) => r.family === family).map((r) => r.id));
  const spec = FAMILY_DETAILS[family];
  const details = spec.details.map(
    (d, i): ColumnSpec<FindingRow> => ({
      header: d.type === 'date' ? `${d.header} (UTC)` : d.header, width: d.width, type: d.type, repeats: d.repeats, value: (r) => r.detailCells?.[i],
    }),
  );
  return {
    name: FAMILY_SHEET[family],
    slug: FAMILY_SHEET[family].toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    about: spec.about,
    columns: [
      { header: 'Severity', width: 11, type: 'severity', value: (r) => severityWord(r.severity) },
      label('Rule ID', 26, (r) => r.rule_id),
      label('Rule', 40, (r) => r.rule?.title ?? r.rule_id),
      text('User login', 30, (r) => r.user_login),
      label('User status', 14, (r) => r.user_status),
      text('Subject ID', 24, (r) => r.subject_id),
      text('Evidence', 56, (r) => r.evidence),
      ...details,
      text('Other details', 48, (r) => r.detailCells?.[spec.details.length]),
    ],
    count: () => groups().reduce((n, g) => n + (members.has(g.rule_id) ? g.n : 0), 0),
    *rows() {
      for (const row of orderedFindings(db, snapshot.id, groups(), members) as Generator<FindingRow>) {
        row.rule = byId.get(row.rule_id);
        row.detailCells = detailCells(parseDetails(row.details_json), row.details_json, spec.details);
        yield row;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Snapshot data

// The three big sheets (millions of rows) read rows as arrays: better-sqlite3's raw mode skips
// building an object per row, about a third of the read cost.
type RawRow = readonly CellValue[];

/** A SELECT list of named expressions, and each name's position in a raw row. */
function selectList<K extends string>(exprs: Record<K, string>): { list: string; at: Record<K, number> } {
  const names = Object.keys(exprs) as K[];
  return {
    list: names.map((n) => `${exprs[n]} AS ${n}`).join(', '),
    at: Object.fromEntries(names.map((n, i) => [n, i])) as Record<K, number>,
  };
}

function usersSheet(ctx: ReportContext): SheetSpec<RawRow> {
  const { db, snapshot } = ctx;
  const { list, at } = selectList({
    id: 'u.id', login: 'u.login', status: 'u.status', created: 'u.created', last_login: 'u.last_login', last_updated: 'u.last_updated',
    crawl_state: 'u.crawl_state',
    first_name: `json_extract(u.raw_json, '$.profile.firstName')`,
    last_name: `json_extract(u.raw_json, '$.profile.lastName')`,
    // Counts only where the list was read: blank means "not read", 0 means "read, none".
    factor_count: `CASE WHEN u.factors_fetched = 1 THEN (SELECT count(*) FROM factors f WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id) END`,
    enrollment_count: `CASE WHEN u.enrollments_fetched = 1 THEN (SELECT count(*) FROM authenticator_enrollments e WHERE e.snapshot_id = u.snapshot_id AND e.user_id = u.id) END`,
  });
  const sql = `SELECT ${list} FROM users u WHERE u.snapshot_id = ? ORDER BY u.login, u.id`;
  return {
    name: 'Users',
    beforeRules: true,
    slug: 'users',
    about: 'Every user the crawl listed, by login, with whether their factors were read. Factors and Enrollments are counts; blank means the list was not read.',
    columns: [
      text('Login', 34, (r) => r[at.login]),
      text('Name', 26, (r) => [toText(r[at.first_name]), toText(r[at.last_name])].filter((s) => s !== '').join(' ')),
      label('User status', 14, (r) => r[at.status]),
      date('Last login', (r) => r[at.last_login]),
      label('Crawl result', 26, (r) => CRAWL_STATE_WORDS[r[at.crawl_state] as CrawlState] ?? r[at.crawl_state]),
      num('Factors', 9, (r) => r[at.factor_count]),
      num('Enrollments', 12, (r) => r[at.enrollment_count]),
      date('Created', (r) => r[at.created]),
      date('Last updated', (r) => r[at.last_updated]),
      text('User ID', 22, (r) => r[at.id]),
    ],
    count: once(() => countOf(db, `SELECT count(*) FROM users WHERE snapshot_id = ?`, snapshot.id)),
    rows: () => db.prepare(sql).raw().iterate(snapshot.id) as IterableIterator<RawRow>,
  };
}

/**
 * A per-user list (factors, authenticator enrollments: `select` reads `table` as `alias`)
 * in primary-key order, whole or from its `offset`-th row on. The start is found in the primary
 * key alone, so a worker rendering a later part of the sheet does not read the rows before it.
 */
function userListRows(db: Db, snapshotId: number, table: string, alias: string, select: string): Pick<SheetSpec<RawRow>, 'rows' | 'rowsFrom'> {
  const order = `ORDER BY ${alias}.user_id, ${alias}.id`;
  return {
    rows: () => db.prepare(`${select} WHERE ${alias}.snapshot_id = ? ${order}`).raw().iterate(snapshotId) as IterableIterator<RawRow>,
    rowsFrom: (offset) => {
      const start = db.prepare(`SELECT user_id, id FROM ${table} WHERE snapshot_id = ? ORDER BY user_id, id LIMIT 1 OFFSET ?`).raw().get(snapshotId, offset) as [string, string] | undefined;
      if (start === undefined) return [];
      return db.prepare(`${select} WHERE ${alias}.snapshot_id = ? AND (${alias}.user_id, ${alias}.id) >= (?, ?) ${order}`).raw().iterate(snapshotId, ...start) as IterableIterator<RawRow>;
    },
  };
}

function factorsSheet(ctx: ReportContext): SheetSpec<RawRow> {
  const { db, snapshot } = ctx;
  const { list, at } = selectList({
    user_id: 'f.user_id', login: 'u.login', id: 'f.id', factor_type: 'f.factor_type', provider: 'f.provider', status: 'f.status',
    device_name: 'f.device_name', platform: 'f.platform', device_type: 'f.device_type', created: 'f.created',
    last_updated: 'f.last_updated', last_verified: 'f.last_verified',
  });
  // In primary-key order: sorting millions of rows by login would cost a temporary B-tree.
  const rows = userListRows(db, snapshot.id, 'factors', 'f', `SELECT ${list} FROM factors f LEFT JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id`);
  return {
    name: 'Factors',
    beforeRules: true,
    slug: 'factors',
    about: 'Every factor from the Factors API (/api/v1/users/{id}/factors), grouped by user ID. In Identity Engine one Okta Verify shows as push + totp + signed_nonce.',
    columns: [
      text('User login', 32, (r) => r[at.login]),
      label('Factor type', 20, (r) => r[at.factor_type]),
      label('Provider', 10, (r) => r[at.provider]),
      label('Factor status', 18, (r) => r[at.status]),
      text('Device name', 26, (r) => r[at.device_name]),
      label('Platform', 10, (r) => r[at.platform]),
      label('Device type', 18, (r) => r[at.device_type]),
      date('Created', (r) => r[at.created]),
      date('Last updated', (r) => r[at.last_updated]),
      date('Last verified', (r) => r[at.last_verified]),
      text('Factor ID', 22, (r) => r[at.id]),
      text('User ID', 22, (r) => r[at.user_id]),
    ],
    count: once(() => countOf(db, `SELECT count(*) FROM factors WHERE snapshot_id = ?`, snapshot.id)),
    ...rows,
  };
}

function enrollmentsSheet(ctx: ReportContext): SheetSpec<RawRow> {
  const { db, snapshot } = ctx;
  const { list, at } = selectList({
    user_id: 'e.user_id', login: 'u.login', id: 'e.id', key: 'e.key', type: 'e.type', status: 'e.status', name: 'e.name',
    nickname: 'e.nickname', device_name: 'e.device_name', created: 'e.created', last_updated: 'e.last_updated',
  });
  const rows = userListRows(db, snapshot.id, 'authenticator_enrollments', 'e',
    `SELECT ${list} FROM authenticator_enrollments e LEFT JOIN users u ON u.snapshot_id = e.snapshot_id AND u.id = e.user_id`);
  return {
    name: 'Authenticator Enrollments',
    beforeRules: true,
    slug: 'authenticator-enrollments',
    about: 'Every authenticator enrollment (/api/v1/users/{id}/authenticator-enrollments, Identity Engine only), grouped by user ID: one row per device for Okta Verify.',
    columns: [
      text('User login', 32, (r) => r[at.login]),
      label('Authenticator', 18, (r) => r[at.key]),
      label('Type', 12, (r) => r[at.type]),
      label('Name', 20, (r) => r[at.name]),
      text('Device name', 24, (r) => r[at.device_name]),
      text('Nickname', 20, (r) => r[at.nickname]),
      label('Status', 12, (r) => r[at.status]),
      date('Created', (r) => r[at.created]),
      date('Last updated', (r) => r[at.last_updated]),
      text('Enrollment ID', 24, (r) => r[at.id]),
      text('User ID', 22, (r) => r[at.user_id]),
    ],
    count: once(() => countOf(db, `SELECT count(*) FROM authenticator_enrollments WHERE snapshot_id = ?`, snapshot.id)),
    ...rows,
  };
}

interface PolicySheetRow {
  policy: PolicyRow;
  rules: number;
}

function policiesSheet(ctx: ReportContext): SheetSpec<PolicySheetRow> {
  const reader = new SnapshotReader(ctx.db);
  const id = ctx.snapshot.id;
  // Org-level: tens of rows, read whole.
  const load = (): PolicySheetRow[] => reader.policies(id).map((policy) => ({ policy, rules: reader.policyRules(id, policy.id).length }));
  return {
    name: 'Policies',
    slug: 'policies',
    about: 'Policies read at org level (enrollment, global session, app authentication, routing), in evaluation order, with the settings format that matters for the upgrade.',
    columns: [
      text('Policy type', 16, (r) => r.policy.type),
      text('What it is', 40, (r) => (r.policy.type === null ? '' : (POLICY_KIND[r.policy.type] ?? ''))),
      text('Name', 32, (r) => r.policy.name),
      text('Status', 10, (r) => r.policy.status),
      num('Priority', 9, (r) => r.policy.priority),
      text('Default policy', 10, (r) => yesNo(r.policy.is_system)),
      text('Settings format', 36, (r) => (r.policy.settings_format === null ? '' : (SETTINGS_FORMAT_WORDS[r.policy.settings_format] ?? r.policy.settings_format))),
      num('Rules', 8, (r) => r.rules),
      date('Created', (r) => r.policy.created),
      date('Last updated', (r) => r.policy.last_updated),
      text('Policy ID', 22, (r) => r.policy.id),
    ],
    count: once(() => countOf(ctx.db, `SELECT count(*) FROM policies WHERE snapshot_id = ?`, id)),
    rows: () => load(),
  };
}

// ---------------------------------------------------------------------------------------------
// Coverage & Errors

interface CoverageSheetRow {
  what: string;
  scope: string | null;
  subject: string | null;
  login: string | null;
  endpoint: string | null;
  http_status: number | null;
  error_code: string | null;
  detail: string | null;
  at: string | null;
}

const ERROR_KIND_WORDS: Record<string, string> = {
  failed: 'Read failed after retries',
  deleted: 'User deleted during the crawl',
  not_available: 'Not available (permission)',
};

const RULE_STATUS_WORDS: Record<string, string> = {
  skipped: 'Rule skipped (its data was not read)',
  not_applicable: 'Rule not applicable to this org',
  error: 'Rule failed',
};

function coverageSheet(ctx: ReportContext, byId: Map<string, RuleMetaLike>): SheetSpec<CoverageSheetRow> {
  const { db, snapshot, coverage } = ctx;
  const id = snapshot.id;
  const ruleRuns = () =>
    db.prepare(`SELECT rule_id, status, reason, evaluated_at FROM rule_runs WHERE snapshot_id = ? ORDER BY rule_id`).all(id) as Array<{
      rule_id: string; status: string; reason: string | null; evaluated_at: string;
    }>;
  // Small lists (org resources, rules), computed once; crawl errors stream.
  const small = (): CoverageSheetRow[] => {
    const out: CoverageSheetRow[] = [];
    for (const r of db
      .prepare(`SELECT resource, state, reason, http_status, error_code FROM org_resources WHERE snapshot_id = ? AND state <> 'complete' ORDER BY state, resource`)
      .all(id) as Array<{ resource: string; state: string; reason: string | null; http_status: number | null; error_code: string | null }>) {
      out.push({
        what: r.state === 'not_applicable' ? 'Org data not in this org (not applicable)' : 'Org data not read (not available)',
        scope: 'org', subject: resourceLabel(r.resource), login: null, endpoint: r.resource, http_status: r.http_status, error_code: r.error_code, detail: r.reason, at: null,
      });
    }
    if (coverage.users.pending > 0) {
      out.push({
        what: 'Users not read', scope: 'user', subject: `${coverage.users.pending} users`, login: null, endpoint: null, http_status: null, error_code: null,
        detail: 'Listed but their factors were never read: the crawl did not finish. Filter the Users sheet on Crawl result.', at: null,
      });
    }
    const runs = ruleRuns();
    const ran = new Set(runs.map((r) => r.rule_id));
    for (const r of runs) {
      if (r.status === 'evaluated') continue;
      out.push({
        what: RULE_STATUS_WORDS[r.status] ?? r.status,
        scope: 'rule', subject: byId.get(r.rule_id)?.title ?? r.rule_id, login: null, endpoint: r.rule_id, http_status: null, error_code: null, detail: r.reason, at: r.evaluated_at,
      });
    }
    for (const rule of ctx.rules) {
      if (ran.has(rule.id)) continue;
      out.push({ what: 'Rule not run on this snapshot', scope: 'rule', subject: rule.title, login: null, endpoint: rule.id, http_status: null, error_code: null, detail: null, at: null });
    }
    return out;
  };
  const errorsSql = `SELECT e.kind, e.scope, e.subject, u.login, e.endpoint, e.http_status, e.error_code, e.message, e.at
    FROM crawl_errors e LEFT JOIN users u ON e.scope = 'user' AND u.snapshot_id = e.snapshot_id AND u.id = e.subject
    WHERE e.snapshot_id = ? ORDER BY e.id`;
  let smallRows: CoverageSheetRow[] | undefined;
  const smallOnce = (): CoverageSheetRow[] => (smallRows ??= small());
  return {
    name: 'Coverage & Errors',
    slug: 'coverage-and-errors',
    about: 'What the crawl could not read and why: org data not available, data this org does not have (not applicable), users not read, failed reads (with the endpoint and Okta error code), and rules that were skipped, not applicable, failed or not run.',
    columns: [
      text('What', 36, (r) => r.what),
      text('Scope', 8, (r) => r.scope),
      text('Subject', 30, (r) => r.subject),
      text('User login', 30, (r) => r.login),
      text('Endpoint or rule ID', 40, (r) => r.endpoint),
      num('HTTP status', 8, (r) => r.http_status),
      text('Okta error code', 12, (r) => r.error_code),
      text('Details', 60, (r) => r.detail),
      date('Recorded', (r) => r.at),
    ],
    count: once(() => smallOnce().length + countOf(db, `SELECT count(*) FROM crawl_errors WHERE snapshot_id = ?`, id)),
    *rows() {
      yield* smallOnce();
      for (const e of db.prepare(errorsSql).iterate(id) as IterableIterator<{
        kind: string; scope: string; subject: string; login: string | null; endpoint: string; http_status: number | null; error_code: string | null; message: string; at: string;
      }>) {
        yield {
          what: ERROR_KIND_WORDS[e.kind] ?? e.kind, scope: e.scope, subject: e.subject, login: e.login, endpoint: e.endpoint,
          http_status: e.http_status, error_code: e.error_code, detail: e.message, at: e.at,
        };
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Summary

export interface SummaryRow {
  section: string;
  item: string;
  value?: CellValue;
  severity?: string;
  notes?: string;
  style?: RowStyle;
}

function summarySheet(ctx: ReportContext, data: ReadonlyArray<SheetSpec>, byId: Map<string, RuleMetaLike>, groups: () => FindingGroup[],
  points: () => BurnDownPoint[]): SheetSpec<SummaryRow> {
  return summarySpec('This sheet: the org and snapshot, what the crawl covered, findings by severity and by rule, the progress over time, and how to read the rest.',
    () => summaryRows(ctx, data, byId, groups(), points()));
}

function summaryRows(ctx: ReportContext, data: ReadonlyArray<SheetSpec>, byId: Map<string, RuleMetaLike>, byRuleSeverity: readonly FindingGroup[],
  points: readonly BurnDownPoint[]): SummaryRow[] {
  const { db, snapshot: s, coverage: c } = ctx;
  const out: SummaryRow[] = [];
  const add = (section: string, item: string, value?: CellValue, notes?: string, severity?: string, style?: RowStyle): void => {
    out.push({ section, item, value, notes, severity, style });
  };

  const runs = db.prepare(`SELECT rule_id, status, reason, findings FROM rule_runs WHERE snapshot_id = ?`).all(s.id) as Array<{
    rule_id: string; status: 'evaluated' | 'skipped' | 'not_applicable' | 'error'; reason: string | null; findings: number;
  }>;
  const runById = new Map(runs.map((r) => [r.rule_id, r]));

  if (!ctx.completeness.complete) {
    add('WARNING', 'INCOMPLETE SNAPSHOT', 'This report was written with --allow-partial from a snapshot that is not complete. Findings may be missing: an absent finding is NOT evidence of a clean org.',
      ctx.completeness.reasons.join(' '), undefined, 'warning');
  }
  if (runs.length === 0) {
    add('WARNING', 'RULES NOT EVALUATED', 'No rule results are stored for this snapshot, so the finding sheets are empty by omission, not because nothing was found.',
      'Run the rules on this snapshot (oie-audit report does), then write the report again.', undefined, 'warning');
  }

  add('Snapshot', 'Organisation URL', s.org_url, undefined, undefined, 'section');
  add('Snapshot', 'Organisation ID', s.org_id ?? 'Unknown');
  add('Snapshot', 'Engine', engineWords(s.pipeline));
  add('Snapshot', 'Snapshot ID', s.id);
  add('Snapshot', 'Crawl status', s.status === 'complete' ? 'Complete' : s.status === 'failed' ? 'Failed' : 'Running or interrupted');
  add('Snapshot', 'Crawl started (UTC)', parseTimestamp(s.started_at) ?? s.started_at);
  add('Snapshot', 'Crawl finished (UTC)', s.finished_at === null ? 'Not finished' : (parseTimestamp(s.finished_at) ?? s.finished_at));
  add('Snapshot', 'Crawled with oie-audit version', s.tool_version);
  add('Snapshot', 'Report written (UTC)', ctx.now);
  add('Snapshot', 'Snapshot complete', ctx.completeness.complete ? 'Yes' : 'NO: see the warning at the top', ctx.completeness.complete
    ? `Every listed user, and every org resource this org has, was read.${c.orgResources.notApplicable.length > 0 ? ' Data that does not exist on this engine is listed under Coverage as "Not in this org".' : ''}`
    : undefined);

  add('Coverage', 'Users listed', c.users.total, c.usersExpected === null ? undefined : `Okta reported ${c.usersExpected} users when the crawl started.`, undefined, 'section');
  add('Coverage', 'Users read', c.users.complete);
  add('Coverage', 'Users not read (crawl unfinished)', c.users.pending);
  add('Coverage', 'Users whose read failed', c.users.failed, c.users.failed > 0 ? 'Listed in Coverage & Errors with the endpoint and Okta error code.' : undefined);
  add('Coverage', 'Users deleted during the crawl', c.users.deleted);
  // One policyRules:<id> entry per policy would drown the list: counted instead.
  const ruleLists = c.orgResources.complete.filter((r) => r.startsWith('policyRules:')).length;
  const read = c.orgResources.complete.filter((r) => !r.startsWith('policyRules:'));
  add('Coverage', 'Org data read', [...read, ...(ruleLists > 0 ? [`rules of ${ruleLists} ${ruleLists === 1 ? 'policy' : 'policies'}`] : [])].join(', '));
  for (const r of c.orgResources.notApplicable) {
    add('Coverage', `Not in this org: ${resourceLabel(r.resource)}`, s.pipeline === 'v1' ? 'Does not exist on Classic Engine' : 'Does not exist in this org',
      [r.reason, r.httpStatus === null ? null : `HTTP ${r.httpStatus}`, r.errorCode].filter((x) => x !== null && x !== '').join('; '));
  }
  for (const r of c.orgResources.notAvailable) {
    add('Coverage', `Org data not read: ${resourceLabel(r.resource)}`, 'Not read: a gap in this snapshot',
      [r.reason, r.httpStatus === null ? null : `HTTP ${r.httpStatus}`, r.errorCode].filter((x) => x !== null && x !== '').join('; '));
  }
  add('Coverage', 'Crawl errors: read failed after retries', c.errors.failed);
  add('Coverage', 'Crawl errors: user deleted', c.errors.deleted);
  add('Coverage', 'Crawl errors: not available', c.errors.not_available);

  const evaluated = runs.filter((r) => r.status === 'evaluated').length;
  const skipped = runs.filter((r) => r.status === 'skipped').length;
  const notApplicable = runs.filter((r) => r.status === 'not_applicable');
  const failed = runs.filter((r) => r.status === 'error').length;
  const notRun = ctx.rules.filter((r) => !runById.has(r.id)).length;
  add('Rules', 'Rules evaluated', evaluated, `${ctx.rules.length} rules in this version of oie-audit.`, undefined, 'section');
  add('Rules', 'Rules not applicable to this org', notApplicable.length, notApplicable.length > 0
    ? `They check an engine or data this org does not have (${notApplicable.map((r) => r.rule_id).join(', ')}); nothing is missing. Each reason is in Coverage & Errors.`
    : undefined);
  add('Rules', 'Rules skipped (their data was not read)', skipped, skipped > 0 ? 'Their reasons are in Coverage & Errors.' : undefined);
  add('Rules', 'Rules failed', failed, failed > 0 ? 'Their errors are in Coverage & Errors.' : undefined);
  add('Rules', 'Rules not run', notRun);

  const bySeverity = new Map<string, number>();
  for (const r of byRuleSeverity) bySeverity.set(r.severity, (bySeverity.get(r.severity) ?? 0) + r.n);
  let total = 0;
  SEVERITIES.forEach((sev, i) => {
    const n = bySeverity.get(sev) ?? 0;
    total += n;
    add('Findings by severity', SEVERITY_WORD[sev], n, SEVERITY_MEANING[sev], SEVERITY_WORD[sev], i === 0 ? 'section' : undefined);
  });
  add('Findings by severity', 'All findings', total);

  // One row per rule and severity found; evaluated rules without findings show 0 so "none" is visible.
  const seen = new Set<string>();
  let first = true;
  const ruleRow = (ruleId: string, severity: string, n: number): void => {
    const rule = byId.get(ruleId);
    const run = runById.get(ruleId);
    const status = run === undefined ? 'not run'
      : run.status === 'evaluated' ? 'evaluated'
        : run.status === 'skipped' ? `skipped: ${run.reason ?? 'data not available'}`
          : run.status === 'not_applicable' ? `not applicable: ${run.reason ?? 'not for this org'}`
            : `failed: ${run.reason ?? 'error'}`;
    const notes = [`${ruleId}`, rule?.family ?? 'not in this version of oie-audit', `rule ${status}`, rule?.unverified ? `rests on unverified Okta behaviour${typeof rule.unverified === 'string' ? `: ${rule.unverified}` : ''}` : null]
      .filter((x) => x !== null)
      .join(' · ');
    add('Findings by rule', rule?.title ?? ruleId, n, notes, severityWord(severity), first ? 'section' : undefined);
    first = false;
  };
  for (const r of byRuleSeverity) {
    seen.add(r.rule_id);
    ruleRow(r.rule_id, r.severity, r.n);
  }
  const rank = (sev: Severity): number => SEVERITIES.indexOf(sev);
  for (const rule of [...ctx.rules].sort((a, b) => rank(a.severity) - rank(b.severity) || a.id.localeCompare(b.id))) {
    if (!seen.has(rule.id)) ruleRow(rule.id, rule.severity, 0);
  }

  if (points.length > 1) {
    burnDownSummary([...points]).forEach((r, i) => add('Progress over time', r.item, r.value,
      i === 0 ? 'Every snapshot of this org in the database is on the Burn-down sheets.' : undefined, undefined, i === 0 ? 'section' : undefined));
  }

  const continued = data
    .map((sheet) => ({ sheet, parts: partsFor(sheet.count(), ctx.rowLimit) }))
    .filter((x) => x.parts > 1);
  for (const { sheet, parts } of continued) {
    const names = Array.from({ length: parts - 1 }, (_, i) => partName(sheet.name, i + 2));
    add('Sheets continued', sheet.name, `Continues on ${names.join(', ')}`,
      `${sheet.count().toLocaleString('en-US')} rows do not fit one sheet (at most ${(ctx.rowLimit - 1).toLocaleString('en-US')} rows under the header${ctx.rowLimit === EXCEL_MAX_ROWS ? ", Excel's limit" : ''}). The CSV file holds them all.`,
      undefined, 'section');
  }

  let firstHow = true;
  const how = (item: string, value: string, severity?: string): void => {
    add('How to read this workbook', item, value, undefined, severity, firstHow ? 'section' : undefined);
    firstHow = false;
  };
  how('Summary', 'This sheet: the org and snapshot, what the crawl covered, findings by severity and by rule.');
  for (const sheet of data) how(sheet.name, sheet.about);
  for (const sev of SEVERITIES) how(`Severity: ${SEVERITY_WORD[sev]}`, SEVERITY_MEANING[sev], SEVERITY_WORD[sev]);
  how('Dates', 'Dates are real date cells in UTC (the column header says so); sort and filter them as dates.');
  how('Leading apostrophe', "Text from Okta that starts with = + - @, a tab or a carriage return is shown with a ' in front, so no spreadsheet runs it as a formula. The rest of the text is unchanged.");
  how('Cut text', 'A cell holds at most 32,767 characters; longer text ends with "[… truncated by oie-audit: N characters in total]". The JSON report has the full text.');
  how('Replaced characters', 'Control characters that spreadsheets cannot store are shown as \uFFFD.');
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Every sheet in workbook order: Summary, Findings, the family sheets, then the snapshot data. */
export function buildSheets(ctx: ReportContext): Array<SheetSpec> {
  const byId = ruleMap(ctx.rules);
  // Read once per report: the read transaction keeps it true for every sheet.
  let cached: FindingGroup[] | undefined;
  const groups = (): FindingGroup[] => (cached ??= ctx.known?.groups ?? findingGroups(ctx.db, ctx.snapshot.id));
  let series: BurnDownPoint[] | undefined;
  const points = (): BurnDownPoint[] => (series ??= ctx.known?.points ?? burnDown(ctx.db, ctx.snapshot));
  const data: SheetSpec[] = [
    findingsSheet(ctx, byId, groups),
    ...FAMILIES.map((f) => familySheet(ctx, f, byId, groups)),
    ...burnDownSheets(points, ctx.rules),
    usersSheet(ctx),
    factorsSheet(ctx),
    enrollmentsSheet(ctx),
    policiesSheet(ctx),
    coverageSheet(ctx, byId),
  ];
  return [summarySheet(ctx, data, byId, groups, points), ...data];
}
