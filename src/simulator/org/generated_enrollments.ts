/**
 * Authenticator enrollments of the generated org (`GET /api/v1/users/{id}/authenticator-enrollments`,
 * Identity Engine), derived from the same MFA plan as the user's factors.
 */
import type { JsonObject } from './types.js';
import { type GenContext, iso, link, oktaId } from './generated_context.js';
import type { UserCore } from './generated_users.js';
import { type Device, type FactorKind, type MfaPlan, factorProfile, questionOf } from './generated_factors.js';
import { authenticatorId } from './generated_org_config.js';

interface EnrollmentMeta { key: string; type: string; name: string }
const ENROLLMENT_META: Partial<Record<FactorKind, EnrollmentMeta>> = {
  sms: { key: 'phone_number', type: 'phone', name: 'Phone' },
  call: { key: 'phone_number', type: 'phone', name: 'Phone' },
  email: { key: 'okta_email', type: 'email', name: 'Email' },
  question: { key: 'security_question', type: 'security_question', name: 'Security Question' },
  google_totp: { key: 'google_otp', type: 'app', name: 'Google Authenticator' },
  yubikey: { key: 'yubikey_token', type: 'security_key', name: 'YubiKey' },
  rsa: { key: 'onprem_mfa', type: 'security_key', name: 'RSA SecurID' },
  symantec: { key: 'symantec_vip', type: 'app', name: 'Symantec VIP' },
  hotp: { key: 'custom_otp', type: 'security_key', name: 'Custom OTP' },
  u2f: { key: 'webauthn', type: 'security_key', name: 'Security Key or Biometric' },
  webauthn: { key: 'webauthn', type: 'security_key', name: 'Security Key or Biometric' },
  duo: { key: 'duo', type: 'app', name: 'Duo Security' },
};

/** Masked as Okta shows phone identifiers unless `discloseIdentifiers=phone` is asked for. */
function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `+${digits.slice(0, digits.length > 10 ? digits.length - 10 : 1)} XXX-XXX-${digits.slice(-4)}`;
}

/** The okta_verify enrollment id of a device (also used as the log target of Identity Engine sign-ins). */
export function deviceEnrollmentId(ctx: GenContext, core: UserCore, d: Device): string {
  return oktaId(ctx, 'pfd', core.index, d.slot);
}

/** The id of the enrollment a factor belongs to (the System Log names enrollments, not factors, on Identity Engine). */
export function enrollmentIdOf(ctx: GenContext, core: UserCore, f: { kind: FactorKind; id: string; device?: Device }): string {
  if (f.device !== undefined) return deviceEnrollmentId(ctx, core, f.device);
  return f.kind === 'email' ? oktaId(ctx, 'eae', core.index) : f.id;
}

/**
 * `GET /api/v1/users/{id}/authenticator-enrollments` for an idx org: one okta_verify enrollment
 * per device, one phone_number enrollment per phone (covering sms and voice), one per other
 * authenticator, plus the password. Pending pushes never became enrollments.
 */
export function renderEnrollments(ctx: GenContext, core: UserCore, plan: MfaPlan): JsonObject[] {
  const userHref = `${ctx.baseUrl}/api/v1/users/${core.id}`;
  const out: JsonObject[] = [];
  const push = (id: string, m: EnrollmentMeta, createdMs: number, lastUpdatedMs: number, profile?: JsonObject): void => {
    const e: JsonObject = { type: m.type, id, key: m.key, status: 'ACTIVE', name: m.name };
    if (profile !== undefined) e['profile'] = profile;
    e['nickname'] = null;
    e['created'] = iso(createdMs);
    e['lastUpdated'] = iso(lastUpdatedMs);
    e['_links'] = {
      self: link(`${userHref}/authenticator-enrollments/${id}`, 'GET', 'DELETE'),
      user: link(userHref, 'GET'),
      authenticator: link(`${ctx.baseUrl}/api/v1/authenticators/${authenticatorId(ctx, m.key)}`, 'GET'),
    };
    out.push(e);
  };
  if (core.hasPassword) {
    const pw = core.passwordChangedMs ?? core.createdMs;
    push(oktaId(ctx, 'lae', core.index), { key: 'okta_password', type: 'password', name: 'Password' }, core.activatedMs ?? core.createdMs, pw);
  }
  for (const d of plan.devices) {
    push(deviceEnrollmentId(ctx, core, d), { key: 'okta_verify', type: 'app', name: 'Okta Verify' }, d.createdMs, d.lastUpdatedMs,
      d.unmapped === true ? { credentialId: core.login } : { credentialId: core.login, deviceType: d.deviceType, name: d.name, platform: d.platform, version: d.version });
  }
  let phoneDone = false;
  for (const f of plan.factors) {
    const m = ENROLLMENT_META[f.kind];
    if (m === undefined || f.status !== 'ACTIVE' || f.noEnrollment === true) continue;
    if (m.key === 'phone_number') {
      if (phoneDone) continue;
      phoneDone = true;
      push(f.id, m, f.createdMs, f.lastUpdatedMs, { phoneNumber: maskPhone(f.phone ?? '') });
    } else if (f.kind === 'email') {
      push(oktaId(ctx, 'eae', core.index), m, f.createdMs, f.lastUpdatedMs, { email: core.email });
    } else if (f.kind === 'question') {
      push(f.id, m, f.createdMs, f.lastUpdatedMs, { question: questionOf(core)[0] });
    } else {
      const p = factorProfile(ctx, core, f);
      push(f.id, m, f.createdMs, f.lastUpdatedMs, p === undefined ? undefined : { ...p });
    }
  }
  return out;
}
