/**
 * The org's integration surface: apps, brands and their sign-in pages, custom domains, trusted
 * origins and inline hooks.
 *
 * Okta's rules followed here (management spec; "Switch an app to the Identity Engine pipeline"):
 * - `/api/v1/apps`, `/api/v1/brands`, `/api/v1/trustedOrigins` page with `limit` (default 20, at
 *   most 200) and an opaque `after` cursor (here: the last id), in id order.
 * - `/api/v1/apps?filter=` takes `eq` on `id`, `status`, `name` and, once the org runs Identity
 *   Engine, `authenticationPipeline` (the guide's `authenticationPipeline eq "CLASSIC"`); the key
 *   does not exist on a Classic Engine org, so filtering on it there is a bad filter. Other
 *   attributes or operators answer 400 E0000031, the users API's code for an unsupported filter
 *   (UNVERIFIED for apps).
 * - `/pages/sign-in/customized` answers 404 E0000007 for a brand whose page is not customized (the
 *   spec lists 404; the exact body is UNVERIFIED), as for an unknown brand.
 * - `/api/v1/domains` answers `{"domains": [...]}`, unpaged; `/api/v1/inlineHooks` a plain,
 *   unpaged list, optionally of one `type`.
 */
import type { Handler, HandlerContext, HandlerResult } from './http_types.js';
import type { JsonObject } from './org/types.js';
import { errors } from './okta_errors.js';
import { pageLinks } from './paging.js';
import { ExpressionError, QueryError, comparisons, evaluate, parseExpression } from './query/expression.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 200;

/** One page of `items` in id order, after `after`, with Okta's Link headers. */
function idPage(ctx: HandlerContext, items: readonly JsonObject[]): HandlerResult {
  const limitParam = ctx.url.searchParams.get('limit');
  const limit = limitParam === null ? DEFAULT_LIMIT : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1) return errors.validation('limit: must be an integer between 1 and 200');
  const sorted = [...items].sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
  const after = ctx.url.searchParams.get('after');
  const start = after === null ? 0 : sorted.findIndex((x) => String(x['id']) > after);
  const from = start < 0 ? sorted.length : start;
  const page = sorted.slice(from, from + Math.min(limit, MAX_LIMIT));
  const last = page[page.length - 1];
  const more = from + page.length < sorted.length && last !== undefined;
  return { status: 200, body: page, links: pageLinks(ctx.baseUrl, ctx.url, more ? { after: String(last['id']) } : null) };
}

/** Case-insensitive prefix of any of `fields` (the `q` parameter). */
function qMatch(ctx: HandlerContext, items: JsonObject[], fields: readonly string[]): JsonObject[] {
  const q = ctx.url.searchParams.get('q')?.toLowerCase();
  if (q === undefined || q === '') return items;
  return items.filter((x) => fields.some((f) => typeof x[f] === 'string' && (x[f] as string).toLowerCase().startsWith(q)));
}

const APP_FILTER_FIELDS = ['id', 'status', 'name'];

function invalidFilter(cause: string): QueryError {
  return new QueryError('E0000031', 'Invalid search criteria.', [cause]);
}

export const listApps: Handler = (ctx) => {
  let apps = qMatch(ctx, ctx.source.apps(), ['name', 'label']);
  const filter = ctx.url.searchParams.get('filter');
  if (filter !== null) {
    const fields = ctx.source.org.pipeline === 'idx' ? [...APP_FILTER_FIELDS, 'authenticationPipeline'] : APP_FILTER_FIELDS;
    try {
      const expr = parseExpression(filter);
      for (const c of comparisons(expr)) {
        if (!fields.includes(c.path)) throw invalidFilter(`${c.path} is not a filterable attribute of apps`);
        if (c.kind !== 'compare' || c.op !== 'eq') throw invalidFilter('apps filters support only eq');
      }
      apps = apps.filter((a) => evaluate(expr, a));
    } catch (e) {
      if (e instanceof QueryError) return e.toOktaError();
      if (e instanceof ExpressionError) return invalidFilter(e.message).toOktaError();
      throw e;
    }
  }
  return idPage(ctx, apps);
};

export const listBrands: Handler = (ctx) => idPage(ctx, qMatch(ctx, ctx.source.brands(), ['name']));

export const getCustomizedSignInPage: Handler = (ctx) => {
  const brandId = ctx.params[0]!;
  if (!ctx.source.brands().some((b) => b['id'] === brandId)) return errors.notFound(`${brandId} (Brand)`);
  const page = ctx.source.signInPage(brandId);
  return page === undefined ? errors.notFound(`customized sign-in page of ${brandId} (SignInPage)`) : { status: 200, body: page };
};

export const listDomains: Handler = (ctx) => ({ status: 200, body: { domains: ctx.source.domains() } });

export const listTrustedOrigins: Handler = (ctx) => idPage(ctx, qMatch(ctx, ctx.source.trustedOrigins(), ['name', 'origin']));

export const listInlineHooks: Handler = (ctx) => {
  const type = ctx.url.searchParams.get('type');
  const hooks = ctx.source.inlineHooks();
  return { status: 200, body: type === null ? hooks : hooks.filter((h) => h['type'] === type) };
};
