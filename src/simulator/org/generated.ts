/**
 * The generated org: a deterministic Okta org of any size, derived on demand from (users, seed,
 * pipeline, baseUrl, now). Nothing per user is stored, so a 1,000,000-user org costs no memory up
 * front; the mix it follows is documented in docs/simulator-org.md.
 */
import type { JsonObject, LogEvent, OktaUser, OrgMetadata, OrgSource, Pipeline } from './types.js';
import { type GenContext, DAY, oktaId } from './generated_context.js';
import { type UserCore, decodeUserId, loginIndex, renderUser, userCore, userId } from './generated_users.js';
import { planMfa, renderFactor, visibleFactors } from './generated_factors.js';
import { renderEnrollments } from './generated_enrollments.js';
import { type ApiToken, buildApiTokens, buildAuthenticators, buildEventHooks, buildPolicies, findUserWithStatus } from './generated_org_config.js';
import { type LogEnv, generatedLogs } from './generated_logs.js';
import { buildApps, buildBrands, buildDomains, buildInlineHooks, buildSignInPage, buildTrustedOrigins } from './generated_integrations.js';

export interface GeneratedOrgOptions {
  users: number;
  seed: number;
  pipeline: Pipeline;
  baseUrl: string;
  /** Defaults to the current time floored to the UTC day, so runs on the same day agree. */
  now?: Date;
}

export function createGeneratedOrg(opts: GeneratedOrgOptions): OrgSource {
  const { users, seed, pipeline, baseUrl } = opts;
  if (!Number.isSafeInteger(users) || users < 0) throw new RangeError(`users must be a non-negative integer, got ${String(users)}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`);
  if (pipeline !== 'idx' && pipeline !== 'v1') throw new RangeError(`pipeline must be "idx" or "v1", got ${String(pipeline)}`);
  const nowMs = opts.now === undefined ? Math.floor(Date.now() / DAY) * DAY : opts.now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid date');
  return new GeneratedOrg({ users, seed, pipeline, baseUrl: baseUrl.replace(/\/+$/, ''), nowMs });
}

class GeneratedOrg implements OrgSource {
  readonly org: OrgMetadata;
  readonly userCount: number;
  private env: (LogEnv & { tokens: ApiToken[] }) | undefined;

  constructor(private readonly ctx: GenContext) {
    this.org = { id: oktaId(ctx, '00o', 'org'), pipeline: ctx.pipeline };
    this.userCount = ctx.users;
  }

  *users(afterId?: string): Generator<OktaUser> {
    for (let i = afterId === undefined ? 0 : this.firstIndexAfter(afterId); i < this.ctx.users; i++) {
      yield renderUser(this.ctx, userCore(this.ctx, i));
    }
  }

  /** Smallest index whose id sorts after `afterId` (ids sort in index order, so a binary search). */
  private firstIndexAfter(afterId: string): number {
    const exact = decodeUserId(this.ctx, afterId);
    if (exact !== undefined) return exact + 1;
    let lo = 0;
    let hi = this.ctx.users;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (userId(this.ctx, mid) > afterId) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private core(idOrLogin: string): UserCore | undefined {
    const byId = decodeUserId(this.ctx, idOrLogin);
    if (byId !== undefined) return userCore(this.ctx, byId);
    const i = loginIndex(idOrLogin);
    if (i === undefined || i >= this.ctx.users) return undefined;
    const core = userCore(this.ctx, i);
    // Okta matches logins case-insensitively.
    return core.login.toLowerCase() === idOrLogin.toLowerCase() ? core : undefined;
  }

  user(idOrLogin: string): OktaUser | undefined {
    const core = this.core(idOrLogin);
    return core === undefined ? undefined : renderUser(this.ctx, core);
  }

  factors(userId: string): JsonObject[] | undefined {
    const core = this.core(userId);
    if (core === undefined) return undefined;
    return visibleFactors(this.ctx, planMfa(this.ctx, core)).map((f) => renderFactor(this.ctx, core, f));
  }

  /** idx: one enrollment per authenticator (per device for Okta Verify). v1: [] (a Classic org has none). */
  authenticatorEnrollments(userId: string): JsonObject[] | undefined {
    const core = this.core(userId);
    if (core === undefined) return undefined;
    if (this.ctx.pipeline === 'v1') return [];
    return renderEnrollments(this.ctx, core, planMfa(this.ctx, core));
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
  logs(fromMs?: number): Iterable<LogEvent> {
    return generatedLogs(this.ctx, this.logEnv(), fromMs !== undefined && Number.isFinite(fromMs) ? fromMs : undefined);
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
