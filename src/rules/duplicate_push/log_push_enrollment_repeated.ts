/**
 * Repeated Okta Verify push enrollment attempts for one user in the System Log window: several
 * `user.mfa.factor.activate` events aimed at a push factor, or several failed ones (checklist M5, A3).
 *
 * An event counts when the factor it names (its AuthenticatorEnrollment target, or the factor id in
 * the request path) is one of the user's push or signed_nonce factors or an okta_verify
 * enrollment; a factor that no longer exists counts when the target is labelled "Okta Verify".
 */
import { counted, crawlScope, finding, listText } from '../common.js';
import type { Finding, Rule, RuleContext, RuleMeta } from '../types.js';

const MIN_ATTEMPTS = 3;
const MIN_FAILURES = 2;
const KEPT_ATTEMPTS = 20;
const ACTIVATE_EVENTS = ['user.mfa.factor.activate', 'user.mfa.factor.enroll'];

const meta: RuleMeta = {
  id: 'log_push_enrollment_repeated',
  title: 'Users with repeated or failing Okta Verify push enrollment attempts in the System Log',
  severity: 'medium',
  family: 'Duplicate Push',
  whyItMatters:
    'One device is enrolled once. Three or more push activations for one user in the log window, or two or more failed ones, ' +
    'show a user stuck in enrollment or a script re-enrolling push (each attempt can leave a pending or duplicate factor). ' +
    'Identity Engine lets the Factors API enroll only the first Okta Verify, so such scripts break after the upgrade.',
  recommendation:
    'Check the user agents and API tokens listed: if a script or integration enrolls push through the Factors API, move it to ' +
    'user-driven enrollment. Otherwise contact the user, reset Okta Verify once in the Admin Console and clean up pending or ' +
    'duplicate push factors.',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/',
  appliesTo: 'both',
  requires: ['logs'],
  checklist: ['M5', 'A3'],
  thresholds: { minAttempts: MIN_ATTEMPTS, minFailedAttempts: MIN_FAILURES },
  unverified: 'That activation events name the factor in an AuthenticatorEnrollment target (or debugData.factor) is inferred from log examples, not documented.',
};

interface Row {
  uuid: string;
  published: string | null;
  target_user_id: string;
  login: string | null;
  user_status: string | null;
  outcome_result: string | null;
  outcome_reason: string | null;
  request_uri: string | null;
  user_agent: string | null;
  api_token_id: string | null;
  debug_factor: string | null;
  targets_json: string | null;
}

interface Attempt {
  uuid: string;
  published: string | null;
  outcome: string | null;
  reason: string | null;
  requestUri: string | null;
  userAgent: string | null;
  apiTokenId: string | null;
}

const FACTOR_IN_PATH = /^\/api\/v1\/(?:users\/[^/]+\/factors|authn\/factors)\/([^/?#]+)/;

function failed(outcome: string | null): boolean {
  return outcome !== null && outcome !== 'SUCCESS' && outcome !== 'ALLOW';
}

export const rule: Rule = {
  meta,
  file: import.meta.url,
  *evaluate(ctx) {
    const factorType = ctx.db.prepare<[number, string, string], string>(
      `SELECT factor_type FROM factors WHERE snapshot_id = ? AND user_id = ? AND id = ?`).pluck();
    const enrollmentKey = ctx.db.prepare<[number, string, string], string | null>(
      `SELECT key FROM authenticator_enrollments WHERE snapshot_id = ? AND user_id = ? AND id = ?`).pluck();

    const isPushAttempt = (r: Row): boolean => {
      const targets = (JSON.parse(r.targets_json ?? '[]') as { id: unknown; name: unknown }[]).filter((t) => typeof t.id === 'string');
      const ids = targets.map((t) => t.id as string);
      const inPath = FACTOR_IN_PATH.exec(r.request_uri ?? '')?.[1];
      if (inPath !== undefined && !['catalog', 'questions'].includes(inPath)) ids.push(inPath);
      for (const id of ids) {
        const type = factorType.get(ctx.snapshot.id, r.target_user_id, id);
        if (type !== undefined) return type === 'push' || type === 'signed_nonce';
        const key = enrollmentKey.get(ctx.snapshot.id, r.target_user_id, id);
        if (key !== undefined) return key === 'okta_verify';
      }
      if (r.debug_factor !== null && /PUSH/i.test(r.debug_factor)) return true;
      return targets.some((t) => t.name === 'Okta Verify');
    };

    const rows = ctx.db.prepare<[number, string], Row>(`
      SELECT l.uuid, l.published, l.target_user_id, u.login, u.status AS user_status, l.outcome_result,
             json_extract(l.raw_json, '$.outcome.reason') AS outcome_reason, l.request_uri, l.user_agent, l.api_token_id,
             json_extract(l.raw_json, '$.debugContext.debugData.factor') AS debug_factor,
             (SELECT json_group_array(json_object('id', json_extract(t.value, '$.id'), 'name', json_extract(t.value, '$.displayName')))
                FROM json_each(l.raw_json, '$.target') t
               WHERE json_extract(t.value, '$.type') = 'AuthenticatorEnrollment') AS targets_json
      FROM log_events l
      LEFT JOIN users u ON u.snapshot_id = l.snapshot_id AND u.id = l.target_user_id
      WHERE l.snapshot_id = ? AND l.event_type IN (SELECT value FROM json_each(?)) AND l.target_user_id IS NOT NULL
      ORDER BY l.target_user_id, l.published, l.uuid`).iterate(ctx.snapshot.id, JSON.stringify(ACTIVATE_EVENTS));

    let acc: Accumulator | undefined;
    for (const r of rows) {
      if (acc !== undefined && acc.userId !== r.target_user_id) {
        const f = acc.finish(ctx);
        if (f !== undefined) yield f;
        acc = undefined;
      }
      if (!isPushAttempt(r)) continue;
      acc ??= new Accumulator(r);
      acc.add(r);
    }
    const f = acc?.finish(ctx);
    if (f !== undefined) yield f;
  },
};

/** One user's attempts; keeps counts of all and the details of the first few. */
class Accumulator {
  readonly userId: string;
  readonly login: string | null;
  readonly userStatus: string | null;
  attempts = 0;
  failures = 0;
  first: string | null = null;
  last: string | null = null;
  readonly kept: Attempt[] = [];
  readonly userAgents = new Set<string>();
  readonly apiTokens = new Set<string>();
  readonly reasons = new Set<string>();

  constructor(r: Row) {
    this.userId = r.target_user_id;
    this.login = r.login;
    this.userStatus = r.user_status;
  }

  add(r: Row): void {
    this.attempts++;
    if (failed(r.outcome_result)) {
      this.failures++;
      if (r.outcome_reason !== null && this.reasons.size < 5) this.reasons.add(r.outcome_reason);
    }
    this.first ??= r.published;
    this.last = r.published;
    if (r.user_agent !== null && this.userAgents.size < 10) this.userAgents.add(r.user_agent);
    if (r.api_token_id !== null && this.apiTokens.size < 10) this.apiTokens.add(r.api_token_id);
    if (this.kept.length < KEPT_ATTEMPTS) {
      this.kept.push({ uuid: r.uuid, published: r.published, outcome: r.outcome_result, reason: r.outcome_reason, requestUri: r.request_uri, userAgent: r.user_agent, apiTokenId: r.api_token_id });
    }
  }

  finish(ctx: RuleContext): Finding | undefined {
    if (this.attempts < MIN_ATTEMPTS && this.failures < MIN_FAILURES) return undefined;
    const scope = crawlScope(ctx.snapshot.settings_json);
    const window = scope.logsSince !== null && scope.logsUntil !== null ? ` (log window ${scope.logsSince} to ${scope.logsUntil})` : '';
    const reasons = this.reasons.size === 0 ? '' : `: ${listText([...this.reasons].map((s) => `"${s}"`))}`;
    const via = [
      ...[...this.apiTokens].map((t) => `API token ${t}`),
      ...[...this.userAgents].map((ua) => `user agent ${ua}`),
    ];
    return finding(meta, {
      subjectType: 'user',
      subjectId: this.userId,
      userId: this.userId,
      userLogin: this.login,
      userStatus: this.userStatus,
      evidence:
        `${counted(this.attempts, 'Okta Verify push enrollment attempt')} between ${this.first ?? 'unknown'} and ${this.last ?? 'unknown'}${window}, ` +
        `${this.failures} failed${reasons}${via.length === 0 ? '' : `; via ${listText(via, 4)}`}.`,
      details: {
        attempts: this.attempts,
        failedAttempts: this.failures,
        firstSeen: this.first,
        lastSeen: this.last,
        failureReasons: [...this.reasons],
        userAgents: [...this.userAgents],
        apiTokenIds: [...this.apiTokens],
        events: this.kept,
      },
    });
  }
}
