/**
 * Which Identity Engine authenticator a Classic Engine factor becomes at the upgrade, as a user's
 * authenticator enrollment. Sources: Okta's "Multifactor authentication" concepts page
 * (authenticator key, type and methods), "Understand authenticator enrollment policy API changes
 * after the upgrade" (factor key to authenticator key) and the management spec's authenticator
 * `key` enum. Where they disagree, each key they name is accepted.
 * @module
 */

export interface FactorMapping {
  factorType: string;
  /** null: any provider. */
  provider: string | null;
  /** Enrollment keys any one of which carries the factor over. */
  keys: readonly string[];
  source: string;
}

const CONCEPTS = 'developer.okta.com/docs/concepts/mfa (authenticator keys and methods)';
const POLICY = 'developer.okta.com/docs/guides/oie-upgrade-mfa-enroll-policy (factor to authenticator keys)';

export const FACTOR_MAPPINGS: readonly FactorMapping[] = [
  { factorType: 'push', provider: 'OKTA', keys: ['okta_verify'], source: `${CONCEPTS}; ${POLICY}: okta_push → okta_verify` },
  { factorType: 'token:software:totp', provider: 'OKTA', keys: ['okta_verify'], source: `${CONCEPTS}; ${POLICY}: okta_otp → okta_verify` },
  { factorType: 'signed_nonce', provider: 'OKTA', keys: ['okta_verify'], source: `${CONCEPTS}: signed_nonce is an Okta Verify method` },
  { factorType: 'sms', provider: 'OKTA', keys: ['phone_number'], source: `${CONCEPTS}; ${POLICY}: okta_sms → phone_number` },
  { factorType: 'call', provider: 'OKTA', keys: ['phone_number'], source: `${CONCEPTS}; ${POLICY}: okta_call → phone_number` },
  { factorType: 'email', provider: 'OKTA', keys: ['okta_email'], source: `${CONCEPTS}; ${POLICY}: okta_email → okta_email` },
  { factorType: 'question', provider: 'OKTA', keys: ['security_question'], source: `${CONCEPTS}; ${POLICY}: okta_question → security_question` },
  // The concepts page says webauthn, the policy guide security_key: either carries it over.
  { factorType: 'webauthn', provider: 'FIDO', keys: ['webauthn', 'security_key'], source: `${CONCEPTS}; ${POLICY}: fido_webauthn → security_key` },
  // How U2F keys migrate is not documented; WebAuthn is the authenticator that serves them.
  { factorType: 'u2f', provider: 'FIDO', keys: ['webauthn', 'security_key'], source: `${CONCEPTS} (U2F migration itself is not documented)` },
  { factorType: 'token:software:totp', provider: 'GOOGLE', keys: ['google_otp'], source: CONCEPTS },
  { factorType: 'token', provider: 'RSA', keys: ['rsa_token', 'onprem_mfa'], source: `${CONCEPTS}: rsa_token; the spec's authenticator key enum has only onprem_mfa` },
  { factorType: 'token', provider: 'SYMANTEC', keys: ['symantec_vip'], source: CONCEPTS },
  { factorType: 'token:hardware', provider: 'YUBICO', keys: ['yubikey_token'], source: CONCEPTS },
  { factorType: 'token:hotp', provider: null, keys: ['custom_otp'], source: CONCEPTS },
  { factorType: 'web', provider: 'DUO', keys: ['duo'], source: `${CONCEPTS}; ${POLICY}: duo → duo` },
];
