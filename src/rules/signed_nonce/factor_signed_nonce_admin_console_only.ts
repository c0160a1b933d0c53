/**
 * Every Okta Verify FastPass (`signed_nonce`) factor, so it is handled in the Admin Console and
 * never through the Factors API (checklist M4, M3).
 */
import { byEngine, counted, daysBefore, finding, quoted } from '../common.js';
import { objectRows } from '../../store/rows.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'factor_signed_nonce_admin_console_only',
  title: 'Okta Verify FastPass (signed_nonce) factors that must be managed in the Admin Console',
  severity: 'medium',
  family: 'Signed Nonce',
  whyItMatters:
    'A signed_nonce factor is the FastPass credential of one Okta Verify device. The Factors API can only read or delete it, and SDKs ' +
    'and scripts often mishandle it. Deleting a signed_nonce or push factor through the API deletes all three Okta Verify factors ' +
    '(push, TOTP and signed_nonce), so a script that cleans up factors can silently remove a user\'s whole Okta Verify. ' +
    'signed_nonce exists only in Identity Engine; on a Classic Engine org it is an anomaly.',
  recommendation:
    'Do not remove it with the Factors API (DELETE /api/v1/users/{id}/factors/{factorId}): deleting signed_nonce or push also removes the ' +
    'user\'s push and TOTP factors, the Okta Verify trio. Act in the Admin Console instead: under Directory > Devices, deactivate and ' +
    'then delete the device (this unlinks it from every user), or reset Okta Verify on the user\'s Authenticators tab. Check that ' +
    'scripts and SDK integrations that list or delete factors tolerate signed_nonce rows.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M4', 'M3', 'U5'],
};

interface Row {
  user_id: string;
  login: string | null;
  user_status: string | null;
  factor_id: string;
  factor_status: string | null;
  device_name: string | null;
  platform: string | null;
  device_type: string | null;
  created: string | null;
  last_verified: string | null;
  key_count: number | null;
  push_factors: number;
  ov_totp_factors: number;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = objectRows<Row>(ctx.db.prepare(`
      SELECT f.user_id, u.login, u.status AS user_status, f.id AS factor_id, f.status AS factor_status,
             f.device_name, f.platform, f.device_type, f.created, f.last_verified,
             json_array_length(f.raw_json, '$.profile.keys') AS key_count,
             (SELECT count(*) FROM factors p
               WHERE p.snapshot_id = f.snapshot_id AND p.user_id = f.user_id AND +p.factor_type = 'push') AS push_factors,
             (SELECT count(*) FROM factors t
               WHERE t.snapshot_id = f.snapshot_id AND t.user_id = f.user_id
                 AND +t.factor_type = 'token:software:totp' AND t.provider = 'OKTA') AS ov_totp_factors
      FROM factors f
      JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
      WHERE f.snapshot_id = ? AND f.factor_type = 'signed_nonce'
      ORDER BY f.user_id, f.id`), ctx.snapshot.id);
    for (const r of rows) {
      const device = `${quoted(r.device_name)} (${r.platform ?? 'unknown platform'}${r.device_type ? `, ${r.device_type}` : ''})`;
      const age = daysBefore(r.created, ctx.now);
      const what =
        `signed_nonce factor ${r.factor_id} on device ${device}, created ${r.created ?? 'at an unknown date'}` +
        `${age === null ? '' : ` (${age} days before the snapshot)`}, status ${r.factor_status ?? 'unknown'}`;
      const trio =
        `deleting it through the Factors API would also delete the user's ${counted(r.push_factors, 'push factor')} and ` +
        `${counted(r.ov_totp_factors, 'Okta Verify TOTP factor')}`;
      const evidence = byEngine(ctx.pipeline, {
        v1: `Anomaly on a Classic Engine org: ${what}; signed_nonce exists only in Identity Engine, and ${trio}.`,
        idx: `Expected on Identity Engine, to be handled in the Admin Console: ${what}; ${trio}.`,
        unknown: `${what}; handle it in the Admin Console, because ${trio}.`,
      });
      yield finding(meta, {
        severity: ctx.pipeline === 'v1' ? 'high' : meta.severity,
        subjectType: 'user',
        subjectId: r.user_id,
        userId: r.user_id,
        userLogin: r.login,
        userStatus: r.user_status,
        evidence,
        details: {
          factorId: r.factor_id,
          factorStatus: r.factor_status,
          deviceName: r.device_name,
          platform: r.platform,
          deviceType: r.device_type,
          created: r.created,
          lastVerified: r.last_verified,
          keyCount: r.key_count,
          pushFactors: r.push_factors,
          oktaVerifyTotpFactors: r.ov_totp_factors,
          engine: ctx.pipeline,
        },
      });
    }
  },
};
