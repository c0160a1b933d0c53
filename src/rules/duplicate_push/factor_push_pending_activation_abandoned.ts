/**
 * Users with more than one push factor stuck in PENDING_ACTIVATION: Okta Verify enrollments that
 * were started (QR code shown, or a Factors API enroll) and never completed (checklist M5, A3).
 */
import { byEngine, counted, daysBefore, finding, listText, parseJson, severalFactorsOfType } from '../common.js';
import type { Rule, RuleMeta, Severity } from '../types.js';

const MIN_PENDING = 2;

const meta: RuleMeta = {
  id: 'factor_push_pending_activation_abandoned',
  title: 'Users with several abandoned Okta Verify push enrollments (PENDING_ACTIVATION)',
  severity: 'medium',
  family: 'Duplicate Push',
  whyItMatters:
    'Each pending push factor is an enrollment that was started and never finished. Several of them show a user repeatedly failing ' +
    'to set up Okta Verify, or a script enrolling push again and again. Pending rows also confuse Factors-API tools that pick "the" push factor.',
  recommendation:
    'Reset the user\'s Okta Verify in the Admin Console (the user\'s Authenticators tab) and help the user enroll once; if a script ' +
    'enrolls push through the Factors API, fix it first (Identity Engine lets the Factors API enroll only the first Okta Verify).',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M5', 'A3'],
  thresholds: { minPendingPushFactors: MIN_PENDING },
};

interface Row {
  user_id: string;
  login: string | null;
  user_status: string | null;
  pending: number;
  factors_json: string;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    // Two pending push factors are two push factors: only users with that many are read.
    const rows = ctx.db.prepare<{ snapshot: number; min: number }, Row>(`
      WITH ${severalFactorsOfType(['push'])}
      SELECT f.user_id, u.login, u.status AS user_status, count(*) AS pending,
             json_group_array(json_object('factorId', f.id, 'created', f.created, 'lastUpdated', f.last_updated)) AS factors_json
      FROM several s
      CROSS JOIN factors f ON f.snapshot_id = @snapshot AND f.factor_type = s.factor_type AND f.user_id = s.user_id
      JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
      WHERE f.status = 'PENDING_ACTIVATION'
      GROUP BY f.user_id
      HAVING count(*) >= @min
      ORDER BY f.user_id`).iterate({ snapshot: ctx.snapshot.id, min: MIN_PENDING });
    for (const r of rows) {
      const factors = parseJson<{ factorId: string; created: string | null; lastUpdated: string | null }[]>(r.factors_json, [])
        .sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.factorId.localeCompare(b.factorId));
      const oldestAge = daysBefore(factors[0]?.created, ctx.now);
      const what =
        `${counted(r.pending, 'push factor')} left in PENDING_ACTIVATION (${listText(factors.map((f) => `${f.factorId} created ${f.created ?? 'unknown'}`))})` +
        `${oldestAge === null ? '' : `, the oldest ${oldestAge} days before the snapshot`}`;
      yield finding(meta, {
        severity: byEngine<Severity>(ctx.pipeline, { v1: 'medium', idx: 'low', unknown: 'medium' }),
        subjectType: 'user',
        subjectId: r.user_id,
        userId: r.user_id,
        userLogin: r.login,
        userStatus: r.user_status,
        evidence: byEngine(ctx.pipeline, {
          v1: `Anomaly on a Classic Engine org: ${what}.`,
          idx: `Stale on Identity Engine: ${what}.`,
          unknown: `${what}.`,
        }),
        details: { pendingPushFactors: r.pending, oldestAgeDays: oldestAge, factors, engine: ctx.pipeline },
      });
    }
  },
};
