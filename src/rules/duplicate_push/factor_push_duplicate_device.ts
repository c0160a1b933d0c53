/**
 * One device registered twice: two push factors (or two signed_nonce factors) of a user with the
 * same device name or the same device credential id (checklist M3, M5).
 *
 * Like is compared with like: in Identity Engine every Okta Verify device legitimately has a push
 * and a signed_nonce factor with the same name. Okta fills `profile.credentialId` of these factors
 * with the user's login (spec example), so a credential id equal to the login or email says
 * nothing about the device and is ignored.
 */
import { objectRows } from '../../store/rows.js';
import { byEngine, counted, finding, groupConsecutive, listText, quoted, severalFactorsOfType } from '../common.js';
import type { Rule, RuleMeta, Severity } from '../types.js';

const meta: RuleMeta = {
  id: 'factor_push_duplicate_device',
  title: 'Okta Verify devices registered twice (same device name or credential id)',
  severity: 'high',
  family: 'Duplicate Push',
  whyItMatters:
    'Re-enrolling a phone without removing its old registration leaves a stale factor: pushes may go to the dead registration, ' +
    'support staff reset the wrong one, and a Factors-API tool that assumes one factor per device picks either. On Classic Engine ' +
    'two registrations are an anomaly; on Identity Engine they are expected after a re-enrollment but the older one is stale.',
  recommendation:
    'Keep the most recently verified registration and remove the older one in the Admin Console (Directory > Devices: deactivate, ' +
    'then delete; or the user\'s Authenticators tab). Do not delete it through the Factors API: deleting push or signed_nonce also ' +
    'removes the other Okta Verify factors of that enrollment.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M3', 'M5'],
  unverified: 'That a push/signed_nonce profile.credentialId other than the user\'s login identifies a device is not documented.',
};

interface Row {
  user_id: string;
  login: string | null;
  user_status: string | null;
  email: string | null;
  factor_type: string;
  factor_id: string;
  status: string | null;
  device_name: string | null;
  credential_id: string | null;
  platform: string | null;
  device_type: string | null;
  created: string | null;
  last_verified: string | null;
}

/** Groups a user's factors of one type into clusters sharing a device name or credential id. */
function clusters(rows: Row[]): { rows: Row[]; matchedOn: Set<'device name' | 'credential id'>; value: string }[] {
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i] as number)));
  const seen = new Map<string, number>();
  const first = rows[0];
  const ignored = new Set([first?.login?.toLowerCase(), first?.email?.toLowerCase()].filter((v): v is string => v !== undefined));
  const keysOf = (r: Row): string[] => {
    const keys: string[] = [];
    if (r.device_name !== null && r.device_name !== '') keys.push(`device name\u0000${r.device_name}`);
    if (r.credential_id !== null && r.credential_id !== '' && !ignored.has(r.credential_id.toLowerCase())) keys.push(`credential id\u0000${r.credential_id}`);
    return keys;
  };
  rows.forEach((r, i) => {
    for (const k of keysOf(r)) {
      const j = seen.get(k);
      if (j === undefined) seen.set(k, i);
      else parent[find(i)] = find(j);
    }
  });
  const byRoot = new Map<number, number[]>();
  rows.forEach((_, i) => byRoot.set(find(i), [...(byRoot.get(find(i)) ?? []), i]));
  const out: { rows: Row[]; matchedOn: Set<'device name' | 'credential id'>; value: string }[] = [];
  for (const members of byRoot.values()) {
    if (members.length < 2) continue;
    const group = members.map((i) => rows[i] as Row);
    const counts = new Map<string, number>();
    for (const r of group) for (const k of keysOf(r)) counts.set(k, (counts.get(k) ?? 0) + 1);
    const shared = [...counts].filter(([, n]) => n >= 2).map(([k]) => k.split('\u0000') as [string, string]);
    out.push({
      rows: group,
      matchedOn: new Set(shared.map(([kind]) => kind as 'device name' | 'credential id')),
      value: shared.map(([kind, v]) => `${kind} ${quoted(v)}`).join(' and '),
    });
  }
  return out;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    // A factor has a twin of its type exactly when its user has two factors of that type or more.
    const rows = objectRows<Row>(ctx.db.prepare(`
      WITH ${severalFactorsOfType(['push', 'signed_nonce'])}
      SELECT f.user_id, u.login, u.status AS user_status, json_extract(u.raw_json, '$.profile.email') AS email,
             f.factor_type, f.id AS factor_id, f.status, f.device_name, f.credential_id, f.platform, f.device_type,
             f.created, f.last_verified
      FROM several s
      CROSS JOIN factors f ON f.snapshot_id = @snapshot AND f.factor_type = s.factor_type AND f.user_id = s.user_id
      JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
      ORDER BY f.user_id, f.factor_type, f.id`), { snapshot: ctx.snapshot.id });
    for (const group of groupConsecutive(rows, (r) => `${r.user_id}\u0000${r.factor_type}`)) {
      for (const c of clusters(group)) {
        const sorted = [...c.rows].sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.factor_id.localeCompare(b.factor_id));
        const oldest = sorted[0] as Row;
        const u = oldest;
        const type = oldest.factor_type;
        const each = sorted.map((r) => `${r.factor_id} (${r.status ?? 'unknown status'}, created ${r.created ?? 'unknown'}, ` +
          `${r.last_verified === null ? 'never verified' : `last verified ${r.last_verified}`})`);
        const what = `${counted(sorted.length, `${type} factor`)} for the same ${c.value}: ${listText(each)}`;
        yield finding(meta, {
          severity: byEngine<Severity>(ctx.pipeline, { v1: 'high', idx: 'medium', unknown: 'medium' }),
          subjectType: 'user',
          subjectId: u.user_id,
          userId: u.user_id,
          userLogin: u.login,
          userStatus: u.user_status,
          evidence: byEngine(ctx.pipeline, {
            v1: `Anomaly on a Classic Engine org: ${what}; the older registration was never removed.`,
            idx: `Expected but stale on Identity Engine: ${what}; re-enrolling the device left the older registration ${oldest.factor_id}.`,
            unknown: `${what}; the older registration ${oldest.factor_id} is likely stale.`,
          }),
          details: {
            factorType: type,
            matchedOn: [...c.matchedOn].sort(),
            deviceName: oldest.device_name,
            factors: sorted.map((r) => ({
              factorId: r.factor_id, status: r.status, deviceName: r.device_name, credentialId: r.credential_id, platform: r.platform,
              deviceType: r.device_type, created: r.created, lastVerified: r.last_verified,
            })),
            likelyStaleFactorId: oldest.factor_id,
            engine: ctx.pipeline,
          },
        });
      }
    }
  },
};
