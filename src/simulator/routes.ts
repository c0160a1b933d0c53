/**
 * Every GET endpoint the simulator serves: the read scope Okta requires for it (from the spec's
 * `security` entries), the rate-limit bucket it counts against, and its handler.
 */
import type { Handler } from './http_types.js';
import {
  factorCatalog, factorQuestions, getFactor, getUser, listAuthenticatorEnrollments, listFactors, listUsers,
} from './endpoints_users.js';
import {
  listApiTokens, listAuthenticators, listEventHooks, listPolicies, listPolicyRules, wellKnownOrg,
} from './endpoints_org.js';
import { listLogs } from './endpoints_logs.js';
import { getCustomizedSignInPage, listApps, listBrands, listDomains, listInlineHooks, listTrustedOrigins } from './endpoints_integrations.js';

export interface Route {
  pattern: RegExp;
  /** Read scope required; `null` for endpoints that need no authentication. */
  scope: string | null;
  bucket: string;
  handler: Handler;
}

const ID = '([^/]+)';
export const ROUTES: readonly Route[] = [
  { pattern: /^\/\.well-known\/okta-organization$/, scope: null, bucket: 'well_known', handler: wellKnownOrg },
  { pattern: /^\/api\/v1\/users$/, scope: 'okta.users.read', bucket: 'users_list', handler: listUsers },
  { pattern: new RegExp(`^/api/v1/users/${ID}$`), scope: 'okta.users.read', bucket: 'user_get', handler: getUser },
  { pattern: new RegExp(`^/api/v1/users/${ID}/factors$`), scope: 'okta.users.read', bucket: 'user_factors', handler: listFactors },
  { pattern: new RegExp(`^/api/v1/users/${ID}/factors/catalog$`), scope: 'okta.users.read', bucket: 'user_factors', handler: factorCatalog },
  { pattern: new RegExp(`^/api/v1/users/${ID}/factors/questions$`), scope: 'okta.users.read', bucket: 'user_factors', handler: factorQuestions },
  { pattern: new RegExp(`^/api/v1/users/${ID}/factors/${ID}$`), scope: 'okta.users.read', bucket: 'user_factors', handler: getFactor },
  { pattern: new RegExp(`^/api/v1/users/${ID}/authenticator-enrollments$`), scope: 'okta.users.read', bucket: 'authenticator_enrollments', handler: listAuthenticatorEnrollments },
  { pattern: /^\/api\/v1\/authenticators$/, scope: 'okta.authenticators.read', bucket: 'authenticators', handler: listAuthenticators },
  { pattern: /^\/api\/v1\/policies$/, scope: 'okta.policies.read', bucket: 'policies', handler: listPolicies },
  { pattern: new RegExp(`^/api/v1/policies/${ID}/rules$`), scope: 'okta.policies.read', bucket: 'policies', handler: listPolicyRules },
  { pattern: /^\/api\/v1\/logs$/, scope: 'okta.logs.read', bucket: 'logs', handler: listLogs },
  { pattern: /^\/api\/v1\/eventHooks$/, scope: 'okta.eventHooks.read', bucket: 'event_hooks', handler: listEventHooks },
  { pattern: /^\/api\/v1\/api-tokens$/, scope: 'okta.apiTokens.read', bucket: 'api_tokens', handler: listApiTokens },
  { pattern: /^\/api\/v1\/apps$/, scope: 'okta.apps.read', bucket: 'apps', handler: listApps },
  { pattern: /^\/api\/v1\/brands$/, scope: 'okta.brands.read', bucket: 'brands', handler: listBrands },
  { pattern: new RegExp(`^/api/v1/brands/${ID}/pages/sign-in/customized$`), scope: 'okta.brands.read', bucket: 'brands', handler: getCustomizedSignInPage },
  { pattern: /^\/api\/v1\/domains$/, scope: 'okta.domains.read', bucket: 'domains', handler: listDomains },
  { pattern: /^\/api\/v1\/trustedOrigins$/, scope: 'okta.trustedOrigins.read', bucket: 'trusted_origins', handler: listTrustedOrigins },
  { pattern: /^\/api\/v1\/inlineHooks$/, scope: 'okta.inlineHooks.read', bucket: 'inline_hooks', handler: listInlineHooks },
];

export function matchRoute(path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}

/** Every read scope the simulator knows; granted to the API token by default. */
export const ALL_READ_SCOPES: readonly string[] = [...new Set(ROUTES.map((r) => r.scope).filter((s): s is string => s !== null))];
