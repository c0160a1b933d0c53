/**
 * DPoP (RFC 9449) proof verification for the simulated org: the token endpoint binds tokens to the
 * proof key, and the API checks each request's proof against that binding.
 */
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, errors, type JWTPayload } from 'jose';

/** Okta's authorization-server metadata advertises these for `dpop_signing_alg_values_supported`. */
export const DPOP_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

/**
 * How old a proof may be. Generous because the SDK's 429 retry resends the very same proof after
 * waiting for the rate-limit reset (up to about a minute).
 */
export const DPOP_MAX_AGE_S = 300;
const CLOCK_TOLERANCE_S = 10;

/** A refusal whose message is safe to return as an `error_description` (it never quotes the proof). */
export class DpopError extends Error {
  override name = 'DpopError';
}

export interface VerifiedProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's public key: what a token is bound to. */
  jkt: string;
  jti: string;
  iat: number;
  nonce?: string;
}

export interface ProofExpectation {
  method: string;
  /** Absolute URL of the request; query and fragment are ignored, as RFC 9449 §4.3 says. */
  url: string;
  /** For an API request: the access token the proof must hash into `ath`. */
  accessToken?: string;
  nowMs: number;
}

export async function verifyDpopProof(proof: string, expect: ProofExpectation): Promise<VerifiedProof> {
  let payload: JWTPayload;
  let jwk: unknown;
  try {
    const result = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: DPOP_ALGORITHMS,
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      maxTokenAge: DPOP_MAX_AGE_S,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: new Date(expect.nowMs),
    });
    payload = result.payload;
    jwk = result.protectedHeader.jwk;
  } catch (err) {
    throw new DpopError(describeJoseFailure(err));
  }
  const { htm, htu, jti, iat, nonce, ath } = payload as JWTPayload & Record<string, unknown>;
  if (typeof jti !== 'string' || jti === '' || typeof iat !== 'number') {
    throw new DpopError('The DPoP proof JWT must contain jti and iat claims.');
  }
  // Methods are case-sensitive (RFC 9110 §9.1), so a proof signed for "get" does not cover a GET.
  if (htm !== expect.method) throw new DpopError('The DPoP proof htm claim does not match the request method.');
  if (typeof htu !== 'string' || normalizeHtu(htu) !== normalizeHtu(expect.url)) {
    throw new DpopError('The DPoP proof htu claim does not match the request URL.');
  }
  if (expect.accessToken !== undefined && ath !== accessTokenHash(expect.accessToken)) {
    throw new DpopError('The DPoP proof ath claim does not match the access token.');
  }
  if (nonce !== undefined && typeof nonce !== 'string') throw new DpopError('The DPoP proof nonce claim is invalid.');
  const jkt = await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0], 'sha256');
  return { jkt, jti, iat, ...(nonce === undefined ? {} : { nonce }) };
}

/** base64url(SHA-256(access token)), the `ath` value RFC 9449 §4.2 defines. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'utf8').digest('base64url');
}

/**
 * Origin plus path: URL parsing lower-cases scheme and host and drops a default port. Repeated
 * slashes are collapsed too, because the SDK signs `//api/v1/...` when orgUrl ends in `/` and the
 * server may already have collapsed the path it hands us.
 */
function normalizeHtu(url: string): string | undefined {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname.replace(/\/{2,}/g, '/')}`;
  } catch {
    return undefined;
  }
}

function describeJoseFailure(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The DPoP proof JWT is too old.';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'typ') return "The DPoP proof JWT header 'typ' must be 'dpop+jwt'.";
    if (err.claim === 'iat') return 'The DPoP proof JWT iat claim is in the future.';
    return `The DPoP proof JWT is missing or has an invalid '${err.claim}' claim.`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The DPoP proof JWT algorithm is not supported.';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'The DPoP proof JWT signature is invalid.';
  return 'The DPoP proof JWT is malformed or its jwk header is not a public key.';
}

/**
 * Values remembered until they expire: issued nonces, and used `jti`s so a proof or assertion
 * cannot be replayed. Expired entries are swept at most every 30 s to keep memory flat.
 */
export class ExpiringSet {
  private readonly entries = new Map<string, number>();
  private nextSweepMs = 0;

  constructor(private readonly nowMs: () => number) {}

  has(key: string): boolean {
    const expiresAt = this.entries.get(key);
    return expiresAt !== undefined && expiresAt > this.nowMs();
  }

  /** Adds `key`; false (and no change) when it is already present and unexpired. */
  add(key: string, expiresAtMs: number): boolean {
    this.sweep();
    if (this.has(key)) return false;
    this.entries.set(key, expiresAtMs);
    return true;
  }

  private sweep(): void {
    const now = this.nowMs();
    if (now < this.nextSweepMs) return;
    for (const [key, expiresAt] of this.entries) if (expiresAt <= now) this.entries.delete(key);
    this.nextSweepMs = now + 30_000;
  }
}
