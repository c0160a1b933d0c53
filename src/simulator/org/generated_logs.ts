/**
 * The generated org's System Log: EVENTS_PER_USER events per user spread evenly over the
 * LOG_WINDOW_DAYS before `now`. Slots are grouped in blocks of BLOCK; each block's content (a few
 * short "stories": a sign-in, a Classic API call sequence, repeated enrollment attempts...) is
 * derived from (seed, block index) alone, so the log streams for any org size and can start at
 * any time without generating what comes before.
 */
import type { LogEvent } from './types.js';
import { type GenContext, DAY, oktaId } from './generated_context.js';
import { type UserCore, userCore } from './generated_users.js';
import type { ApiToken, TokenDef } from './generated_org_config.js';
import { type Device, type FactorKind, type FactorPlan, type MfaPlan, factorIdPrefix, planMfa, visibleFactors } from './generated_factors.js';
import { deviceEnrollmentId } from './generated_enrollments.js';
import { type FactorRef, type Spec, browserClient, render, spec, tokenClient } from './generated_log_events.js';
import { chance, hash32, intBetween, pick, randomChars, unit, weighted } from './random.js';

// Bound once (see random.ts: global lookups are slow under vm contexts).
const { floor, max, min, ceil } = Math;

const S = { story: 401, user: 402, jitter: 403, request: 405, session: 406, outcome: 408, attempts: 409, pickFactor: 410, via: 411 } as const;

export const EVENTS_PER_USER = 2.5;
export const LOG_WINDOW_DAYS = 28;
const WINDOW_MS = LOG_WINDOW_DAYS * DAY;
const BLOCK = 8;
const USER_TRIES = 6;

/** Total events: EVENTS_PER_USER per user, rounded up to whole blocks. */
export function logEventCount(ctx: GenContext): number {
  return ctx.users === 0 ? 0 : ceil((ctx.users * EVENTS_PER_USER) / BLOCK) * BLOCK;
}

type StoryKind = 'signin' | 'api_authn' | 'api_sessions' | 'api_factor_verify' | 'api_factor_enroll' | 'push_enroll_retry' | 'factor_delete'
  | 'factor_update' | 'reset_all' | 'device_trust' | 'api_session_cookie' | 'session_me' | 'org_factor_lifecycle';
/** Story mix in percent (documented in docs/simulator-org.md). */
export const STORY_WEIGHTS: ReadonlyArray<readonly [StoryKind, number]> = [
  ['signin', 44], ['api_authn', 10], ['api_sessions', 4], ['api_factor_verify', 8], ['api_factor_enroll', 6],
  ['push_enroll_retry', 6], ['factor_delete', 4], ['factor_update', 5], ['reset_all', 5],
  ['device_trust', 3], ['api_session_cookie', 2], ['session_me', 2], ['org_factor_lifecycle', 1],
];

/** What the log generator needs from the org configuration. */
export interface LogEnv {
  tokens: readonly ApiToken[];
  admin: UserCore | undefined;
}

const CAN_SIGN_IN = new Set(['ACTIVE', 'PASSWORD_EXPIRED', 'RECOVERY', 'LOCKED_OUT']);

interface Candidate { core: UserCore; plan: MfaPlan; visible: FactorPlan[] }

function firstActive(c: Candidate, ...kinds: FactorKind[]): FactorPlan | undefined {
  return c.visible.find((f) => f.status === 'ACTIVE' && kinds.includes(f.kind));
}

/** Builds the specs of one block: whole stories only, filled with single sign-in events. */
function blockSpecs(ctx: GenContext, env: LogEnv, b: number): Spec[] {
  const out: Spec[] = [];
  for (let j = 0; out.length < BLOCK; j++) {
    out.push(...storySpecs(ctx, env, b, j, BLOCK - out.length));
  }
  return out.slice(0, BLOCK);
}

function storySpecs(ctx: GenContext, env: LogEnv, b: number, j: number, room: number): Spec[] {
  const { seed } = ctx;
  const h = hash32(seed, S.story, b, j);
  let kind = weighted(STORY_WEIGHTS, h);
  const needsPush = kind === 'api_authn' || kind === 'api_factor_verify' || kind === 'push_enroll_retry';
  const candidate = (t: number): Candidate => {
    const core = userCore(ctx, hash32(seed, S.user, b, j, t) % ctx.users);
    const plan = planMfa(ctx, core);
    return { core, plan, visible: visibleFactors(ctx, plan) };
  };
  let c = candidate(0);
  for (let t = 1; t < USER_TRIES; t++) {
    const ok = CAN_SIGN_IN.has(c.core.status) && (!needsPush || firstActive(c, 'push') !== undefined)
      && (kind !== 'factor_update' || firstActive(c, 'sms', 'call') !== undefined)
      && (kind !== 'api_factor_enroll' || firstActive(c, 'sms', 'push') !== undefined);
    if (ok) break;
    c = candidate(t);
  }
  const session = (prefix: string): string => prefix + randomChars(22, seed, S.session, b, j);
  const browser = browserClient(ctx, c.core);
  const browserBase = { actor: c.core, subject: c.core, client: browser, session: session(ctx.pipeline === 'idx' ? 'idx' : '102') };
  const tokenFor = (use: TokenDef['uses'][number]): { token: ApiToken; index: number } | undefined => {
    const options = env.tokens.map((token, index) => ({ token, index })).filter((t) => t.token.def.uses.includes(use));
    return options.length === 0 ? undefined : pick(options, hash32(seed, S.via, b, j, use));
  };
  const apiBase = (use: TokenDef['uses'][number], actorIsOwner: boolean): Omit<Spec, 'eventType' | 'displayMessage' | 'legacyEventType' | 'result' | 'reason' | 'requestUri'> | undefined => {
    const t = tokenFor(use);
    if (t === undefined) return undefined;
    return { actor: actorIsOwner ? t.token.owner : c.core, subject: c.core, client: tokenClient(t.token, t.index), tokenId: t.token.id, session: 'unknown' };
  };
  const uid = c.core.id;
  const push = firstActive(c, 'push');
  const fail = (p: number): boolean => chance(p, hash32(seed, S.outcome, b, j));
  const password = { provider: 'OKTA_AUTHENTICATION_PROVIDER', credentialProvider: null, credentialType: 'PASSWORD', step: 0 };
  const mfa = (f: FactorPlan): Spec['auth'] => ({
    provider: 'FACTOR_PROVIDER', credentialProvider: 'OKTA_CREDENTIAL_PROVIDER', credentialType: f.kind === 'sms' ? 'SMS' : f.kind === 'push' ? null : 'OTP', step: 1,
  });
  const ref = (f: FactorPlan): FactorRef => ({ id: f.id, kind: f.kind });

  const signin = (): Spec[] => {
    if (!CAN_SIGN_IN.has(c.core.status) || fail(0.08) || room < 3) {
      const ok = CAN_SIGN_IN.has(c.core.status) && !fail(0.08);
      const uri = ctx.pipeline === 'idx' ? '/idp/idx/identify' : '/api/v1/authn';
      return [spec('user.session.start', { ...browserBase, requestUri: uri, auth: password }, ok ? 'SUCCESS' : 'FAILURE', ok ? null : 'INVALID_CREDENTIALS')];
    }
    const sms = firstActive(c, 'sms');
    if (ctx.pipeline === 'idx') {
      const device: Device | undefined = c.plan.devices[intBetween(0, max(0, c.plan.devices.length - 1), hash32(seed, S.pickFactor, b, j))];
      const ovPush = device && c.plan.factors.find((f) => f.kind === 'push' && f.device === device);
      if (device && ovPush) {
        const targetId = deviceEnrollmentId(ctx, c.core, device);
        return [
          spec('system.push.send_factor_verify_push', { ...browserBase, factor: ref(ovPush), targetId, requestUri: '/idp/idx/challenge' }),
          spec('user.authentication.auth_via_mfa', { ...browserBase, factor: ref(ovPush), targetId, requestUri: '/idp/idx/authenticators/poll', auth: mfa(ovPush) }),
          spec('user.session.start', { ...browserBase, requestUri: '/idp/idx/authenticators/poll', auth: password }),
        ];
      }
      if (sms) {
        return [
          spec('system.sms.send_factor_verify_message', { ...browserBase, factor: ref(sms), requestUri: '/idp/idx/challenge' }),
          spec('user.authentication.auth_via_mfa', { ...browserBase, factor: ref(sms), requestUri: '/idp/idx/challenge/answer', auth: mfa(sms) }),
          spec('user.session.start', { ...browserBase, requestUri: '/idp/idx/challenge/answer', auth: password }),
        ];
      }
      return [spec('user.session.start', { ...browserBase, requestUri: '/idp/idx/identify', auth: password })];
    }
    // Classic: the Sign-In Widget calls the Authentication API from the browser.
    const second = push ?? sms;
    if (second) {
      const verify = `/api/v1/authn/factors/${second.id}/verify`;
      return [
        spec('user.session.start', { ...browserBase, requestUri: '/api/v1/authn', auth: password }),
        spec(second.kind === 'push' ? 'system.push.send_factor_verify_push' : 'system.sms.send_factor_verify_message', { ...browserBase, factor: ref(second), requestUri: verify }),
        spec('user.authentication.auth_via_mfa', { ...browserBase, factor: ref(second), requestUri: verify, auth: mfa(second) }),
      ];
    }
    return [spec('user.session.start', { ...browserBase, requestUri: '/api/v1/authn', auth: password })];
  };

  // Stories that cannot happen for the chosen user, or do not fit the block, become a sign-in.
  if (!CAN_SIGN_IN.has(c.core.status) || (needsPush && push === undefined)) kind = 'signin';
  switch (kind) {
    case 'signin': return signin();
    case 'api_authn': {
      const base = apiBase('authn', false);
      if (base === undefined || push === undefined || room < 4) return signin();
      const verify = `/api/v1/authn/factors/${push.id}/verify`;
      return [
        spec('user.session.start', { ...base, requestUri: '/api/v1/authn', auth: password }),
        spec('system.push.send_factor_verify_push', { ...base, factor: ref(push), requestUri: verify }),
        spec('user.authentication.auth_via_mfa', { ...base, factor: ref(push), requestUri: verify, auth: mfa(push) }),
        spec('user.session.start', { ...base, requestUri: '/api/v1/sessions', auth: password }),
      ];
    }
    case 'api_sessions': {
      const base = apiBase('sessions', false);
      if (base === undefined) return signin();
      return [spec('user.session.start', { ...base, requestUri: '/api/v1/sessions', auth: password })];
    }
    case 'api_factor_verify': {
      const base = apiBase('factor_verify', false);
      if (base === undefined || push === undefined || room < 2) return signin();
      const factorUri = `/api/v1/users/${uid}/factors/${push.id}`;
      const tx = `v2mst.${randomChars(22, seed, S.request, b, j, 'tx')}`;
      const r = unit(hash32(seed, S.outcome, b, j, 1));
      const sent = spec('system.push.send_factor_verify_push', { ...base, factor: ref(push), requestUri: `${factorUri}/verify` });
      const pollBase = { ...base, factor: ref(push), requestUri: `${factorUri}/transactions/${tx}`, auth: mfa(push) };
      if (r < 0.85) return [sent, spec('user.authentication.auth_via_mfa', pollBase)];
      if (ctx.pipeline === 'v1') return [sent, spec('user.mfa.okta_verify.deny_push', pollBase, 'FAILURE', 'User rejected Okta push verify')];
      return [sent, spec('user.authentication.auth_via_mfa', pollBase, 'FAILURE', 'INVALID_CREDENTIALS')];
    }
    case 'api_factor_enroll': {
      const base = apiBase('factors_admin', true);
      const f = firstActive(c, 'sms', 'push');
      if (base === undefined || f === undefined) return signin();
      return f.kind === 'sms'
        ? [spec('user.mfa.factor.activate', { ...base, factor: ref(f), requestUri: `/api/v1/users/${uid}/factors`, url: `/api/v1/users/${uid}/factors?activate=true` })]
        : [spec('user.mfa.factor.activate', { ...base, factor: ref(f), requestUri: `/api/v1/users/${uid}/factors/${f.id}/lifecycle/activate` })];
    }
    case 'push_enroll_retry': {
      if (push === undefined) return signin();
      const attempts = min(room, intBetween(2, 4, hash32(seed, S.attempts, b, j)));
      if (attempts < 2) return signin();
      const viaApi = chance(0.5, hash32(seed, S.via, b, j));
      const base = viaApi ? apiBase('factors_admin', true) : undefined;
      const uri = base !== undefined
        ? `/api/v1/users/${uid}/factors/${push.id}/lifecycle/activate`
        : ctx.pipeline === 'idx' ? '/idp/idx/challenge/poll' : `/api/v1/authn/factors/${push.id}/lifecycle/activate/poll`;
      const common = { ...(base ?? browserBase), factor: ref(push), requestUri: uri };
      const out: Spec[] = [];
      for (let a = 0; a < attempts - 1; a++) out.push(spec('user.mfa.factor.activate', common, 'FAILURE', 'Okta Verify activation timed out'));
      out.push(spec('user.mfa.factor.activate', common));
      return out;
    }
    case 'factor_delete': {
      const base = apiBase('factors_admin', true);
      if (base === undefined) return signin();
      // The deleted factor no longer exists, so its id is not among the user's factors.
      const kindGone: FactorKind = pick(['push', 'sms', 'google_totp', 'question'] as const, hash32(seed, S.pickFactor, b, j, 1));
      const gone = oktaId(ctx, factorIdPrefix(kindGone), 'deleted', b, j);
      return [spec('user.mfa.factor.deactivate', { ...base, factor: { id: gone, kind: kindGone }, requestUri: `/api/v1/users/${uid}/factors/${gone}` })];
    }
    case 'factor_update': {
      const f = firstActive(c, 'sms', 'call');
      if (f === undefined) return signin();
      return [spec('user.mfa.factor.update', { ...browserBase, factor: ref(f), requestUri: '/enduser/settings' })];
    }
    case 'device_trust': {
      // Only Classic Device Trust writes these (Identity Engine limitations guide). The request
      // paths are this simulator's guess: Okta does not document them.
      if (ctx.pipeline !== 'v1') return signin();
      return chance(0.2, hash32(seed, S.via, b, j, 'dt'))
        ? [spec('user.credential.enroll', { ...browserBase, requestUri: '/api/v1/users/me/devicetrust/enroll' })]
        : [spec('user.authentication.authenticate', { ...browserBase, requestUri: '/sso/devicetrust/verify', auth: password })];
    }
    case 'api_session_cookie': {
      // POST /api/v1/sessions?additionalFields=cookieToken: the query shows in debugData.url only.
      const base = apiBase('sessions_cookie', false);
      if (base === undefined) return signin();
      return [spec('user.session.start', { ...base, requestUri: '/api/v1/sessions', url: '/api/v1/sessions?additionalFields=cookieToken', auth: password })];
    }
    case 'session_me':
      // A custom app signing its user out through the deprecated /api/v1/sessions/me.
      return [spec('user.session.end', { ...browserBase, requestUri: '/api/v1/sessions/me' })];
    case 'org_factor_lifecycle': {
      const base = apiBase('org_factors', true);
      if (base === undefined) return signin();
      return [spec('system.mfa.factor.deactivate', {
        ...base, requestUri: '/api/v1/org/factors/okta_sms/lifecycle/deactivate',
        orgTarget: { id: 'okta_sms', type: 'Factor', alternateId: 'okta_sms', displayName: 'SMS Authentication', detailEntry: null },
      })];
    }
    case 'reset_all': {
      const viaApi = chance(0.5, hash32(seed, S.via, b, j, 'reset'));
      const base = viaApi ? apiBase('factors_admin', true) : undefined;
      const admin = env.admin;
      const who = base ?? (admin === undefined ? undefined : { actor: admin, subject: c.core, client: browserClient(ctx, admin), session: session(ctx.pipeline === 'idx' ? 'idx' : '102') });
      if (who === undefined) return signin();
      return [spec('user.mfa.factor.reset_all', { ...who, requestUri: `/api/v1/users/${uid}/lifecycle/reset_factors` })];
    }
  }
}

/**
 * Events in ascending `published` order, ties by uuid. With `sinceMs`, starts at the first block
 * that can hold an event at or after it (events before it are skipped), so a time-bounded query
 * costs only what it returns.
 */
export function* generatedLogs(ctx: GenContext, env: LogEnv, sinceMs?: number): Generator<LogEvent> {
  const total = logEventCount(ctx);
  if (total === 0) return;
  const startMs = ctx.nowMs - WINDOW_MS;
  const step = WINDOW_MS / total;
  let firstBlock = 0;
  if (sinceMs !== undefined) firstBlock = max(0, floor(floor((sinceMs - startMs) / step) / BLOCK) - 1);
  let group: LogEvent[] = [];
  const byUuid = (a: LogEvent, b: LogEvent): number => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0);
  for (let b = firstBlock; b * BLOCK < total; b++) {
    const specs = blockSpecs(ctx, env, b);
    for (let p = 0; p < BLOCK; p++) {
      const k = b * BLOCK + p;
      const s = specs[p];
      if (s === undefined) continue;
      const offset = min(WINDOW_MS - 1, floor((k + unit(hash32(ctx.seed, S.jitter, k))) * step));
      const publishedMs = startMs + offset;
      if (sinceMs !== undefined && publishedMs < sinceMs) continue;
      const ev = render(ctx, s, k, publishedMs);
      if (group.length > 0 && group[0]?.published !== ev.published) {
        yield* group.sort(byUuid);
        group = [];
      }
      group.push(ev);
    }
  }
  yield* group.sort(byUuid);
}
