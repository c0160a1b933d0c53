/**
 * Users who can sign in and whose only ACTIVE factors are SMS, voice call, email or security
 * question (checklist M11).
 */
import { byEngine, finding, listText } from '../common.js';
import type { Rule, RuleMeta } from '../types.js';

const WEAK_TYPES = ['sms', 'call', 'email', 'question'] as const;
/** Statuses in which a user can still sign in. */
const SIGN_IN_STATUSES = ['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY'] as const;

const meta: RuleMeta = {
  id: 'user_weak_factors_only',
  title: 'Users whose only active factors are SMS, voice call, email or security question',
  severity: 'medium',
  family: 'MFA Hygiene',
  whyItMatters:
    'SMS and voice codes can be intercepted or redirected (SIM swap), email is often the same account being recovered, and a ' +
    'security question is a second password. Okta\'s own HealthInsight advises against them as second factors. After the upgrade, ' +
    'Identity Engine lists every user\'s email (and recovery question) as a factor, so these users look enrolled while having no ' +
    'phishing-resistant or app-based factor.',
  recommendation:
    'Require Okta Verify or WebAuthn (security key, platform authenticator) for these users through the enrollment policy, then ' +
    'restrict SMS, voice, email and security question to recovery.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/',
  appliesTo: 'both',
  requires: ['factors'],
  checklist: ['M11'],
};

interface Row {
  id: string;
  login: string | null;
  status: string | null;
  last_login: string | null;
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const weakList = WEAK_TYPES.map((t) => `'${t}'`).join(', ');
    // Users whose ACTIVE factors (one at least) are all weak, in one pass over the user-type
    // index; only those users' rows are read (CROSS JOIN keeps SQLite from looping over users).
    const rows = ctx.db.prepare<{ snapshot: number; statuses: string }, Row>(`
      SELECT u.id, u.login, u.status, u.last_login
      FROM (SELECT user_id FROM factors
             WHERE snapshot_id = @snapshot AND status = 'ACTIVE'
             GROUP BY user_id
            HAVING count(*) = sum(factor_type IN (${weakList}))) w
      CROSS JOIN users u ON u.snapshot_id = @snapshot AND u.id = w.user_id
      WHERE u.factors_fetched = 1 AND u.status IN (SELECT value FROM json_each(@statuses))
      ORDER BY u.id`).iterate({ snapshot: ctx.snapshot.id, statuses: JSON.stringify(SIGN_IN_STATUSES) });
    // Sorted here, not in SQL: ORDER BY factor_type would lure SQLite onto the type index (a full scan per user).
    const activeFactors = ctx.db.prepare<[number, string], { id: string; factor_type: string; created: string | null; last_verified: string | null }>(`
      SELECT id, factor_type, created, last_verified FROM factors
      WHERE snapshot_id = ? AND user_id = ? AND status = 'ACTIVE'`);
    for (const u of rows) {
      const factors = activeFactors.all(ctx.snapshot.id, u.id).sort((a, b) => a.factor_type.localeCompare(b.factor_type) || a.id.localeCompare(b.id));
      const types = [...new Set(factors.map((f) => f.factor_type))];
      const emailOnly = types.length === 1 && types[0] === 'email';
      yield finding(meta, {
        subjectType: 'user',
        subjectId: u.id,
        userId: u.id,
        userLogin: u.login,
        userStatus: u.status,
        evidence:
          `${u.status ?? 'Unknown-status'} user whose only active factors are ${listText(types)} ` +
          `(${factors.length} factor${factors.length === 1 ? '' : 's'}); no Okta Verify, WebAuthn or OTP factor` +
          byEngine(ctx.pipeline, {
            v1: '.',
            idx: emailOnly ? '; on Identity Engine the email factor is the verified primary email, so this user has no real second factor.' : '.',
            unknown: '.',
          }),
        details: { activeFactorTypes: types, activeFactors: factors.map((f) => ({ factorId: f.id, factorType: f.factor_type, created: f.created, lastVerified: f.last_verified })), lastLogin: u.last_login },
      });
    }
  },
};
