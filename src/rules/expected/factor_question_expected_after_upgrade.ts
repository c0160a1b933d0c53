/**
 * Security-question factors that Identity Engine lists for every password-recovery question,
 * counted so a before/after comparison does not mistake them for new enrollments (checklist M2, U12).
 */
import { counted, finding, NO_FACTOR_STATUSES } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const RECOVERY_QUESTION = `json_extract(u.raw_json, '$.credentials.recovery_question.question') IS NOT NULL`;

const meta: RuleMeta = {
  id: 'factor_question_expected_after_upgrade',
  title: 'Security-question factors that Identity Engine lists for password-recovery questions',
  severity: 'info',
  family: 'Expected after the upgrade',
  whyItMatters:
    'In Identity Engine, GET /api/v1/users/{id}/factors returns the forgot-password recovery question as a question factor, even ' +
    'without a security-question MFA enrollment. A before/after comparison therefore shows new question rows that are not ' +
    'enrollments and not drift. Resetting both the MFA question and the recovery question takes two reset calls.',
  recommendation:
    'Treat these question rows as expected when comparing snapshots, do not count them as a second factor, and update helpdesk ' +
    'procedures that reset factors: clearing the recovery question now needs its own reset.',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M2', 'U12'],
};

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const subject = { subjectType: 'org' as const, subjectId: ctx.snapshot.org_id ?? ctx.snapshot.org_url };
    if (ctx.pipeline === 'v1') {
      const c = ctx.db.prepare<[number, string], { will_gain: number | null; already: number | null }>(`
        SELECT sum(NOT has_question AND has_recovery) AS will_gain, sum(has_question) AS already
        FROM (SELECT ${RECOVERY_QUESTION} AS has_recovery,
                     EXISTS (SELECT 1 FROM factors f WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id AND +f.factor_type = 'question') AS has_question
              FROM users u
              WHERE u.snapshot_id = ? AND u.factors_fetched = 1 AND u.status NOT IN (SELECT value FROM json_each(?)))`)
        .get(ctx.snapshot.id, JSON.stringify(NO_FACTOR_STATUSES));
      const willGain = c?.will_gain ?? 0;
      if (willGain === 0) return;
      yield finding(meta, {
        ...subject,
        evidence:
          `Expected after the upgrade: Identity Engine will list a question factor for ${counted(willGain, 'user')} who ${willGain === 1 ? 'has' : 'have'} a ` +
          `password-recovery question but no question factor today (${counted(c?.already ?? 0, 'user')} already ${(c?.already ?? 0) === 1 ? 'has' : 'have'} one); ` +
          'mark these new rows as expected when comparing snapshots.',
        details: { engine: ctx.pipeline, usersWithRecoveryQuestionOnly: willGain, usersWithQuestionFactor: c?.already ?? 0 },
      });
      return;
    }
    const c = ctx.db.prepare<[number], { factors: number; users: number; with_recovery: number | null }>(`
      SELECT count(*) AS factors, count(DISTINCT f.user_id) AS users, sum(${RECOVERY_QUESTION}) AS with_recovery
      FROM factors f JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
      WHERE f.snapshot_id = ? AND f.factor_type = 'question'`).get(ctx.snapshot.id);
    if (c === undefined || c.factors === 0) return;
    yield finding(meta, {
      ...subject,
      evidence:
        `${ctx.pipeline === 'idx' ? 'Expected on Identity Engine, not drift' : 'Expected if the org runs Identity Engine'}: ` +
        `${counted(c.factors, 'question factor')} on ${counted(c.users, 'user')}, ${(c.with_recovery ?? 0).toLocaleString('en-US')} of them ` +
        'for users with a password-recovery question, which Identity Engine lists as a factor.',
      details: { engine: ctx.pipeline, questionFactors: c.factors, users: c.users, factorsOfUsersWithRecoveryQuestion: c.with_recovery ?? 0 },
    });
  },
};
