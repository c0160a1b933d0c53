/**
 * Apps still on the Classic Engine authentication pipeline after the org's upgrade: the per-app
 * migration ("app branding migration") the org has to finish. Okta exposes `authenticationPipeline`
 * only once the org runs Identity Engine, with the values CLASSIC and ORG_DEFAULT.
 */
import { finding, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'app_pipeline_classic_remaining',
  title: 'Apps still on the Classic Engine authentication pipeline',
  severity: 'high',
  family: 'Classic-only Workflows',
  whyItMatters:
    'With app branding migration the org upgrades as a whole but each app keeps the Classic Engine pipeline until it is switched. ' +
    'Such an app cannot use what the org gained (FastPass, device assurance, Identity Engine authentication policies, self-service ' +
    'registration) and still evaluates its Classic sign-on policy, so the upgrade is not finished while any app remains.',
  recommendation:
    'Move the apps one at a time, lowest risk first: check its Classic API dependencies and its sign-in widget (5.11 or later), ' +
    'set authenticationPipeline to ORG_DEFAULT (PUT /api/v1/apps/{id} with the whole app object), test sign-in, and review the ' +
    'authentication policy Okta creates from its sign-on policy. Roll a single app back by setting CLASSIC.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-app-pipeline/main/',
  appliesTo: 'idx',
  requires: ['apps'],
  checklist: [],
};

interface Row { id: string; label: string | null; name: string | null; status: string | null; sign_on_mode: string | null }

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT id, label, name, status, sign_on_mode FROM apps
      WHERE snapshot_id = ? AND authentication_pipeline = 'CLASSIC' ORDER BY label, id`).iterate(ctx.snapshot.id);
    for (const a of rows) {
      const active = a.status === 'ACTIVE';
      yield finding(meta, {
        severity: active ? meta.severity : 'low',
        subjectType: 'app',
        subjectId: a.id,
        evidence: `App ${quoted(a.label)} (${a.name ?? 'unknown integration'}, ${a.sign_on_mode ?? 'unknown sign-on mode'}, ${a.status ?? 'unknown status'}) `
          + `still runs the Classic Engine pipeline (authenticationPipeline CLASSIC)${active ? '' : '; it is inactive, so moving it is housekeeping'}.`,
        details: { appId: a.id, name: a.label, integration: a.name, signOnMode: a.sign_on_mode, status: a.status, setting: 'authenticationPipeline: CLASSIC' },
      });
    }
  },
};
