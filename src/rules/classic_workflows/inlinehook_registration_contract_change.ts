/**
 * Active registration inline hooks: in Identity Engine the hook moves to the user profile policy
 * and its request gains `requestType` (self-service registration or progressive profiling), per
 * Okta's "Upgrade your registration inline hook" guide; checklist C7.
 */
import { byEngine, finding, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const REGISTRATION_HOOK = 'com.okta.user.pre-registration';

const meta: RuleMeta = {
  id: 'inlinehook_registration_contract_change',
  title: 'Registration inline hooks whose request changes in Identity Engine',
  severity: 'high',
  family: 'Classic-only Workflows',
  whyItMatters:
    'Identity Engine replaces Classic self-service registration with user profile policies. A registration inline hook must be ' +
    'attached to a user profile policy, and its request gains a requestType: self.service.registration keeps the Classic fields, ' +
    'progressive.profile sends the new profile data elsewhere. A service that does not read requestType mishandles requests, and ' +
    'a hook left unattached stops screening registrations.',
  recommendation:
    'Before the upgrade, update the external service to branch on requestType (and answer progressive profiling with ' +
    'com.okta.user.progressive.profile.update if used). After it, attach the hook to the user profile policy (Security > User ' +
    'Profile Policies) and test a registration end to end. Embedded widgets must be 4.5 or later for these hooks.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-registration-inline-hook/main/',
  appliesTo: 'both',
  requires: ['inlineHooks'],
  checklist: ['C7'],
};

interface Row { id: string; name: string | null; status: string | null; uri: string | null }

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number, string], Row>(`
      SELECT id, name, status, json_extract(raw_json, '$.channel.config.uri') AS uri FROM inline_hooks
      WHERE snapshot_id = ? AND type = ? ORDER BY name, id`).iterate(ctx.snapshot.id, REGISTRATION_HOOK);
    for (const h of rows) {
      const active = h.status === 'ACTIVE';
      const hook = `Registration inline hook ${quoted(h.name)} (${h.id}, ${h.status ?? 'unknown status'}, calling ${h.uri ?? 'an unknown URL'})`;
      yield finding(meta, {
        severity: active ? meta.severity : 'low',
        subjectType: 'inline_hook',
        subjectId: h.id,
        evidence: byEngine(ctx.pipeline, {
          v1: `${hook} receives a changed request after the upgrade and must be attached to a user profile policy.`,
          idx: `${hook} must read requestType and be attached to a user profile policy to keep screening registrations.`,
          unknown: `${hook} changes contract in Identity Engine.`,
        }),
        details: { hookId: h.id, name: h.name, status: h.status, uri: h.uri, setting: `type ${REGISTRATION_HOOK}` },
      });
    }
  },
};
