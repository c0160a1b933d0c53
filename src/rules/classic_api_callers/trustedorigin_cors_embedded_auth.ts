/**
 * Active trusted origins allowed to call Okta cross-origin (CORS): every such origin is a page that
 * may embed the Sign-In Widget or call Okta with Auth.js, which the Upgrade Hub does not detect
 * (Okta's "identify integrations" guide), checklist C9.
 */
import { byEngine, finding, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'trustedorigin_cors_embedded_auth',
  title: 'Trusted origins allowed to call Okta from the browser (embedded widgets, Auth.js)',
  severity: 'medium',
  family: 'Classic API Callers',
  whyItMatters:
    'CORS registration is what lets an embedded Sign-In Widget or the Auth.js SDK call Okta from another site. On Classic Engine ' +
    'those pages call the Authentication API (/api/v1/authn) from the browser; the upgrade changes what they get back, and the ' +
    'Upgrade Hub does not detect them, so each origin is an integration to find and test.',
  recommendation:
    'For each origin, find the app and its owner, check which widget or Auth.js version it embeds and whether it uses the ' +
    'Authentication API or the Interaction Code flow, and test it against the upgraded preview org. Remove origins nobody uses.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-identify-integrations/main/',
  appliesTo: 'both',
  requires: ['trustedOrigins'],
  checklist: ['C9', 'A1'],
};

interface Row { id: string; name: string | null; origin: string | null; scope_types: string | null; created: string | null }

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT id, name, origin, scope_types, created FROM trusted_origins
      WHERE snapshot_id = ? AND status = 'ACTIVE' AND (',' || scope_types || ',') GLOB '*,CORS,*' ORDER BY name, id`).iterate(ctx.snapshot.id);
    for (const o of rows) {
      const origin = `Trusted origin ${quoted(o.name)} (${o.origin ?? 'no origin'}, scopes ${o.scope_types ?? 'none'}) lets pages there call Okta from the browser`;
      yield finding(meta, {
        subjectType: 'trusted_origin',
        subjectId: o.id,
        evidence: byEngine(ctx.pipeline, {
          v1: `${origin}: a likely embedded Sign-In Widget or Auth.js app to test before the upgrade.`,
          idx: `${origin}: a likely embedded Sign-In Widget or Auth.js app to check for Classic Authentication API use.`,
          unknown: `${origin}: a likely embedded Sign-In Widget or Auth.js app.`,
        }),
        details: { caller: { kind: 'trusted_origin', id: o.id, tokenName: o.name }, origin: o.origin, scopes: o.scope_types, created: o.created },
      });
    }
  },
};
