/**
 * ACTIVE users whose factor list was read and holds no ACTIVE factor (checklist U7, M11).
 */
import { byEngine, counted, daysBefore, finding, listText, parseJson } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'user_active_without_active_factor',
  title: 'ACTIVE users without any ACTIVE MFA factor',
  severity: 'medium',
  family: 'MFA Hygiene',
  whyItMatters:
    'An active account with no usable factor signs in with its password alone wherever a policy allows it, and is enrolled by ' +
    'whoever first signs in with that password. After the upgrade such users meet the Identity Engine enrollment flows with ' +
    'nothing to recover or verify with. On Identity Engine even the primary email is normally listed as a factor, so none at all ' +
    'means the email was never verified either.',
  recommendation:
    'Review these accounts: deactivate those not needed (especially ones that never signed in), and require enrollment of a ' +
    'strong factor (Okta Verify or WebAuthn) at next sign-in for the rest, before the upgrade.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['U7', 'M11'],
};

interface Row {
  id: string;
  login: string | null;
  status: string | null;
  created: string | null;
  last_login: string | null;
  factors_json: string;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT u.id, u.login, u.status, u.created, u.last_login,
             (SELECT json_group_array(json_object('factorId', f.id, 'factorType', f.factor_type, 'status', f.status))
                FROM factors f WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id) AS factors_json
      FROM users u
      WHERE u.snapshot_id = ? AND u.status = 'ACTIVE' AND u.factors_fetched = 1
        AND NOT EXISTS (SELECT 1 FROM factors f WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id AND f.status = 'ACTIVE')
      ORDER BY u.id`).iterate(ctx.snapshot.id);
    for (const u of rows) {
      const factors = parseJson<{ factorId: string; factorType: string | null; status: string | null }[]>(u.factors_json, [])
        .sort((a, b) => a.factorId.localeCompare(b.factorId));
      const others = factors.length === 0
        ? 'no factor at all'
        : `${counted(factors.length, 'factor')} in other states: ${listText(factors.map((f) => `${f.factorType ?? 'unknown'} ${f.status ?? 'unknown'}`))}`;
      const lastLogin = u.last_login === null
        ? 'never signed in'
        : `last signed in ${u.last_login} (${daysBefore(u.last_login, ctx.now)} days before the snapshot)`;
      yield finding(meta, {
        severity: u.last_login === null ? 'low' : meta.severity,
        subjectType: 'user',
        subjectId: u.id,
        userId: u.id,
        userLogin: u.login,
        userStatus: u.status,
        evidence: `ACTIVE user with no ACTIVE factor (${others}); ${lastLogin}` +
          byEngine(ctx.pipeline, { v1: '.', idx: '; on Identity Engine not even a verified email factor is listed.', unknown: '.' }),
        details: { created: u.created, lastLogin: u.last_login, factors },
      });
    }
  },
};
