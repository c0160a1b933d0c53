/**
 * Customized sign-in pages pinned to a Sign-In Widget older than Identity Engine needs (5.11),
 * checklist C9. `widgetVersion` is `*` (latest), `^N` or `N` (latest N.x) or `M.m` (exact).
 */
import { byEngine, finding, listText, quoted } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const MIN_MAJOR = 5;
const MIN_MINOR = 11;

const meta: RuleMeta = {
  id: 'brand_signin_widget_outdated',
  title: 'Customized sign-in pages on a Sign-In Widget older than 5.11',
  severity: 'high',
  family: 'Classic-only Workflows',
  whyItMatters:
    'Identity Engine requires Sign-In Widget 5.11 or later (or the third-generation widget) on the Okta-hosted sign-in page. A ' +
    'customized page pinned to an older version does not run the Identity Engine sign-in flow, so users of that brand cannot sign ' +
    'in as expected once the org or the app is moved.',
  recommendation:
    'Before the upgrade, set the page to a current widget (Customizations > Brands > Sign-in page, or widgetVersion "^7" through ' +
    'the Brands API), retest any custom JavaScript and CSS on the page, and remove widget options Identity Engine no longer ' +
    'supports. Pages that follow a major version ("^5", "*") pick up new releases by themselves.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-app-pipeline/main/',
  appliesTo: 'both',
  requires: ['brands'],
  checklist: ['C9'],
  thresholds: { minimumMajor: MIN_MAJOR, minimumMinor: MIN_MINOR },
  unverified: 'That a major-only version ("5", "^5") resolves to the latest 5.x release, which is 5.11 or later.',
};

/** 'ok', 'old' or 'unknown' for a widgetVersion value. */
export function widgetVersionVerdict(v: string | null): 'ok' | 'old' | 'unknown' {
  if (v === null) return 'unknown';
  const t = v.trim();
  if (t === '*') return 'ok';
  const m = /^\^?(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(t);
  if (m === null) return 'unknown';
  const major = Number(m[1]);
  const exact = !t.startsWith('^') && m[2] !== undefined;
  if (major !== MIN_MAJOR) return major > MIN_MAJOR ? 'ok' : 'old';
  if (!exact) return 'ok'; // the latest 5.x
  return Number(m[2]) >= MIN_MINOR ? 'ok' : 'old';
}

interface Row { brand_id: string; brand_name: string | null; is_default: number | null; widget_version: string | null; domains: string | null }

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const rows = ctx.db.prepare<[number], Row>(`
      SELECT p.brand_id, b.name AS brand_name, b.is_default, p.widget_version,
             (SELECT group_concat(d.domain, ', ') FROM domains d WHERE d.snapshot_id = p.snapshot_id AND d.brand_id = p.brand_id) AS domains
      FROM sign_in_pages p LEFT JOIN brands b ON b.snapshot_id = p.snapshot_id AND b.id = p.brand_id
      WHERE p.snapshot_id = ? ORDER BY b.name, p.brand_id`).iterate(ctx.snapshot.id);
    for (const r of rows) {
      const verdict = widgetVersionVerdict(r.widget_version);
      if (verdict === 'ok') continue;
      const about = [r.is_default === 1 ? 'the default brand' : null, r.domains === null ? null : `served on ${listText(r.domains.split(', '))}`].filter((x) => x !== null);
      const page = `The customized sign-in page of brand ${quoted(r.brand_name)}${about.length > 0 ? ` (${about.join(', ')})` : ''} uses Sign-In Widget ${quoted(r.widget_version)}`;
      yield finding(meta, {
        severity: verdict === 'old' ? meta.severity : 'medium',
        subjectType: 'brand',
        subjectId: r.brand_id,
        evidence: verdict === 'unknown'
          ? `${page}, a version oie-audit cannot compare with the ${MIN_MAJOR}.${MIN_MINOR} that Identity Engine needs: check it by hand.`
          : byEngine(ctx.pipeline, {
            v1: `${page}, older than the ${MIN_MAJOR}.${MIN_MINOR} Identity Engine needs: update it before the upgrade.`,
            idx: `${page}, older than the ${MIN_MAJOR}.${MIN_MINOR} Identity Engine needs (kept for a brand still on Classic Engine).`,
            unknown: `${page}, older than the ${MIN_MAJOR}.${MIN_MINOR} Identity Engine needs.`,
          }),
        details: { brandId: r.brand_id, name: r.brand_name, isDefault: r.is_default === 1, setting: `widgetVersion ${r.widget_version ?? '(none)'}`, domains: r.domains },
      });
    }
  },
};
