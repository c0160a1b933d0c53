/** `/api/v1/users` and the per-user resources the audit reads. */
import type { Handler, HandlerContext, HandlerResult } from './http_types.js';
import type { JsonObject, OktaUser } from './org/types.js';
import { errors } from './okta_errors.js';
import { filterIterable, pageLinks, takePage } from './paging.js';
import { parseUsersQuery } from './query/users_query.js';

export const listUsers: Handler = (ctx) => {
  const query = parseUsersQuery(ctx.url.searchParams);
  const after = ctx.url.searchParams.get('after') ?? undefined;
  const matching = filterIterable(ctx.source.users(after), (u) =>
    (u.status !== 'DEPROVISIONED' || query.includesDeprovisioned) && query.matches(u));
  const { page, more } = takePage(matching, query.limit);
  const last = page[page.length - 1];
  const next = more && query.paginated && last ? { after: last.id, limit: String(query.limit) } : null;
  return { status: 200, body: page, links: pageLinks(ctx.baseUrl, ctx.url, next) };
};

/** The single-user view carries lifecycle links that list responses omit. */
export const getUser: Handler = (ctx) => {
  const user = findUser(ctx, decodeURIComponent(ctx.params[0]!));
  if (!isUser(user)) return user;
  const self = `${ctx.baseUrl}/api/v1/users/${user.id}`;
  const post = (path: string) => ({ href: `${self}${path}`, method: 'POST' });
  const links = {
    ...(user._links as JsonObject | undefined),
    suspend: post('/lifecycle/suspend'),
    resetPassword: post('/lifecycle/reset_password'),
    expirePassword: post('/lifecycle/expire_password'),
    resetFactors: post('/lifecycle/reset_factors'),
    deactivate: post('/lifecycle/deactivate'),
    changePassword: post('/credentials/change_password'),
    changeRecoveryQuestion: post('/credentials/change_recovery_question'),
    schema: { href: `${ctx.baseUrl}/api/v1/meta/schemas/user/default` },
  };
  return { status: 200, body: { ...user, _links: links } };
};

export const listFactors: Handler = (ctx) => withUser(ctx, (user) => {
  return { status: 200, body: ctx.source.factors(user.id) ?? [] };
});

export const getFactor: Handler = (ctx) => withUser(ctx, (user) => {
  const factorId = ctx.params[1]!;
  const factor = (ctx.source.factors(user.id) ?? []).find((f) => f.id === factorId);
  return factor ? { status: 200, body: factor } : errors.notFound(`${factorId} (UserFactor)`);
});

/** What the user could enrol: one row per factor type the org offers, ACTIVE when enrolled. */
export const factorCatalog: Handler = (ctx) => withUser(ctx, (user) => {
  const enrolled = new Set((ctx.source.factors(user.id) ?? []).map((f) => `${f.factorType}/${f.provider}`));
  const body = CATALOG.map(([factorType, provider]) => ({
    factorType,
    provider,
    vendorName: provider,
    status: enrolled.has(`${factorType}/${provider}`) ? 'ACTIVE' : 'NOT_SETUP',
    enrollment: 'OPTIONAL',
    _links: { enroll: { href: `${ctx.baseUrl}/api/v1/users/${user.id}/factors`, hints: { allow: ['POST'] } } },
  }));
  return { status: 200, body };
});

export const factorQuestions: Handler = (ctx) => withUser(ctx, () => ({ status: 200, body: QUESTIONS }));

/** Identity Engine only: a Classic org answers as for a feature it does not have. */
export const listAuthenticatorEnrollments: Handler = (ctx) => {
  if (ctx.source.org.pipeline === 'v1') return errors.featureNotEnabled();
  return withUser(ctx, (user) => ({ status: 200, body: ctx.source.authenticatorEnrollments(user.id) ?? [] }));
};

/**
 * Sub-resources of a DEPROVISIONED user answer 404 as Okta does for factors (okta-sdk-java#646);
 * users deleted mid-crawl answer 404 everywhere.
 */
function withUser(ctx: HandlerContext, fn: (user: OktaUser) => HandlerResult): HandlerResult {
  const user = findUser(ctx, decodeURIComponent(ctx.params[0]!));
  if (!isUser(user)) return user;
  if (user.status === 'DEPROVISIONED') return errors.notFound(`${user.id} (User)`);
  return fn(user);
}

function findUser(ctx: HandlerContext, idOrLogin: string): OktaUser | HandlerResult {
  const user = ctx.source.user(idOrLogin);
  if (!user || ctx.isDeleted(user.id)) return errors.notFound(`${idOrLogin} (User)`);
  return user;
}

function isUser(x: OktaUser | HandlerResult): x is OktaUser {
  return 'id' in x && typeof x.id === 'string';
}

const CATALOG: [string, string][] = [
  ['push', 'OKTA'], ['token:software:totp', 'OKTA'], ['token:software:totp', 'GOOGLE'], ['sms', 'OKTA'],
  ['call', 'OKTA'], ['email', 'OKTA'], ['question', 'OKTA'], ['webauthn', 'FIDO'], ['token:hardware', 'YUBICO'],
  ['token', 'RSA'], ['token', 'SYMANTEC'], ['web', 'DUO'],
];

const QUESTIONS = [
  ['disliked_food', 'What is the food you least liked as a child?'],
  ['name_of_first_plush_toy', 'What is the name of your first stuffed animal?'],
  ['first_award', 'What did you earn your first medal or award for?'],
  ['favorite_security_question', 'What is your favorite security question?'],
  ['favorite_toy', 'What is the toy/stuffed animal you liked the most as a kid?'],
  ['first_computer_game', 'What was the first computer game you played?'],
  ['favorite_movie_quote', 'What is your favorite movie quote?'],
  ['first_sports_team_mascot', 'What was the mascot of the first sports team you played on?'],
].map(([question, questionText]) => ({ question, questionText }));
