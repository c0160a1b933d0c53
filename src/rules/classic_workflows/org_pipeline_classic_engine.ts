/**
 * The org still runs Classic Engine (`/.well-known/okta-organization` pipeline "v1"): the context
 * in which every other Classic-only finding must be read (checklist C12).
 */
import { finding } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'org_pipeline_classic_engine',
  title: 'Org still runs Classic Engine (pipeline v1)',
  severity: 'info',
  family: 'Classic-only Workflows',
  whyItMatters:
    'On a Classic Engine org, every Classic-only workflow found by this audit (Authentication, Sessions and Factors API callers, ' +
    'event hooks on Classic-only events, Classic policy formats, upgrade blockers) still works today and changes or stops at the upgrade.',
  recommendation:
    'Plan the upgrade with the other findings as the work list: clear the blockers first, upgrade the preview org before production, ' +
    'make no other changes for a week after the upgrade (Okta can roll back within 7 days), and re-run this audit afterwards to compare.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-rollout-plan/',
  appliesTo: 'both',
  requires: ['wellKnown'],
  checklist: ['C12'],
};

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    if (ctx.pipeline !== 'v1') return;
    const org = ctx.snapshot.org_id === null ? ctx.snapshot.org_url : `${ctx.snapshot.org_url} (${ctx.snapshot.org_id})`;
    yield finding(meta, {
      subjectType: 'org',
      subjectId: ctx.snapshot.org_id ?? ctx.snapshot.org_url,
      evidence: `The org ${org} runs Classic Engine: /.well-known/okta-organization reported pipeline "v1" on ${ctx.snapshot.started_at}.`,
      details: { orgUrl: ctx.snapshot.org_url, orgId: ctx.snapshot.org_id, pipeline: ctx.pipeline, observedAt: ctx.snapshot.started_at },
    });
  },
};
