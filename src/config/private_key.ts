import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Problem } from './durations.js';

/** `problem` starts with a verb ("is ..."), so the caller can put the setting or file in front. */
export type KeyResult = { ok: true; text: string } | Problem;

/**
 * Checks that `raw` is an RSA private key as PEM or JWK JSON, and returns it normalised.
 * Nothing from the key (nor parser messages, which quote their input) goes into a problem.
 */
export function checkPrivateKey(raw: string): KeyResult {
  let text = raw.trim();
  // A PEM squeezed into one env var line usually carries literal "\n" escapes.
  if (!text.includes('\n') && text.includes('\\n')) text = text.replace(/\\n/g, '\n');

  let key: KeyObject;
  if (text.startsWith('{')) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      return { ok: false, problem: 'is not valid JSON', fix: 'Paste the whole JWK, or use a PEM key' };
    }
    if (!isRecord(jwk) || typeof jwk['kty'] !== 'string') {
      if (isRecord(jwk) && Array.isArray(jwk['keys'])) {
        return { ok: false, problem: 'is a JWK set, not one key', fix: 'Use the single private JWK from the set' };
      }
      return { ok: false, problem: 'is JSON but not a JWK (no "kty")', fix: 'Use the private JWK or a PEM key' };
    }
    if (jwk['d'] === undefined) {
      return {
        ok: false,
        problem: 'is a public JWK (it has no "d")',
        fix: 'Use the private JWK Okta showed when the key was generated',
      };
    }
    try {
      key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch {
      return { ok: false, problem: 'is not a usable JWK private key', fix: 'Export the private key again as JWK or PEM' };
    }
  } else if (text.includes('-----BEGIN')) {
    if (/-----BEGIN (?:RSA |EC )?PUBLIC KEY-----|-----BEGIN CERTIFICATE-----/.test(text)) {
      return { ok: false, problem: 'is a public key or certificate', fix: 'Use the private key (the PEM block headed BEGIN PRIVATE KEY)' };
    }
    if (/ENCRYPTED/.test(text)) {
      return {
        ok: false,
        problem: 'is encrypted',
        fix: 'Decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem',
      };
    }
    try {
      key = createPrivateKey(text);
    } catch {
      return { ok: false, problem: 'is not a readable PEM private key', fix: 'Export the private key again as PEM or JWK' };
    }
  } else {
    return {
      ok: false,
      problem: 'is neither a PEM nor a JWK private key',
      fix: 'Use the PEM text (headed BEGIN PRIVATE KEY) or the JWK JSON',
    };
  }

  // Okta's Node SDK signs the client assertion and DPoP proof with RS256 only.
  if (key.asymmetricKeyType !== 'rsa') {
    return {
      ok: false,
      problem: `is an ${String(key.asymmetricKeyType).toUpperCase()} key, but the Okta SDK signs client assertions with RS256 only`,
      fix: 'Generate an RSA key (2048 bits or more) for the service app',
    };
  }
  return { ok: true, text };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
