/**
 * Apps with a custom app login page (`accessibility.loginRedirectUrl`), a Classic feature that
 * Identity Engine keeps only for orgs already using it (spec: "deprecated in Identity Engine").
 */
import { byEngine, finding, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'app_custom_login_redirect',
  title: 'Apps sending users to a custom app login page',
  severity: 'medium',
  family: 'Classic-only Workflows',
  whyItMatters:
    'The custom app login (an app\'s own sign-in page instead of Okta\'s, set as loginRedirectUrl) is deprecated in Identity Engine: ' +
    'orgs that use it keep it, but the page bypasses the Okta-hosted sign-in flow, so Identity Engine authentication policies, ' +
    'FastPass and the new widget never reach those users. The Upgrade Hub raises it as an acknowledgment item.',
  recommendation:
    'Acknowledge the item in the Upgrade Hub. Plan to remove the custom login URL and let the app send users to the Okta-hosted ' +
    'sign-in page (or an embedded, current Sign-In Widget); test the app\'s sign-in in the upgraded preview org.',
  docUrl: 'https://help.okta.com/oie/en-us/content/topics/apps/custom-app-login.htm',
  appliesTo: 'both',
  requires: ['apps'],
  checklist: ['C9'],
};

interface Row { id: string; label: string | null; name: string | null; status: string | null; login_redirect_url: string }

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT id, label, name, status, login_redirect_url FROM apps
      WHERE snapshot_id = ? AND login_redirect_url IS NOT NULL AND login_redirect_url <> '' ORDER BY label, id`).iterate(ctx.snapshot.id);
    for (const a of rows) {
      const app = `App ${quoted(a.label)} (${a.id}, ${a.status ?? 'unknown status'}) sends users to its own login page ${a.login_redirect_url}`;
      yield finding(meta, {
        severity: a.status === 'ACTIVE' ? meta.severity : 'low',
        subjectType: 'app',
        subjectId: a.id,
        evidence: byEngine(ctx.pipeline, {
          v1: `${app}: a custom app login, deprecated in Identity Engine.`,
          idx: `${app}: a custom app login kept from Classic Engine, deprecated in Identity Engine.`,
          unknown: `${app}: a custom app login, deprecated in Identity Engine.`,
        }),
        details: { appId: a.id, name: a.label, integration: a.name, status: a.status, setting: `loginRedirectUrl ${a.login_redirect_url}` },
      });
    }
  },
};
