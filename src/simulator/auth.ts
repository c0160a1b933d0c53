/**
 * Authentication for the simulated org: API tokens (`SSWS`), and OAuth service apps whose access
 * tokens come from `POST /oauth2/v1/token` and arrive as `Bearer` or DPoP-bound `DPoP` tokens.
 * The HTTP server routes the token endpoint to `handleTokenRequest`, calls `authenticate` on API
 * requests, and answers 403 E0000006 when `result.scopes` lacks `requiredScope(routeKey)`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DpopError, DPOP_MAX_AGE_S, ExpiringSet, verifyDpopProof } from './dpop.js';
import {
  headerValue,
  TokenEndpoint,
  type HeaderBag,
  type OAuthClientConfig,
  type TokenHttpResponse,
} from './oauth_token.js';

export type { HeaderBag, OAuthClientConfig, TokenHttpResponse } from './oauth_token.js';

/**
 * The scope an OAuth token needs per route, from each operation's `security` in Okta's management
 * OpenAPI spec. Keys are `GET ` + the spec's path template. `null`: the spec says `security: []`.
 */
export const READ_SCOPES = {
  'GET /api/v1/users': 'okta.users.read',
  'GET /api/v1/users/{userId}': 'okta.users.read',
  'GET /api/v1/users/{userId}/factors': 'okta.users.read',
  'GET /api/v1/users/{userId}/factors/catalog': 'okta.users.read',
  // The spec lists only apiToken here; its sibling factor reads use okta.users.read.
  'GET /api/v1/users/{userId}/factors/questions': 'okta.users.read',
  'GET /api/v1/users/{userId}/factors/{factorId}': 'okta.users.read',
  'GET /api/v1/users/{userId}/authenticator-enrollments': 'okta.users.read',
  'GET /api/v1/authenticators': 'okta.authenticators.read',
  'GET /api/v1/policies': 'okta.policies.read',
  'GET /api/v1/policies/{policyId}/rules': 'okta.policies.read',
  'GET /api/v1/logs': 'okta.logs.read',
  'GET /api/v1/eventHooks': 'okta.eventHooks.read',
  'GET /api/v1/api-tokens': 'okta.apiTokens.read',
  'GET /api/v1/apps': 'okta.apps.read',
  'GET /api/v1/brands': 'okta.brands.read',
  'GET /api/v1/brands/{brandId}/pages/sign-in/customized': 'okta.brands.read',
  'GET /api/v1/domains': 'okta.domains.read',
  'GET /api/v1/trustedOrigins': 'okta.trustedOrigins.read',
  'GET /api/v1/inlineHooks': 'okta.inlineHooks.read',
  'GET /.well-known/okta-organization': null,
} as const satisfies Record<string, string | null>;

export type ReadRouteKey = keyof typeof READ_SCOPES;

/** The scope `routeKey` needs; null when it needs no authentication, undefined when it is not a known read route. */
export function requiredScope(routeKey: string): string | null | undefined {
  return Object.hasOwn(READ_SCOPES, routeKey) ? READ_SCOPES[routeKey as ReadRouteKey] : undefined;
}

const ALL_READ_SCOPES: readonly string[] = [
  ...new Set(Object.values(READ_SCOPES).filter((scope): scope is NonNullable<typeof scope> => scope !== null)),
];

export type AuthResult =
  | {
      ok: true;
      scopes: ReadonlySet<string>;
      /** `api-token` for SSWS; otherwise the OAuth client id. */
      principal: string;
    }
  | {
      ok: false;
      status: 401;
      errorCode: 'E0000011';
      errorSummary: string;
      /** Why, for the simulator's own log; never contains a token, proof or key. */
      reason: string;
    };

export interface SimulatorAuthOptions {
  apiToken?: string;
  /** Default: every scope in READ_SCOPES (an API token carries its admin's permissions). */
  apiTokenScopes?: string[];
  clients: OAuthClientConfig[];
  /** The org URL as clients see it, e.g. `http://127.0.0.1:8080`. */
  baseUrl: () => string;
  /** Epoch milliseconds. */
  now?: () => number;
}

export class SimulatorAuth {
  private readonly tokenEndpoint: TokenEndpoint;
  private readonly apiTokenDigest: Buffer | undefined;
  private readonly apiTokenScopes: ReadonlySet<string>;
  private readonly usedProofJtis: ExpiringSet;
  private readonly nowMs: () => number;

  constructor(opts: SimulatorAuthOptions) {
    this.nowMs = opts.now ?? Date.now;
    this.tokenEndpoint = new TokenEndpoint(opts.clients, opts.baseUrl, this.nowMs);
    this.apiTokenDigest = opts.apiToken ? sha256(opts.apiToken) : undefined;
    this.apiTokenScopes = new Set(opts.apiTokenScopes ?? ALL_READ_SCOPES);
    this.usedProofJtis = new ExpiringSet(this.nowMs);
  }

  /** `POST /oauth2/v1/token`; `body` is the raw `application/x-www-form-urlencoded` text. */
  handleTokenRequest(req: { headers: HeaderBag; body: string }): Promise<TokenHttpResponse> {
    return this.tokenEndpoint.handle(req);
  }

  /**
   * Checks an API request's credentials. `url` must be absolute and exactly as the client sent it
   * (no `//` collapsing), because a DPoP proof signs it.
   */
  async authenticate(req: { method: string; url: string; headers: HeaderBag }): Promise<AuthResult> {
    const authorization = headerValue(req.headers, 'authorization');
    if (!authorization) return refuse('no Authorization header');
    const space = authorization.indexOf(' ');
    const scheme = space < 0 ? authorization : authorization.slice(0, space);
    const credential = space < 0 ? '' : authorization.slice(space + 1).trim();
    if (!credential) return refuse('Authorization header without credentials');

    switch (scheme.toLowerCase()) {
      case 'ssws':
        // Comparing digests keeps the comparison constant-time whatever the lengths.
        if (this.apiTokenDigest && timingSafeEqual(sha256(credential), this.apiTokenDigest)) {
          return { ok: true, scopes: this.apiTokenScopes, principal: 'api-token' };
        }
        return refuse('unknown API token');
      case 'bearer': {
        const token = this.tokenEndpoint.lookup(credential);
        if (!token) return refuse('unknown or expired access token');
        if (token.jkt !== undefined) return refuse('DPoP-bound access token sent as Bearer');
        return { ok: true, scopes: token.scopes, principal: token.clientId };
      }
      case 'dpop': {
        const token = this.tokenEndpoint.lookup(credential);
        if (!token) return refuse('unknown or expired access token');
        if (token.jkt === undefined) return refuse('Bearer access token sent with the DPoP scheme');
        const proof = headerValue(req.headers, 'dpop');
        if (!proof) return refuse('DPoP proof missing or repeated');
        let verified;
        try {
          verified = await verifyDpopProof(proof, {
            method: req.method,
            url: req.url,
            accessToken: credential,
            nowMs: this.nowMs(),
          });
        } catch (err) {
          if (err instanceof DpopError) return refuse(err.message);
          throw err;
        }
        if (verified.jkt !== token.jkt) return refuse('DPoP proof key is not the key the token is bound to');
        // Okta's DPoP guide: resource servers must not accept a proof's jti more than once.
        const expiresAt = (verified.iat + DPOP_MAX_AGE_S + 60) * 1000;
        if (!this.usedProofJtis.add(`${verified.jkt} ${verified.jti}`, expiresAt)) return refuse('DPoP proof replayed');
        return { ok: true, scopes: token.scopes, principal: token.clientId };
      }
      default:
        return refuse('unsupported Authorization scheme');
    }
  }
}

function refuse(reason: string): AuthResult {
  return { ok: false, status: 401, errorCode: 'E0000011', errorSummary: 'Invalid token provided', reason };
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
