/**
 * Users with push factors on more than one device (checklist M5). Pending registrations are left
 * to factor_push_pending_activation_abandoned, and two factors for one device name to
 * factor_push_duplicate_device, so each situation is reported once.
 */
import { byEngine, counted, daysBefore, finding, listText, parseJson, quoted, severalFactorsOfType } from '../common.js';
import type { Rule, RuleMeta, Severity } from '../types.js';

const STALE_DAYS = 90;

const meta: RuleMeta = {
  id: 'factor_push_multiple_per_user',
  title: 'Users with Okta Verify push factors on more than one device',
  severity: 'high',
  family: 'Duplicate Push',
  whyItMatters:
    'Classic Engine registers one Okta Verify device per user, so several push factors on a Classic org point to a broken ' +
    'enrollment or a script working around the limit. Identity Engine allows several devices, but an old phone that is never ' +
    'used keeps receiving pushes and stays a valid sign-in credential.',
  recommendation:
    'On Classic, find out how the extra push factor was created and remove the device the user no longer has before the ' +
    'upgrade. On Identity Engine, confirm each device with the user and remove stale ones in the Admin Console ' +
    '(Directory > Devices, or the user\'s Authenticators tab), not through the Factors API.',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M5'],
  thresholds: { minDevices: 2, staleDays: STALE_DAYS },
  unverified: 'That Classic Engine allows at most one push factor per user is not stated in Okta documentation.',
};

interface Row {
  user_id: string;
  login: string | null;
  user_status: string | null;
  push_count: number;
  device_count: number;
  factors_json: string;
}

interface PushFactor {
  factorId: string;
  status: string | null;
  deviceName: string | null;
  platform: string | null;
  created: string | null;
  lastVerified: string | null;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    // Two devices take two push factors: only users with that many are read.
    const rows = ctx.db.prepare<{ snapshot: number }, Row>(`
      WITH ${severalFactorsOfType(['push'])}
      SELECT f.user_id, u.login, u.status AS user_status, count(*) AS push_count,
             count(DISTINCT coalesce(f.device_name, f.id)) AS device_count,
             json_group_array(json_object('factorId', f.id, 'status', f.status, 'deviceName', f.device_name,
                                          'platform', f.platform, 'created', f.created, 'lastVerified', f.last_verified)) AS factors_json
      FROM several s
      CROSS JOIN factors f ON f.snapshot_id = @snapshot AND f.factor_type = s.factor_type AND f.user_id = s.user_id
      JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
      WHERE f.status IS NOT 'PENDING_ACTIVATION'
      GROUP BY f.user_id
      HAVING count(DISTINCT coalesce(f.device_name, f.id)) >= 2
      ORDER BY f.user_id`).iterate({ snapshot: ctx.snapshot.id });
    for (const r of rows) {
      const factors = parseJson<PushFactor[]>(r.factors_json, []).sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.factorId.localeCompare(b.factorId));
      const described = factors.map((f) => {
        const seen = f.lastVerified === null ? 'never verified' : `last verified ${f.lastVerified} (${daysBefore(f.lastVerified, ctx.now)} days before the snapshot)`;
        return `${quoted(f.deviceName)} (${f.platform === null ? '' : `${f.platform}, `}${f.factorId}) created ${f.created ?? 'unknown'}, ${seen}`;
      });
      const stale = factors.filter((f) => {
        const d = daysBefore(f.lastVerified ?? f.created, ctx.now);
        return d !== null && d > STALE_DAYS;
      });
      const summary = `${counted(r.push_count, 'push factor')} on ${r.device_count} devices: ${listText(described)}`;
      const staleText = stale.length === 0 ? '' : `; not used for over ${STALE_DAYS} days: ${listText(stale.map((f) => quoted(f.deviceName)))}`;
      yield finding(meta, {
        severity: byEngine<Severity>(ctx.pipeline, { v1: 'high', idx: stale.length > 0 ? 'medium' : 'low', unknown: 'medium' }),
        subjectType: 'user',
        subjectId: r.user_id,
        userId: r.user_id,
        userLogin: r.login,
        userStatus: r.user_status,
        evidence: byEngine(ctx.pipeline, {
          v1: `Anomaly on a Classic Engine org, which registers one Okta Verify device per user: ${summary}${staleText}.`,
          idx: `Expected on Identity Engine but possibly stale: ${summary}${staleText}.`,
          unknown: `${summary}${staleText}.`,
        }),
        details: { pushFactors: r.push_count, devices: r.device_count, staleFactorIds: stale.map((f) => f.factorId), factors, engine: ctx.pipeline },
      });
    }
  },
};
