/**
 * The generated org: a deterministic Okta org of any size, derived on demand from (users, seed,
 * pipeline, baseUrl, now). Nothing per user is stored, so a 1,000,000-user org costs no memory up
 * front; the mix it follows is documented in docs/simulator-org.md. On a later `day` it is the same
 * org after that many days of changes (generated_history.ts), which are held; `upgraded` serves a
 * Classic org as its upgrade to Identity Engine left it.
 */
import type { JsonObject, LogEvent, OktaUser, OrgMetadata, OrgSource, Pipeline } from './types.js';
import { type GenContext, DAY, oktaId, servedPipeline } from './generated_context.js';
import { decodeUserId, loginIndex, renderUser, userCore, userId } from './generated_users.js';
import { renderFactor, visibleFactors } from './generated_factors.js';
import { type History, type UserState, buildHistory, initialState } from './generated_history.js';
import { renderEnrollments } from './generated_enrollments.js';
import { type ApiToken, buildApiTokens, buildAuthenticators, buildEventHooks, buildPolicies, findUserWithStatus } from './generated_org_config.js';
import { type LogEnv, generatedLogs } from './generated_logs.js';
import { buildApps, buildBrands, buildDomains, buildInlineHooks, buildSignInPage, buildTrustedOrigins } from './generated_integrations.js';

export interface GeneratedOrgOptions {
  users: number;
  seed: number;
  pipeline: Pipeline;
  baseUrl: string;
  /** Day 0: defaults to the current time floored to the UTC day, so runs on the same day agree. */
  now?: Date;
  /** Days of changes after day 0 (0: the org as generated). */
  day?: number;
  /** Serve a Classic org (pipeline v1) after its upgrade to Identity Engine. */
  upgraded?: boolean;
}

export function createGeneratedOrg(opts: GeneratedOrgOptions): OrgSource {
  const { users, seed, pipeline, baseUrl } = opts;
  if (!Number.isSafeInteger(users) || users < 0) throw new RangeError(`users must be a non-negative integer, got ${String(users)}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`);
  if (pipeline !== 'idx' && pipeline !== 'v1') throw new RangeError(`pipeline must be "idx" or "v1", got ${String(pipeline)}`);
  const nowMs = opts.now === undefined ? Math.floor(Date.now() / DAY) * DAY : opts.now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid date');
  const day = opts.day ?? 0;
  if (!Number.isSafeInteger(day) || day < 0) throw new RangeError(`day must be a non-negative integer, got ${String(day)}`);
  if (opts.upgraded === true && pipeline !== 'v1') throw new RangeError('only a Classic (v1) org can be served upgraded');
  return new GeneratedOrg({ users, seed, pipeline, baseUrl: baseUrl.replace(/\/+$/, ''), nowMs, upgraded: opts.upgraded === true }, day);
}

class GeneratedOrg implements OrgSource {
  readonly org: OrgMetadata;
  private env: (LogEnv & { tokens: ApiToken[] }) | undefined;
  private past: History | undefined;

  constructor(private readonly ctx: GenContext, private readonly day: number) {
    this.org = { id: oktaId(ctx, '00o', 'org'), pipeline: servedPipeline(ctx) };
  }

  /** Users of every status, those deleted since day 0 excepted. */
  get userCount(): number {
    if (this.day === 0) return this.ctx.users;
    const h = this.history();
    let deleted = 0;
    for (const s of h.changed.values()) if (s.deleted) deleted += 1;
    return this.ctx.users + h.created - deleted;
  }

  /** Day 0's users plus those created since: ids encode the index, so they list in index order. */
  private get indexes(): number {
    return this.ctx.users + (this.day === 0 ? 0 : this.history().created);
  }

  private history(): History {
    this.past ??= buildHistory(this.ctx, this.logEnv(), this.day);
    return this.past;
  }

  /** The user's state now; undefined if it does not exist (never did, or was deleted). */
  private state(i: number): UserState | undefined {
    const changed = this.day === 0 ? undefined : this.history().changed.get(i);
    if (changed !== undefined) return changed.deleted ? undefined : changed;
    return initialState(this.ctx, userCore(this.ctx, i));
  }

  *users(afterId?: string): Generator<OktaUser> {
    const end = this.indexes;
    for (let i = afterId === undefined ? 0 : this.firstIndexAfter(afterId); i < end; i++) {
      const changed = this.day === 0 ? undefined : this.history().changed.get(i);
      if (changed?.deleted) continue;
      yield changed === undefined ? renderUser(this.ctx, userCore(this.ctx, i)) : this.render(changed);
    }
  }

  private render(s: UserState): OktaUser {
    const u = renderUser(this.ctx, s.core);
    if (s.profile !== undefined) u.profile = { ...u.profile, ...s.profile };
    return u;
  }

  /** Smallest index whose id sorts after `afterId` (ids sort in index order, so a binary search). */
  private firstIndexAfter(afterId: string): number {
    const end = this.indexes;
    const exact = decodeUserId(this.ctx, afterId, end);
    if (exact !== undefined) return exact + 1;
    let lo = 0;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (userId(this.ctx, mid) > afterId) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private find(idOrLogin: string): UserState | undefined {
    const end = this.indexes;
    const byId = decodeUserId(this.ctx, idOrLogin, end);
    if (byId !== undefined) return this.state(byId);
    const i = loginIndex(idOrLogin);
    if (i === undefined || i >= end) return undefined;
    const s = this.state(i);
    // Okta matches logins case-insensitively.
    return s !== undefined && s.core.login.toLowerCase() === idOrLogin.toLowerCase() ? s : undefined;
  }

  user(idOrLogin: string): OktaUser | undefined {
    const s = this.find(idOrLogin);
    return s === undefined ? undefined : this.render(s);
  }

  factors(userId: string): JsonObject[] | undefined {
    const s = this.find(userId);
    if (s === undefined) return undefined;
    return visibleFactors(this.ctx, s.plan).map((f) => renderFactor(this.ctx, s.core, f));
  }

  /** idx: one enrollment per authenticator (per device for Okta Verify). v1: [] (a Classic org has none). */
  authenticatorEnrollments(userId: string): JsonObject[] | undefined {
    const s = this.find(userId);
    if (s === undefined) return undefined;
    if (servedPipeline(this.ctx) === 'v1') return [];
    return renderEnrollments(this.ctx, s.core, s.plan);
  }

  authenticators(): JsonObject[] {
    return buildAuthenticators(this.ctx);
  }

  policies(): JsonObject[] {
    return buildPolicies(this.ctx).policies;
  }

  policyRules(policyId: string): JsonObject[] | undefined {
    return buildPolicies(this.ctx).rules.get(policyId);
  }

  /** With `fromMs`, derivation starts at the first event published at or after it (no rescan). */
  *logs(fromMs?: number): Iterable<LogEvent> {
    const from = fromMs !== undefined && Number.isFinite(fromMs) ? fromMs : undefined;
    // Day 0's log ends before day 0's "now"; the changes' events all come after it.
    if (from === undefined || from < this.ctx.nowMs) yield* generatedLogs(this.ctx, this.logEnv(), from);
    if (this.day === 0) return;
    for (const e of this.history().events) if (from === undefined || Date.parse(e.published) >= from) yield e;
  }

  eventHooks(): JsonObject[] {
    return buildEventHooks(this.ctx, this.logEnv().admin?.id ?? null);
  }

  apiTokens(): JsonObject[] {
    return this.logEnv().tokens.map((t) => structuredClone(t.json));
  }

  apps(): JsonObject[] {
    return buildApps(this.ctx);
  }

  brands(): JsonObject[] {
    return buildBrands(this.ctx);
  }

  signInPage(brandId: string): JsonObject | undefined {
    return buildSignInPage(this.ctx, brandId);
  }

  domains(): JsonObject[] {
    return buildDomains(this.ctx);
  }

  trustedOrigins(): JsonObject[] {
    return buildTrustedOrigins(this.ctx, this.logEnv().admin?.id ?? null);
  }

  inlineHooks(): JsonObject[] {
    return buildInlineHooks(this.ctx);
  }

  private logEnv(): LogEnv & { tokens: ApiToken[] } {
    if (this.env === undefined) {
      const adminIndex = findUserWithStatus(this.ctx, 'ACTIVE', 'admin');
      this.env = { tokens: buildApiTokens(this.ctx), admin: adminIndex === undefined ? undefined : userCore(this.ctx, adminIndex) };
    }
    return this.env;
  }
}
