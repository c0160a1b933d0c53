/** Org-level resources: engine metadata, authenticators, policies and rules, event hooks, API tokens. */
import type { Handler } from './http_types.js';
import { errors } from './okta_errors.js';
import { pageLinks } from './paging.js';

export const wellKnownOrg: Handler = (ctx) => ({
  status: 200,
  body: { id: ctx.source.org.id, pipeline: ctx.source.org.pipeline, _links: { organization: { href: ctx.baseUrl } } },
});

/** The Authenticators API is Identity Engine only (best-sourced guess for Classic: the spec's feature-not-enabled 401). */
export const listAuthenticators: Handler = (ctx) =>
  ctx.source.org.pipeline === 'v1' ? errors.featureNotEnabled() : { status: 200, body: ctx.source.authenticators() };

const POLICY_TYPES = ['OKTA_SIGN_ON', 'PASSWORD', 'MFA_ENROLL', 'IDP_DISCOVERY', 'ACCESS_POLICY', 'PROFILE_ENROLLMENT',
  'POST_AUTH_SESSION', 'ENTITY_RISK', 'DEVICE_SIGNAL_COLLECTION', 'OAUTH_AUTHORIZATION_POLICY'];
const OIE_ONLY_POLICY_TYPES = ['ACCESS_POLICY', 'PROFILE_ENROLLMENT', 'POST_AUTH_SESSION', 'ENTITY_RISK', 'DEVICE_SIGNAL_COLLECTION'];

/** `type` is required; `limit`/`after` page through the policies of that type in id order. */
export const listPolicies: Handler = (ctx) => {
  const type = ctx.url.searchParams.get('type');
  if (!type) return errors.validation('type: The field cannot be left blank');
  if (!POLICY_TYPES.includes(type)) return errors.validation(`type: '${type.slice(0, 64)}' is not a valid policy type`);
  if (ctx.source.org.pipeline === 'v1' && OIE_ONLY_POLICY_TYPES.includes(type)) return errors.featureNotEnabled();
  const all = ctx.source.policies().filter((p) => p.type === type).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const after = ctx.url.searchParams.get('after');
  const start = after ? all.findIndex((p) => p.id === after) + 1 : 0;
  const limitParam = ctx.url.searchParams.get('limit');
  const limit = limitParam === null ? all.length : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 0) return errors.validation('limit: must be a positive integer');
  const page = all.slice(start, start + Math.max(limit, 1));
  const last = page[page.length - 1];
  const more = start + page.length < all.length && last !== undefined;
  return { status: 200, body: page, links: pageLinks(ctx.baseUrl, ctx.url, more ? { after: String(last.id) } : null) };
};

export const listPolicyRules: Handler = (ctx) => {
  const policyId = ctx.params[0]!;
  const rules = ctx.source.policyRules(policyId);
  return rules ? { status: 200, body: rules } : errors.notFound(`${policyId} (Policy)`);
};

export const listEventHooks: Handler = (ctx) => ({ status: 200, body: ctx.source.eventHooks() });
export const listApiTokens: Handler = (ctx) => ({ status: 200, body: ctx.source.apiTokens() });
