/**
 * Email factors that Identity Engine adds by itself (the verified primary email), counted so a
 * before/after comparison does not mistake them for new enrollments (checklist M1, U12).
 */
import { counted, finding, NO_FACTOR_STATUSES } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';


const meta: RuleMeta = {
  id: 'factor_email_expected_after_upgrade',
  title: 'Email factors that Identity Engine lists for every verified primary email',
  severity: 'info',
  family: 'Expected after the upgrade',
  whyItMatters:
    'In Identity Engine, GET /api/v1/users/{id}/factors returns the verified primary email as an ACTIVE email factor, even for ' +
    'users who never enrolled email for MFA. Comparing factor lists before and after the upgrade therefore shows many new email ' +
    'rows that are not enrollments, not drift and not a security change.',
  recommendation:
    'Treat these email rows as expected when comparing snapshots; do not reset email with the Classic reset-factor call, and do ' +
    'not count the email factor as a second factor when reviewing MFA coverage.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M1', 'U12'],
};

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const subject = { subjectType: 'org' as const, subjectId: ctx.snapshot.org_id ?? ctx.snapshot.org_url };
    if (ctx.pipeline === 'v1') {
      const c = ctx.db.prepare<[number, string], { will_gain: number | null; already: number | null; read: number }>(`
        SELECT sum(NOT has_email AND primary_email IS NOT NULL) AS will_gain, sum(has_email) AS already, count(*) AS read
        FROM (SELECT json_extract(u.raw_json, '$.profile.email') AS primary_email,
                     EXISTS (SELECT 1 FROM factors f WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id AND +f.factor_type = 'email') AS has_email
              FROM users u
              WHERE u.snapshot_id = ? AND u.factors_fetched = 1 AND u.status NOT IN (SELECT value FROM json_each(?)))`)
        .get(ctx.snapshot.id, JSON.stringify(NO_FACTOR_STATUSES));
      const willGain = c?.will_gain ?? 0;
      if (willGain === 0) return;
      const already = c?.already ?? 0;
      yield finding(meta, {
        ...subject,
        evidence:
          `Expected after the upgrade: Identity Engine will list an ACTIVE email factor for each user with a verified primary email, ` +
          `up to ${counted(willGain, 'user')} who ${willGain === 1 ? 'has' : 'have'} no email factor today (${counted(already, 'user')} already ${already === 1 ? 'has' : 'have'} one); ` +
          'mark these new rows as expected when comparing snapshots.',
        details: { engine: ctx.pipeline, usersWithoutEmailFactor: willGain, usersWithEmailFactor: already, usersRead: c?.read ?? 0 },
      });
      return;
    }
    const c = ctx.db.prepare<[number], { factors: number; active: number | null; users: number }>(`
      SELECT count(*) AS factors, sum(status = 'ACTIVE') AS active, count(DISTINCT user_id) AS users
      FROM factors WHERE snapshot_id = ? AND factor_type = 'email'`).get(ctx.snapshot.id);
    if (c === undefined || c.factors === 0) return;
    yield finding(meta, {
      ...subject,
      evidence:
        `${ctx.pipeline === 'idx' ? 'Expected on Identity Engine, not drift' : 'Expected if the org runs Identity Engine'}: ` +
        `${counted(c.factors, 'email factor')} (${(c.active ?? 0).toLocaleString('en-US')} ACTIVE) on ${counted(c.users, 'user')}; ` +
        'Identity Engine lists the verified primary email of each user as an email factor.',
      details: { engine: ctx.pipeline, emailFactors: c.factors, activeEmailFactors: c.active ?? 0, users: c.users },
    });
  },
};
