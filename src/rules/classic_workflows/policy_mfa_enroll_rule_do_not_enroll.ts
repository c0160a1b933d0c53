/**
 * MFA enrollment policy rules set to "Do not enroll" (`actions.enroll.self` NEVER): an Upgrade Hub
 * item that needs the admin's consent (FACTOR_ENROLLMENT_POLICY_DO_NOT_ENROLL; checklist C5).
 */
import { finding, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'policy_mfa_enroll_rule_do_not_enroll',
  title: 'MFA enrollment policy rules set to "Do not enroll" (upgrade consent item)',
  severity: 'medium',
  family: 'Classic-only Workflows',
  whyItMatters:
    'The Upgrade Hub asks for consent before upgrading an org whose enrollment policy rules say "Do not enroll". Classic implicitly ' +
    'requires a password but Identity Engine makes it optional, so users created without a password who fall under such a rule ' +
    'may be unable to activate their account after the upgrade.',
  recommendation:
    'For each listed rule, check which users it covers (conditions such as a kiosk network zone) and whether any are created ' +
    'without a password; change the rule to enroll, or plan how those users will activate, before giving consent in the Upgrade Hub.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-mfa-enroll-policy/',
  appliesTo: 'v1',
  requires: ['policies:MFA_ENROLL'],
  checklist: ['C5'],
  unverified: 'That actions.enroll.self "NEVER" is the Admin Console\'s "Do not enroll" is likely but not documented.',
};

interface Row {
  policy_id: string;
  policy_name: string | null;
  id: string;
  name: string | null;
  status: string | null;
  priority: number | null;
  conditions_json: string | null;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT r.policy_id, p.name AS policy_name, r.id, r.name, r.status, r.priority,
             json_extract(r.raw_json, '$.conditions') AS conditions_json
      FROM policy_rules r
      JOIN policies p ON p.snapshot_id = r.snapshot_id AND p.id = r.policy_id
      WHERE r.snapshot_id = ? AND p.type = 'MFA_ENROLL' AND json_extract(r.raw_json, '$.actions.enroll.self') = 'NEVER'
      ORDER BY p.priority, r.policy_id, r.priority, r.id`).iterate(ctx.snapshot.id);
    for (const r of rows) {
      yield finding(meta, {
        severity: r.status === 'ACTIVE' ? meta.severity : 'low',
        subjectType: 'policy_rule',
        subjectId: r.id,
        evidence:
          `Upgrade consent item on a Classic Engine org: rule ${quoted(r.name)} (${r.id}, ${r.status ?? 'unknown status'}, priority ${r.priority ?? '?'}) ` +
          `of MFA_ENROLL policy ${quoted(r.policy_name)} (${r.policy_id}) sets actions.enroll.self to NEVER ("Do not enroll").`,
        details: {
          policyId: r.policy_id, policyName: r.policy_name, ruleId: r.id, ruleName: r.name, status: r.status, priority: r.priority,
          conditions: r.conditions_json === null ? null : JSON.parse(r.conditions_json),
        },
      });
    }
  },
};
