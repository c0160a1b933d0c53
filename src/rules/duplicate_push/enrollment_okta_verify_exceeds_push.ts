/**
 * Identity Engine users with more Okta Verify enrollments than push factors: the Factors API
 * projects only part of their devices (checklist M5, M6, A3).
 */
import { counted, finding, listText, parseJson, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'enrollment_okta_verify_exceeds_push',
  title: 'Users with more Okta Verify enrollments than push factors visible to the Factors API',
  severity: 'medium',
  family: 'Duplicate Push',
  whyItMatters:
    'Identity Engine supports Okta Verify on several devices, but the Factors API shows only part of them. An app, script or SDK ' +
    'integration that manages Okta Verify through /api/v1/users/{id}/factors sees fewer devices than the user has: it cannot ' +
    'list, verify or clean up the others, and may delete the wrong one.',
  recommendation:
    'Manage Okta Verify devices through the authenticator enrollments API (/api/v1/users/{id}/authenticator-enrollments) or the ' +
    'Admin Console (Directory > Devices, the user\'s Authenticators tab). Review integrations listed under Classic API Callers that ' +
    'use the Factors API. Desktop devices enrolled for FastPass only have no push factor, which explains part of the difference.',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/',
  appliesTo: 'idx',
  requires: ['factors', 'authenticatorEnrollments'],
  checklist: ['M5', 'M6', 'A3'],
  unverified:
    'Okta does not document the profile of an okta_verify enrollment. The device name is the first present of profile.deviceName, ' +
    'profile.name, profile.displayName, nickname and _embedded.device.profile.displayName; the platform is profile.platform. ' +
    'An enrollment with none of them is shown by its id.',
};

interface Row {
  user_id: string;
  login: string | null;
  user_status: string | null;
  ov_enrollments: number;
  push_factors: number;
  signed_nonce_factors: number;
  enrollments_json: string;
}

interface Enrollment {
  id: string;
  status: string | null;
  nickname: string | null;
  deviceName: string | null;
  platform: string | null;
  created: string | null;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    // Counted first, described after: users, their FastPass factors and the enrollments' JSON are
    // read only for the users found (the JSON through the user's primary key, hence +key: see
    // common.ts), and CROSS JOIN keeps that order.
    const rows = ctx.db.prepare<{ snapshot: number }, Row>(`
      SELECT u.id AS user_id, u.login, u.status AS user_status, c.ov_enrollments, c.push_factors,
             (SELECT count(*) FROM factors f
               WHERE f.snapshot_id = @snapshot AND f.user_id = u.id AND +f.factor_type = 'signed_nonce') AS signed_nonce_factors,
             (SELECT json_group_array(json_object('id', id, 'status', status, 'nickname', nickname, 'created', created,
                                                  'deviceName', device_name,
                                                  'platform', json_extract(raw_json, '$.profile.platform')))
                FROM authenticator_enrollments
               WHERE snapshot_id = @snapshot AND user_id = u.id AND +key = 'okta_verify') AS enrollments_json
      FROM (SELECT e.user_id, e.ov_enrollments,
                   (SELECT count(*) FROM factors f
                     WHERE f.snapshot_id = @snapshot AND f.user_id = e.user_id AND +f.factor_type = 'push') AS push_factors
              FROM (SELECT user_id, count(*) AS ov_enrollments
                      FROM authenticator_enrollments
                     WHERE snapshot_id = @snapshot AND key = 'okta_verify'
                     GROUP BY user_id) e) c
      CROSS JOIN users u ON u.snapshot_id = @snapshot AND u.id = c.user_id
      WHERE c.ov_enrollments > c.push_factors AND u.enrollments_fetched = 1 AND u.factors_fetched = 1
      ORDER BY u.id`).iterate({ snapshot: ctx.snapshot.id });
    for (const r of rows) {
      const enrollments = parseJson<Enrollment[]>(r.enrollments_json, []).sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.id.localeCompare(b.id));
      const names = enrollments.map((e) => (e.deviceName === null ? `an unnamed device (enrollment ${e.id})` : quoted(e.deviceName)));
      const hidden = r.ov_enrollments - r.push_factors;
      yield finding(meta, {
        subjectType: 'user',
        subjectId: r.user_id,
        userId: r.user_id,
        userLogin: r.login,
        userStatus: r.user_status,
        evidence:
          `Expected on Identity Engine, but hidden from Factors-API tools: ${counted(r.ov_enrollments, 'Okta Verify enrollment')} ` +
          `(${listText(names)}) against ${counted(r.push_factors, 'push factor')} and ${counted(r.signed_nonce_factors, 'signed_nonce factor')} ` +
          `in the Factors API, so ${counted(hidden, 'device')} cannot be reached through push factors.`,
        details: {
          oktaVerifyEnrollments: r.ov_enrollments,
          pushFactors: r.push_factors,
          signedNonceFactors: r.signed_nonce_factors,
          devicesWithoutPushFactor: hidden,
          enrollments,
        },
      });
    }
  },
};
