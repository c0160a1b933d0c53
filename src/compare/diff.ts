/**
 * `oie-audit diff A B`: what changed in the org between two snapshots, by stable ids — users,
 * factors, authenticator enrollments and findings added, removed or changed. A user counts as
 * changed when its status, profile or credentials differ (a new sign-in time alone does not); a
 * factor or enrollment when its status, type, device or profile does; a finding when its severity
 * or evidence does. From a Classic to an Identity Engine snapshot, the `email` and `question`
 * factors Identity Engine lists for every verified email and recovery question are labelled as
 * appearing after the upgrade (Okta's API changes guide), not as new enrollments.
 * @module
 */
import type { Db } from '../store/db.js';
import type { CellValue } from '../report/cells.js';
import { date, label, text } from '../report/columns.js';
import { type SheetSpec, type SummaryRow, summarySpec, severityWord } from '../report/sheets.js';
import type { RuleMetaLike } from '../report/sheets.js';
import { type Pair, snapshotWords } from './pair.js';


export type Change = 'Added' | 'Removed' | 'Changed' | 'Appears after the upgrade' | 'New' | 'Resolved';

interface Row {
  change: Change;
  [key: string]: unknown;
}

const str = (v: unknown): CellValue => (v === null || v === undefined ? null : String(v));

type ChangeSheet = SheetSpec<Row> & { byChange(): Map<string, number> };

/** Count and stream one query, whose rows carry a `change` column. */
function sheet(db: Db, spec: Omit<SheetSpec<Row>, 'count' | 'rows'>, sql: string, params: Record<string, unknown>, map?: (r: Row) => Row): ChangeSheet {
  let counts: Map<string, number> | undefined;
  const byChange = (): Map<string, number> => (counts ??= new Map(
    (db.prepare(`SELECT change, count(*) AS n FROM (${sql}) GROUP BY change`).all(params) as { change: string; n: number }[]).map((r) => [r.change, r.n])));
  return {
    ...spec,
    byChange,
    count: () => [...byChange().values()].reduce((a, b) => a + b, 0),
    *rows() {
      for (const r of db.prepare(sql).iterate(params) as IterableIterator<Row>) yield map ? map(r) : r;
    },
  };
}

/** Field names whose values differ between two JSON objects, one level down into profile and credentials. */
function changedFields(before: string | null, after: string | null, fields: readonly string[]): string {
  const a = JSON.parse(before ?? '{}') as Record<string, unknown>;
  const b = JSON.parse(after ?? '{}') as Record<string, unknown>;
  const out: string[] = [];
  for (const f of fields) {
    const va = a[f];
    const vb = b[f];
    if (JSON.stringify(va) === JSON.stringify(vb)) continue;
    if (va !== null && vb !== null && typeof va === 'object' && typeof vb === 'object' && !Array.isArray(va)) {
      const keys = [...new Set([...Object.keys(va as object), ...Object.keys(vb as object)])].sort();
      for (const k of keys) {
        if (JSON.stringify((va as Record<string, unknown>)[k]) !== JSON.stringify((vb as Record<string, unknown>)[k])) out.push(`${f}.${k}`);
      }
    } else {
      out.push(f);
    }
  }
  return out.join(', ');
}

const USER_FIELDS = ['status', 'profile', 'credentials', 'type'] as const;
const FACTOR_FIELDS = ['factorType', 'provider', 'status', 'profile'] as const;
const ENROLLMENT_FIELDS = ['key', 'type', 'status', 'nickname', 'profile'] as const;

export function diffSheets(db: Db, pair: Pair, rules: readonly RuleMetaLike[]): SheetSpec[] {
  const p = { a: pair.before.id, b: pair.after.id, upgrade: pair.before.pipeline === 'v1' && pair.after.pipeline === 'idx' ? 1 : 0 };
  const byRule = new Map(rules.map((r) => [r.id, r]));

  const users = sheet(db, {
    name: 'Users', slug: 'users',
    about: 'Users added (new, or listed for the first time), removed (deleted) or changed (status, profile or credentials) between the two snapshots.',
    columns: [
      label('Change', 14, (r) => str(r.change)),
      text('Login', 32, (r) => str(r['login'])),
      label('Status before', 14, (r) => str(r['status_a'])),
      label('Status after', 14, (r) => str(r['status_b'])),
      text('What changed', 48, (r) => str(r['what'])),
      text('User ID', 22, (r) => str(r['id'])),
    ],
  }, `
    SELECT 'Added' AS change, b.id, b.login, NULL AS status_a, b.status AS status_b, NULL AS raw_a, NULL AS raw_b
      FROM users b WHERE b.snapshot_id = @b AND NOT EXISTS (SELECT 1 FROM users a WHERE a.snapshot_id = @a AND a.id = b.id)
    UNION ALL
    SELECT 'Removed', a.id, a.login, a.status, NULL, NULL, NULL
      FROM users a WHERE a.snapshot_id = @a AND NOT EXISTS (SELECT 1 FROM users b WHERE b.snapshot_id = @b AND b.id = a.id)
    UNION ALL
    SELECT 'Changed', b.id, b.login, a.status, b.status, a.raw_json, b.raw_json
      FROM users a JOIN users b ON b.snapshot_id = @b AND b.id = a.id
     WHERE a.snapshot_id = @a AND (a.status IS NOT b.status
        OR json_extract(a.raw_json, '$.profile') IS NOT json_extract(b.raw_json, '$.profile')
        OR json_extract(a.raw_json, '$.credentials') IS NOT json_extract(b.raw_json, '$.credentials')
        OR json_extract(a.raw_json, '$.type') IS NOT json_extract(b.raw_json, '$.type'))
    ORDER BY 2, 1`, p, (r) => ({ ...r, what: r.change === 'Changed' ? changedFields(r['raw_a'] as string, r['raw_b'] as string, USER_FIELDS) : null }));

  const factorChanged = `(fa.status IS NOT fb.status OR fa.factor_type IS NOT fb.factor_type OR fa.provider IS NOT fb.provider
    OR json_extract(fa.raw_json, '$.profile') IS NOT json_extract(fb.raw_json, '$.profile'))`;
  const factors = sheet(db, {
    name: 'Factors', slug: 'factors',
    about: 'Factors API rows added, removed or changed, by user and factor id. From Classic to Identity Engine, email and question factors that Identity Engine lists for every verified email and recovery question say "Appears after the upgrade".',
    columns: [
      label('Change', 24, (r) => str(r.change)),
      text('User login', 32, (r) => str(r['login'])),
      label('Factor type', 18, (r) => str(r['factor_type'])),
      label('Provider', 10, (r) => str(r['provider'])),
      text('Device name', 24, (r) => str(r['device_name'])),
      label('Status before', 14, (r) => str(r['status_a'])),
      label('Status after', 14, (r) => str(r['status_b'])),
      text('What changed', 40, (r) => str(r['what'])),
      date('Created', (r) => str(r['created'])),
      text('Factor ID', 24, (r) => str(r['id'])),
      text('User ID', 22, (r) => str(r['user_id'])),
    ],
  }, `
    SELECT CASE WHEN @upgrade = 1 AND fb.factor_type IN ('email', 'question') AND fb.provider = 'OKTA' THEN 'Appears after the upgrade' ELSE 'Added' END AS change,
           fb.user_id, u.login, fb.id, fb.factor_type, fb.provider, fb.device_name, NULL AS status_a, fb.status AS status_b, fb.created, NULL AS raw_a, NULL AS raw_b
      FROM factors fb LEFT JOIN users u ON u.snapshot_id = @b AND u.id = fb.user_id
     WHERE fb.snapshot_id = @b AND NOT EXISTS (SELECT 1 FROM factors fa WHERE fa.snapshot_id = @a AND fa.user_id = fb.user_id AND fa.id = fb.id)
    UNION ALL
    SELECT 'Removed', fa.user_id, u.login, fa.id, fa.factor_type, fa.provider, fa.device_name, fa.status, NULL, fa.created, NULL, NULL
      FROM factors fa LEFT JOIN users u ON u.snapshot_id = @a AND u.id = fa.user_id
     WHERE fa.snapshot_id = @a AND NOT EXISTS (SELECT 1 FROM factors fb WHERE fb.snapshot_id = @b AND fb.user_id = fa.user_id AND fb.id = fa.id)
    UNION ALL
    SELECT 'Changed', fb.user_id, u.login, fb.id, fb.factor_type, fb.provider, fb.device_name, fa.status, fb.status, fb.created, fa.raw_json, fb.raw_json
      FROM factors fa JOIN factors fb ON fb.snapshot_id = @b AND fb.user_id = fa.user_id AND fb.id = fa.id
      LEFT JOIN users u ON u.snapshot_id = @b AND u.id = fb.user_id
     WHERE fa.snapshot_id = @a AND ${factorChanged}
    ORDER BY 2, 4, 1`, p, (r) => ({ ...r, what: r.change === 'Changed' ? changedFields(r['raw_a'] as string, r['raw_b'] as string, FACTOR_FIELDS) : null }));

  const enrollmentChanged = `(ea.status IS NOT eb.status OR ea.key IS NOT eb.key OR ea.device_name IS NOT eb.device_name OR ea.nickname IS NOT eb.nickname
    OR json_extract(ea.raw_json, '$.profile') IS NOT json_extract(eb.raw_json, '$.profile'))`;
  const enrollments = sheet(db, {
    name: 'Authenticator Enrollments', slug: 'authenticator-enrollments',
    about: 'Authenticator enrollments added, removed or changed, by user and enrollment id (none exist on Classic Engine, so a Classic to Identity Engine diff lists them all as added).',
    columns: [
      label('Change', 14, (r) => str(r.change)),
      text('User login', 32, (r) => str(r['login'])),
      label('Authenticator', 18, (r) => str(r['key'])),
      text('Device name', 24, (r) => str(r['device_name'])),
      label('Status before', 14, (r) => str(r['status_a'])),
      label('Status after', 14, (r) => str(r['status_b'])),
      text('What changed', 40, (r) => str(r['what'])),
      text('Enrollment ID', 24, (r) => str(r['id'])),
      text('User ID', 22, (r) => str(r['user_id'])),
    ],
  }, `
    SELECT 'Added' AS change, eb.user_id, u.login, eb.id, eb.key, eb.device_name, NULL AS status_a, eb.status AS status_b, NULL AS raw_a, NULL AS raw_b
      FROM authenticator_enrollments eb LEFT JOIN users u ON u.snapshot_id = @b AND u.id = eb.user_id
     WHERE eb.snapshot_id = @b AND NOT EXISTS (SELECT 1 FROM authenticator_enrollments ea WHERE ea.snapshot_id = @a AND ea.user_id = eb.user_id AND ea.id = eb.id)
    UNION ALL
    SELECT 'Removed', ea.user_id, u.login, ea.id, ea.key, ea.device_name, ea.status, NULL, NULL, NULL
      FROM authenticator_enrollments ea LEFT JOIN users u ON u.snapshot_id = @a AND u.id = ea.user_id
     WHERE ea.snapshot_id = @a AND NOT EXISTS (SELECT 1 FROM authenticator_enrollments eb WHERE eb.snapshot_id = @b AND eb.user_id = ea.user_id AND eb.id = ea.id)
    UNION ALL
    SELECT 'Changed', eb.user_id, u.login, eb.id, eb.key, eb.device_name, ea.status, eb.status, ea.raw_json, eb.raw_json
      FROM authenticator_enrollments ea JOIN authenticator_enrollments eb ON eb.snapshot_id = @b AND eb.user_id = ea.user_id AND eb.id = ea.id
      LEFT JOIN users u ON u.snapshot_id = @b AND u.id = eb.user_id
     WHERE ea.snapshot_id = @a AND ${enrollmentChanged}
    ORDER BY 2, 4, 1`, p, (r) => ({ ...r, what: r.change === 'Changed' ? changedFields(r['raw_a'] as string, r['raw_b'] as string, ENROLLMENT_FIELDS) : null }));

  // A finding's identity: its rule, subject and user (the n-th of several alike, in the order written).
  db.exec(`DROP TABLE IF EXISTS temp.diff_findings;
    CREATE TEMP TABLE diff_findings AS
      SELECT snapshot_id, rule_id, subject_type, coalesce(subject_id, '') AS subject_id, coalesce(user_id, '') AS user_id, user_login, severity, evidence,
             row_number() OVER (PARTITION BY snapshot_id, rule_id, subject_type, subject_id, user_id ORDER BY id) AS n
      FROM findings WHERE snapshot_id IN (${Number(p.a)}, ${Number(p.b)});
    CREATE INDEX temp.diff_findings_key ON diff_findings (snapshot_id, rule_id, subject_type, subject_id, user_id, n);`);
  const same = 'x.rule_id = y.rule_id AND x.subject_type = y.subject_type AND x.subject_id = y.subject_id AND x.user_id = y.user_id AND x.n = y.n';
  const findings = sheet(db, {
    name: 'Findings', slug: 'findings',
    about: 'Findings new in the second snapshot, resolved since the first, or changed (severity or evidence): the upgrade\'s progress item by item.',
    columns: [
      label('Change', 12, (r) => str(r.change)),
      { header: 'Severity', width: 11, type: 'severity', value: (r) => severityWord(str(r['severity']) as string) },
      label('Rule ID', 28, (r) => str(r['rule_id'])),
      label('Rule', 44, (r) => byRule.get(String(r['rule_id']))?.title ?? str(r['rule_id'])),
      text('User login', 32, (r) => str(r['user_login'])),
      text('Subject ID', 24, (r) => str(r['subject_id'])),
      text('Evidence before', 60, (r) => str(r['evidence_a'])),
      text('Evidence after', 60, (r) => str(r['evidence_b'])),
    ],
  }, `
    SELECT 'New' AS change, y.rule_id, y.severity, y.subject_id, y.user_login, NULL AS evidence_a, y.evidence AS evidence_b
      FROM diff_findings y WHERE y.snapshot_id = @b AND NOT EXISTS (SELECT 1 FROM diff_findings x WHERE x.snapshot_id = @a AND ${same})
    UNION ALL
    SELECT 'Resolved', x.rule_id, x.severity, x.subject_id, x.user_login, x.evidence, NULL
      FROM diff_findings x WHERE x.snapshot_id = @a AND NOT EXISTS (SELECT 1 FROM diff_findings y WHERE y.snapshot_id = @b AND ${same})
    UNION ALL
    SELECT 'Changed', y.rule_id, y.severity, y.subject_id, y.user_login, x.evidence, y.evidence
      FROM diff_findings x JOIN diff_findings y ON y.snapshot_id = @b AND ${same}
     WHERE x.snapshot_id = @a AND (x.severity IS NOT y.severity OR x.evidence IS NOT y.evidence)
    ORDER BY 2, 4, 1`, { a: p.a, b: p.b });

  const data = [users, factors, enrollments, findings];
  const summary = summarySpec('This sheet: the two snapshots and how many rows of each kind changed, and how to read the rest.', () => {
    const out: SummaryRow[] = [];
    out.push({ section: 'Snapshots', item: 'Before', value: snapshotWords(pair.before), style: 'section' });
    out.push({ section: 'Snapshots', item: 'After', value: snapshotWords(pair.after) });
    out.push({ section: 'Snapshots', item: 'Organisation URL', value: pair.after.org_url });
    if (p.upgrade === 1) {
      out.push({ section: 'Snapshots', item: 'Engine', value: 'Classic Engine before, Identity Engine after: an upgrade',
        notes: 'Identity Engine lists the verified primary email and the recovery question as factors; those rows say "Appears after the upgrade". Run oie-audit verify-upgrade to check that no user lost a factor.' });
    }
    for (const s of data) {
      let first = true;
      const m = s.byChange();
      const kinds = s.name === 'Findings' ? ['New', 'Resolved', 'Changed'] : s.name === 'Factors' ? ['Added', 'Appears after the upgrade', 'Removed', 'Changed'] : ['Added', 'Removed', 'Changed'];
      for (const k of kinds) {
        if (k === 'Appears after the upgrade' && p.upgrade === 0) continue;
        out.push({ section: s.name, item: k, value: m.get(k) ?? 0, ...(first ? { style: 'section' as const } : {}) });
        first = false;
      }
    }
    let firstHow = true;
    for (const s of data) {
      out.push({ section: 'How to read this workbook', item: s.name, value: s.about, ...(firstHow ? { style: 'section' as const } : {}) });
      firstHow = false;
    }
    out.push({ section: 'How to read this workbook', item: 'Leading apostrophe', value: "Text from Okta that starts with = + - @, a tab or a carriage return is shown with a ' in front, so no spreadsheet runs it as a formula." });
    return out;
  });
  return [summary, ...data];
}
