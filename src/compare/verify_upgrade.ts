/**
 * `oie-audit verify-upgrade --before A --after B`: proof that the upgrade kept every user's MFA.
 * A is a Classic Engine snapshot, B an Identity Engine one of the same org. For every user ACTIVE
 * in both, each ACTIVE Classic factor must have become an ACTIVE authenticator enrollment of the
 * authenticator it maps to (factor_mapping.ts). Also listed: Okta Verify enrollments that name no
 * device (enrolled through the Factors API before the upgrade, which Okta says are not mapped to a
 * device), and apps still on the Classic Engine pipeline.
 * @module
 */
import { AuditError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { CellValue } from '../report/cells.js';
import { date, label, num, text } from '../report/columns.js';
import { type SheetSpec, type SummaryRow, summarySpec } from '../report/sheets.js';
import { FACTOR_MAPPINGS } from './factor_mapping.js';
import { type Pair, snapshotWords } from './pair.js';


type Row = Record<string, unknown>;
const str = (v: unknown): CellValue => (v === null || v === undefined ? null : typeof v === 'number' ? v : String(v));

export function checkUpgradePair(pair: Pair): void {
  if (pair.before.pipeline !== 'v1' || pair.after.pipeline !== 'idx') {
    throw new AuditError('ERR_USAGE', `verify-upgrade: --before must be a Classic Engine snapshot and --after an Identity Engine one; snapshot ${pair.before.id} is ${pair.before.pipeline ?? 'of an unknown engine'} and snapshot ${pair.after.id} is ${pair.after.pipeline ?? 'of an unknown engine'}.`);
  }
}

function listed(db: Db, spec: Omit<SheetSpec<Row>, 'count' | 'rows'>, sql: string, params: object): SheetSpec<Row> {
  let n: number | undefined;
  return {
    ...spec,
    count: () => (n ??= db.prepare(`SELECT count(*) FROM (${sql})`).pluck().get(params) as number),
    rows: () => db.prepare(sql).iterate(params) as IterableIterator<Row>,
  };
}

const MAPPED = `(m.factor_type = f.factor_type AND (m.provider IS NULL OR m.provider = f.provider))`;

export function verifyUpgradeSheets(db: Db, pair: Pair): SheetSpec[] {
  const p = { a: pair.before.id, b: pair.after.id };
  db.exec(`DROP TABLE IF EXISTS temp.upgrade_map; CREATE TEMP TABLE upgrade_map (factor_type TEXT, provider TEXT, key TEXT);`);
  const insert = db.prepare('INSERT INTO temp.upgrade_map VALUES (?, ?, ?)');
  for (const m of FACTOR_MAPPINGS) for (const key of m.keys) insert.run(m.factorType, m.provider, key);
  // Users who could sign in before and after, with both lists read.
  const both = `SELECT a.id AS user_id, b.login FROM users a JOIN users b ON b.snapshot_id = @b AND b.id = a.id
    WHERE a.snapshot_id = @a AND a.status = 'ACTIVE' AND b.status = 'ACTIVE' AND a.factors_fetched = 1 AND b.enrollments_fetched = 1`;

  const lostSql = `
    WITH both AS (${both})
    SELECT f.user_id, both.login, f.factor_type, f.provider, f.device_name, f.id AS factor_id,
           (SELECT group_concat(DISTINCT m.key) FROM upgrade_map m WHERE ${MAPPED}) AS expected,
           (SELECT group_concat(DISTINCT e.key) FROM authenticator_enrollments e WHERE e.snapshot_id = @b AND e.user_id = f.user_id AND e.status = 'ACTIVE') AS found
    FROM factors f JOIN both ON both.user_id = f.user_id
    WHERE f.snapshot_id = @a AND f.status = 'ACTIVE'
      AND EXISTS (SELECT 1 FROM upgrade_map m WHERE ${MAPPED})
      AND NOT EXISTS (SELECT 1 FROM authenticator_enrollments e JOIN upgrade_map m ON m.key = e.key AND ${MAPPED}
                       WHERE e.snapshot_id = @b AND e.user_id = f.user_id AND e.status = 'ACTIVE')
    ORDER BY f.user_id, f.id`;
  const lost = listed(db, {
    name: 'Lost Factors', slug: 'lost-factors',
    about: 'Each factor a user held before the upgrade that no authenticator enrollment carries after it: the user can no longer use it to sign in. Re-enroll the user, or restore the authenticator.',
    columns: [
      text('User login', 32, (r) => str(r['login'])),
      label('Factor type before', 18, (r) => str(r['factor_type'])),
      label('Provider', 10, (r) => str(r['provider'])),
      text('Device name', 24, (r) => str(r['device_name'])),
      label('Expected authenticator', 22, (r) => str(r['expected'])),
      text('Authenticators after the upgrade', 40, (r) => str(r['found'])),
      text('Factor ID before', 24, (r) => str(r['factor_id'])),
      text('User ID', 22, (r) => str(r['user_id'])),
    ],
  }, lostSql, p);

  const deviceless = listed(db, {
    name: 'Okta Verify without Device', slug: 'okta-verify-without-device',
    about: 'Okta Verify enrollments after the upgrade that name no device. Okta says enrollments made through the Factors API are not mapped to a device: such users cannot use FastPass or device assurance until they set up Okta Verify again on their device.',
    columns: [
      text('User login', 32, (r) => str(r['login'])),
      num('Push factors before', 10, (r) => str(r['pushes'])),
      date('Enrolled', (r) => str(r['created'])),
      text('Enrollment ID', 24, (r) => str(r['id'])),
      text('User ID', 22, (r) => str(r['user_id'])),
    ],
  }, `
    WITH both AS (${both})
    SELECT e.user_id, both.login, e.id, e.created,
           (SELECT count(*) FROM factors f WHERE f.snapshot_id = @a AND f.user_id = e.user_id AND +f.factor_type = 'push' AND f.status = 'ACTIVE') AS pushes
    FROM authenticator_enrollments e JOIN both ON both.user_id = e.user_id
    WHERE e.snapshot_id = @b AND e.key = 'okta_verify' AND e.status = 'ACTIVE' AND e.device_name IS NULL
    ORDER BY e.user_id, e.id`, p);

  const apps = listed(db, {
    name: 'Apps on Classic Pipeline', slug: 'apps-on-classic-pipeline',
    about: 'Apps still on the Classic Engine authentication pipeline after the upgrade (authenticationPipeline CLASSIC): move each to ORG_DEFAULT once tested.',
    columns: [
      text('App', 32, (r) => str(r['label'])),
      label('Integration', 20, (r) => str(r['name'])),
      label('Sign-on mode', 16, (r) => str(r['sign_on_mode'])),
      label('Status', 10, (r) => str(r['status'])),
      text('App ID', 24, (r) => str(r['id'])),
    ],
  }, `SELECT id, label, name, sign_on_mode, status FROM apps WHERE snapshot_id = @b AND authentication_pipeline = 'CLASSIC' ORDER BY label, id`, p);

  const mapping: SheetSpec<(typeof FACTOR_MAPPINGS)[number]> = {
    name: 'Factor Mapping', slug: 'factor-mapping',
    about: 'The Identity Engine authenticator each Classic factor was checked against, with the Okta page that says so.',
    columns: [
      label('Factor type', 20, (r) => r.factorType),
      label('Provider', 10, (r) => r.provider ?? 'any'),
      label('Authenticator', 26, (r) => r.keys.join(' or ')),
      text('Source', 80, (r) => r.source),
    ],
    count: () => FACTOR_MAPPINGS.length,
    rows: () => FACTOR_MAPPINGS,
  };

  const summary = summarySpec('This sheet: the two snapshots, how many users were checked, and what the upgrade lost.', () => {
    const n = (sql: string): number => db.prepare(sql).pluck().get(p) as number;
    const checked = n(`SELECT count(*) FROM (${both})`);
    const usersLost = n(`SELECT count(DISTINCT user_id) FROM (${lostSql})`);
    const unmapped = n(`WITH both AS (${both}) SELECT count(*) FROM factors f JOIN both ON both.user_id = f.user_id
      WHERE f.snapshot_id = @a AND f.status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM upgrade_map m WHERE ${MAPPED})`);
    const appsRead = n(`SELECT count(*) FROM org_resources WHERE snapshot_id = @b AND resource = 'apps' AND state = 'complete'`) === 1;
    const out: SummaryRow[] = [];
    const verdict = usersLost === 0 ? 'No user lost a factor' : `${usersLost.toLocaleString('en-US')} users lost at least one factor`;
    out.push({ section: 'Verdict', item: 'Factors carried over', value: verdict, severity: usersLost === 0 ? 'Info' : 'Critical', style: 'section',
      notes: usersLost === 0 ? undefined : 'Each lost factor is on the Lost Factors sheet: re-enroll those users before they need the factor.' });
    out.push({ section: 'Snapshots', item: 'Before (Classic Engine)', value: snapshotWords(pair.before), style: 'section' });
    out.push({ section: 'Snapshots', item: 'After (Identity Engine)', value: snapshotWords(pair.after) });
    out.push({ section: 'Snapshots', item: 'Organisation URL', value: pair.after.org_url });
    out.push({ section: 'Coverage', item: 'Users checked (ACTIVE before and after)', value: checked, style: 'section' });
    out.push({ section: 'Coverage', item: 'Factors lost', value: lost.count() });
    out.push({ section: 'Coverage', item: 'Factors of types with no documented authenticator (not checked)', value: unmapped });
    out.push({ section: 'Coverage', item: 'Okta Verify enrollments without a device', value: deviceless.count() });
    out.push({ section: 'Coverage', item: 'Apps still on the Classic pipeline', value: appsRead ? apps.count() : 'Apps were not read in the after snapshot' });
    let first = true;
    for (const s of [lost, deviceless, apps, mapping]) {
      out.push({ section: 'How to read this workbook', item: s.name, value: s.about, ...(first ? { style: 'section' as const } : {}) });
      first = false;
    }
    return out;
  });
  return [summary, lost, deviceless, apps, mapping];
}
