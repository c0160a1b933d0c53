/**
 * Classic MFA_ENROLL `settings.factors` keys and the Identity Engine authenticator key each one
 * becomes when the policy is converted (checklist M7).
 *
 * Okta's conversion table (oie-upgrade-mfa-enroll-policy) writes `email` and `security_key` for
 * okta_email and fido_webauthn; those are authenticator *types*. The keys the Authenticators API
 * and the policy `authenticators[].key` enum use are `okta_email` and `webauthn`, so those are
 * given here. Keys the table marks "n/a", or does not list, map to null.
 * @module
 */

export interface FactorKeyMapping {
  /** Authenticator key after conversion; null = no documented equivalent. */
  authenticatorKey: string | null;
  /** Why the mapping is absent or uncertain. */
  note?: string;
}

const NOT_IN_TABLE = 'not in Okta\'s factor-to-authenticator table: set it up again in the Admin Console after the upgrade';
const NA_IN_TABLE = 'listed as "n/a" in Okta\'s factor-to-authenticator table: set it up again in the Admin Console after the upgrade';

export const FACTOR_KEY_TO_AUTHENTICATOR: Readonly<Record<string, FactorKeyMapping>> = {
  okta_sms: { authenticatorKey: 'phone_number' },
  okta_call: { authenticatorKey: 'phone_number' },
  okta_voice: { authenticatorKey: 'phone_number' },
  okta_otp: { authenticatorKey: 'okta_verify' },
  okta_push: { authenticatorKey: 'okta_verify' },
  okta_question: { authenticatorKey: 'security_question' },
  okta_email: { authenticatorKey: 'okta_email' },
  okta_password: { authenticatorKey: 'okta_password' },
  fido_webauthn: { authenticatorKey: 'webauthn' },
  // The OIE policy enum has no fido_u2f; security keys enroll through WebAuthn there.
  fido_u2f: { authenticatorKey: 'webauthn', note: 'UNVERIFIED: Okta\'s table does not list fido_u2f; Identity Engine enrolls security keys through WebAuthn' },
  google_otp: { authenticatorKey: 'google_otp' },
  duo: { authenticatorKey: 'duo' },
  external_idp: { authenticatorKey: 'external_idp' },
  rsa_token: { authenticatorKey: null, note: NA_IN_TABLE },
  symantec_vip: { authenticatorKey: null, note: NA_IN_TABLE },
  yubikey_token: { authenticatorKey: null, note: NA_IN_TABLE },
  custom_otp: { authenticatorKey: null, note: NOT_IN_TABLE },
  hotp: { authenticatorKey: null, note: NOT_IN_TABLE },
};

export function mapFactorKey(factorKey: string): FactorKeyMapping {
  return FACTOR_KEY_TO_AUTHENTICATOR[factorKey] ?? { authenticatorKey: null, note: 'unknown Classic factor key' };
}
