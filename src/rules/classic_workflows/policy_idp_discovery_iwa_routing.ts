/**
 * IdP discovery (routing) rules that send users to IWA or Agentless Desktop SSO: the Upgrade Hub
 * blocks the upgrade while an IWA routing rule exists (checklist C1).
 */
import { finding, listText, parseJson, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const DESKTOP_SSO_TYPES = new Set(['IWA', 'AgentlessDSSO']);

const meta: RuleMeta = {
  id: 'policy_idp_discovery_iwa_routing',
  title: 'Routing rules that send users to IWA or Agentless Desktop SSO (upgrade blocker)',
  severity: 'critical',
  family: 'Classic-only Workflows',
  whyItMatters:
    'The Upgrade Hub blocks the upgrade to Identity Engine while any IWA routing rule exists. Desktop single sign-on through IWA ' +
    'has to be replaced (Okta FastPass desktop SSO or certificates) before the org can move.',
  recommendation:
    'Plan the replacement of desktop SSO (FastPass with Okta Verify on managed desktops, or smart card / certificate sign-in), ' +
    'then deactivate and delete the listed routing rules in Security > Identity Providers > Routing rules before starting the upgrade.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-rollout-plan/',
  appliesTo: 'v1',
  requires: ['policies:IDP_DISCOVERY'],
  checklist: ['C1'],
  unverified:
    'The routing-rule JSON (actions.idp.providers[].type "IWA" / "AgentlessDSSO") comes from the OpenAPI spec, not from a real org; ' +
    'whether Agentless Desktop SSO rules also block the upgrade is not documented.',
};

interface Row {
  policy_id: string;
  policy_name: string | null;
  id: string;
  name: string | null;
  status: string | null;
  priority: number | null;
  providers_json: string | null;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT r.policy_id, p.name AS policy_name, r.id, r.name, r.status, r.priority,
             json_extract(r.raw_json, '$.actions.idp.providers') AS providers_json
      FROM policy_rules r
      JOIN policies p ON p.snapshot_id = r.snapshot_id AND p.id = r.policy_id
      WHERE r.snapshot_id = ? AND p.type = 'IDP_DISCOVERY'
      ORDER BY p.priority, r.policy_id, r.priority, r.id`).iterate(ctx.snapshot.id);
    for (const r of rows) {
      const providers = parseJson<unknown[]>(r.providers_json, [])
        .filter((x): x is { type?: unknown; id?: unknown } => typeof x === 'object' && x !== null);
      const sso = providers.filter((x) => typeof x.type === 'string' && DESKTOP_SSO_TYPES.has(x.type));
      if (sso.length === 0) continue;
      const targets = sso.map((x) => `${String(x.type)}${typeof x.id === 'string' ? ` (${x.id})` : ''}`);
      const iwa = sso.some((x) => x.type === 'IWA');
      yield finding(meta, {
        severity: iwa ? 'critical' : 'high',
        subjectType: 'policy_rule',
        subjectId: r.id,
        evidence:
          `Upgrade blocker on a Classic Engine org: routing rule ${quoted(r.name)} (${r.id}, ${r.status ?? 'unknown status'}, priority ${r.priority ?? '?'}) ` +
          `in policy ${quoted(r.policy_name)} (${r.policy_id}) routes to ${listText(targets)}.`,
        details: {
          policyId: r.policy_id, policyName: r.policy_name, ruleId: r.id, ruleName: r.name, status: r.status, priority: r.priority,
          providers: sso,
        },
      });
    }
  },
};
