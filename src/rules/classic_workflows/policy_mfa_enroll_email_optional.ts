/**
 * MFA enrollment policies with the email factor set to Optional: an Upgrade Hub blocker
 * (EMAIL_FACTOR_POLICIES) unless optional email enrollment for Identity Engine is enabled (checklist C6).
 */
import { finding, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'policy_mfa_enroll_email_optional',
  title: 'MFA enrollment policies with the email factor set to Optional (upgrade blocker)',
  severity: 'high',
  family: 'Classic-only Workflows',
  whyItMatters:
    'Identity Engine treats email as an authenticator that users are enrolled in automatically. The Upgrade Hub blocks the upgrade ' +
    '(EMAIL_FACTOR_POLICIES) while an enrollment policy sets email to Optional, unless the optional email enrollment feature ' +
    'for Identity Engine is enabled.',
  recommendation:
    'Decide whether email should be Required or Disabled in each listed policy and change it in the Admin Console before the ' +
    'upgrade, or ask Okta support to enable optional email enrollment for Identity Engine.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-mfa-enroll-policy/',
  appliesTo: 'v1',
  requires: ['policies:MFA_ENROLL'],
  checklist: ['C6'],
};

interface Row {
  id: string;
  name: string | null;
  status: string | null;
  is_system: number | null;
  email_enroll: string | null;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT id, name, status, is_system, json_extract(raw_json, '$.settings.factors.okta_email.enroll.self') AS email_enroll
      FROM policies
      WHERE snapshot_id = ? AND type = 'MFA_ENROLL'
        AND json_extract(raw_json, '$.settings.factors.okta_email.enroll.self') = 'OPTIONAL'
      ORDER BY priority, id`).iterate(ctx.snapshot.id);
    for (const p of rows) {
      yield finding(meta, {
        severity: p.status === 'ACTIVE' ? meta.severity : 'medium',
        subjectType: 'policy',
        subjectId: p.id,
        evidence:
          `Upgrade blocker on a Classic Engine org: MFA_ENROLL policy ${quoted(p.name)} (${p.id}, ${p.status ?? 'unknown status'}` +
          `${p.is_system === 1 ? ', default policy' : ''}) sets settings.factors.okta_email.enroll.self to OPTIONAL.`,
        details: { policyId: p.id, policyName: p.name, status: p.status, system: p.is_system === 1, okta_email: p.email_enroll },
      });
    }
  },
};
