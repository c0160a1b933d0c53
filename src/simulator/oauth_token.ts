/**
 * The org authorization server's `POST /oauth2/v1/token` for OAuth service apps: client credentials
 * with a private_key_jwt assertion, optionally DPoP-bound, as okta-sdk-nodejs 8.1.0 requests it.
 * Error bodies use the OAuth shape `{error, error_description}`; descriptions never quote secrets.
 */
import { createPublicKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { DpopError, DPOP_MAX_AGE_S, ExpiringSet, verifyDpopProof } from './dpop.js';

export interface OAuthClientConfig {
  clientId: string;
  /** The client's registered public key: PEM (SPKI) or a public JWK. */
  publicKey: string | JsonWebKey;
  /** The app's Okta API scope grants. */
  grantedScopes: string[];
  /** "Require DPoP header in token requests"; default true, as Okta sets for new API service apps. */
  requireDpop?: boolean;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface TokenHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface IssuedToken {
  clientId: string;
  scopes: ReadonlySet<string>;
  expiresAtMs: number;
  /** JWK thumbprint of the DPoP key the token is bound to; absent for a Bearer token. */
  jkt?: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Okta's service-app guide lists these for the client assertion. */
const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];
/** The guide: exp "must be a maximum of only an hour in the future". */
const ASSERTION_MAX_LIFETIME_S = 3600;
/** The guide: "The lifetime for this token is fixed at one hour". */
export const ACCESS_TOKEN_LIFETIME_S = 3600;
/** Okta rotates nonces daily; a short life here makes a stale nonce easy to exercise. */
const NONCE_LIFETIME_S = 300;

/** RFC 6749 §5.1: token responses must not be cached. */
const JSON_NO_STORE = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' };

class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

interface RegisteredClient {
  config: OAuthClientConfig;
  key: KeyObject;
  kid: string | undefined;
  granted: ReadonlySet<string>;
  requireDpop: boolean;
}

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    // A repeated header arrives as an array; RFC 9449 forbids more than one DPoP header.
    if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
    return value;
  }
  return undefined;
}

export class TokenEndpoint {
  private readonly clients = new Map<string, RegisteredClient>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly nonces: ExpiringSet;
  private readonly usedJtis: ExpiringSet;
  private nextTokenSweepMs = 0;

  constructor(
    clients: readonly OAuthClientConfig[],
    private readonly baseUrl: () => string,
    private readonly nowMs: () => number,
  ) {
    for (const config of clients) this.clients.set(config.clientId, registerClient(config));
    this.nonces = new ExpiringSet(nowMs);
    this.usedJtis = new ExpiringSet(nowMs);
  }

  tokenUrl(): string {
    return `${this.baseUrl().replace(/\/+$/, '')}/oauth2/v1/token`;
  }

  /** The token if it was issued here and has not expired. */
  lookup(accessToken: string): IssuedToken | undefined {
    const token = this.tokens.get(accessToken);
    return token && token.expiresAtMs > this.nowMs() ? token : undefined;
  }

  async handle(req: { headers: HeaderBag; body: string }): Promise<TokenHttpResponse> {
    try {
      const form = new URLSearchParams(req.body);
      const grantType = form.get('grant_type');
      if (!grantType) throw new OAuthError(400, 'invalid_request', "The token request must specify a 'grant_type'.");
      if (grantType !== 'client_credentials') {
        throw new OAuthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
      }
      const client = await this.authenticateClient(form);
      const scopes = this.grantScopes(client, form.get('scope'));
      const jkt = client.requireDpop ? await this.checkDpop(headerValue(req.headers, 'dpop')) : undefined;
      return this.issue(client.config.clientId, scopes, jkt);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return {
        status: err.status,
        headers: { ...JSON_NO_STORE, ...err.headers },
        body: { error: err.error, error_description: err.description },
      };
    }
  }

  private async authenticateClient(form: URLSearchParams): Promise<RegisteredClient> {
    const assertion = form.get('client_assertion');
    if (!assertion) {
      throw form.get('client_id')
        ? invalidClient('Client authentication failed. Either the client or the client credentials are invalid.')
        : invalidClient('A client_id must be provided in the request.');
    }
    if (form.get('client_assertion_type') !== JWT_BEARER) throw invalidClient('The client_assertion_type is invalid.');
    let unverified: JWTPayload;
    let kid: string | undefined;
    try {
      unverified = decodeJwt(assertion);
      kid = decodeProtectedHeader(assertion).kid;
    } catch {
      throw invalidClient('The parsing of the client_assertion failed.');
    }
    const clientId = form.get('client_id') ?? unverified.iss;
    const client = typeof clientId === 'string' ? this.clients.get(clientId) : undefined;
    if (!client) throw invalidClient("Invalid value for 'client_id' parameter.");
    if (client.kid !== undefined && kid !== undefined && kid !== client.kid) {
      throw invalidClient('The client_assertion JWT kid is invalid.');
    }

    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(assertion, client.key, {
        algorithms: ASSERTION_ALGORITHMS,
        requiredClaims: ['exp'],
        currentDate: new Date(this.nowMs()),
      }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw invalidClient('The client_assertion token is expired.');
      if (err instanceof errors.JWTClaimValidationFailed) {
        throw invalidClient(`The client_assertion token has a missing or invalid '${err.claim}' claim.`);
      }
      throw invalidClient('The client_assertion signature is invalid.');
    }

    const aud = claims.aud;
    const tokenUrl = this.tokenUrl();
    if (!(aud === tokenUrl || (Array.isArray(aud) && aud.includes(tokenUrl)))) {
      throw invalidClient('The audience claim for client_assertion must be the endpoint invoked for the request.');
    }
    const exp = claims.exp as number;
    if (exp > this.nowMs() / 1000 + ASSERTION_MAX_LIFETIME_S) {
      throw invalidClient('The client_assertion token has an expiration too far in the future.');
    }
    if (claims.iss !== client.config.clientId || claims.sub !== client.config.clientId) {
      throw invalidClient("The client_assertion token's 'iss' and 'sub' claims must both be the client_id.");
    }
    // Okta's guide calls jti optional; when present it must be single-use.
    if (claims.jti !== undefined && !this.usedJtis.add(`assertion ${client.config.clientId} ${claims.jti}`, exp * 1000)) {
      throw invalidClient('The client_assertion token has already been used.');
    }
    return client;
  }

  private grantScopes(client: RegisteredClient, scopeParam: string | null): string[] {
    const requested = [...new Set((scopeParam ?? '').split(' ').filter(Boolean))];
    if (requested.length === 0) {
      throw new OAuthError(400, 'invalid_scope',
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided.");
    }
    if (requested.some((scope) => !client.granted.has(scope))) {
      throw new OAuthError(400, 'invalid_scope', 'The requested scope is invalid, unknown, or malformed.');
    }
    return requested;
  }

  /** Verifies the token request's proof and returns the key thumbprint to bind the token to. */
  private async checkDpop(proof: string | undefined): Promise<string> {
    if (!proof) throw new OAuthError(400, 'invalid_dpop_proof', 'The DPoP proof JWT header is missing.');
    const now = this.nowMs();
    let verified;
    try {
      verified = await verifyDpopProof(proof, { method: 'POST', url: this.tokenUrl(), nowMs: now });
    } catch (err) {
      if (err instanceof DpopError) throw new OAuthError(400, 'invalid_dpop_proof', err.message);
      throw err;
    }
    if (verified.nonce === undefined || !this.nonces.has(`nonce ${verified.nonce}`)) {
      const nonce = randomBytes(24).toString('base64url');
      this.nonces.add(`nonce ${nonce}`, now + NONCE_LIFETIME_S * 1000);
      throw new OAuthError(400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof.', {
        'DPoP-Nonce': nonce,
      });
    }
    if (!this.usedJtis.add(`proof ${verified.jkt} ${verified.jti}`, (verified.iat + DPOP_MAX_AGE_S + 60) * 1000)) {
      throw new OAuthError(400, 'invalid_dpop_proof', 'The DPoP proof JWT has already been used.');
    }
    return verified.jkt;
  }

  private issue(clientId: string, scopes: string[], jkt: string | undefined): TokenHttpResponse {
    const now = this.nowMs();
    if (now >= this.nextTokenSweepMs) {
      for (const [at, token] of this.tokens) if (token.expiresAtMs <= now) this.tokens.delete(at);
      this.nextTokenSweepMs = now + 60_000;
    }
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, {
      clientId,
      scopes: new Set(scopes),
      expiresAtMs: now + ACCESS_TOKEN_LIFETIME_S * 1000,
      ...(jkt === undefined ? {} : { jkt }),
    });
    return {
      status: 200,
      headers: { ...JSON_NO_STORE },
      body: {
        token_type: jkt === undefined ? 'Bearer' : 'DPoP',
        expires_in: ACCESS_TOKEN_LIFETIME_S,
        access_token: accessToken,
        scope: scopes.join(' '),
      },
    };
  }
}

function invalidClient(description: string): OAuthError {
  return new OAuthError(401, 'invalid_client', description);
}

function registerClient(config: OAuthClientConfig): RegisteredClient {
  let key: KeyObject;
  try {
    key = typeof config.publicKey === 'string'
      ? createPublicKey(config.publicKey)
      : createPublicKey({ key: config.publicKey, format: 'jwk' });
  } catch {
    // The key itself stays out of the message.
    throw new Error(`OAuth client ${config.clientId}: publicKey is not a valid PEM (SPKI) or JWK public key`);
  }
  const kid = typeof config.publicKey === 'object' && typeof config.publicKey.kid === 'string'
    ? config.publicKey.kid
    : undefined;
  return {
    config,
    key,
    kid,
    granted: new Set(config.grantedScopes),
    requireDpop: config.requireDpop ?? true,
  };
}
