/**
 * Per-user MFA of the generated org: a profile drawn from a documented mix, expanded into a plan
 * (ids, types, devices, dates) that logs and enrollments reuse cheaply, then rendered as Okta's
 * Factors API rows.
 */
import type { JsonObject, Pipeline } from './types.js';
import { type GenContext, DAY, HOUR, MINUTE, iso, link, oktaId } from './generated_context.js';
import { type UserCore, factorPhone } from './generated_users.js';
import { chance, hash32, intBetween, pick, randomBase64Url, unit, weighted } from './random.js';

// Bound once (see random.ts: global lookups are slow under vm contexts).
const { floor, max, min } = Math;

const S = {
  profile: 201, sms: 202, voice: 203, emailQ: 204, devices: 205, device: 206, deviceName: 207,
  hostileDevice: 208, dates: 209, pendingCount: 210, webauthnCount: 211, addOnSms: 212,
  lastVerified: 213, serial: 214, authName: 215, ext: 216,
} as const;

export type MfaProfile =
  | 'none' | 'sms' | 'sms_voice' | 'email_question'
  | 'ov_classic' | 'ov_fastpass' | 'ov_multi' | 'ov_stale_dup' | 'ov_pending'
  | 'u2f' | 'webauthn' | 'google_totp' | 'yubikey' | 'rsa' | 'symantec' | 'hotp' | 'duo';

/** Profile mix in basis points per pipeline (documented in docs/simulator-org.md). */
export const MFA_PROFILE_WEIGHTS: Record<Pipeline, ReadonlyArray<readonly [MfaProfile, number]>> = {
  idx: [
    ['none', 1200], ['sms', 1000], ['sms_voice', 600], ['email_question', 600],
    ['ov_classic', 1500], ['ov_fastpass', 1500], ['ov_multi', 600], ['ov_stale_dup', 300], ['ov_pending', 400],
    ['u2f', 300], ['webauthn', 500], ['google_totp', 500],
    ['yubikey', 200], ['rsa', 200], ['symantec', 200], ['hotp', 200], ['duo', 200],
  ],
  v1: [
    ['none', 1200], ['sms', 1000], ['sms_voice', 600], ['email_question', 600],
    ['ov_classic', 3800], ['ov_stale_dup', 100], ['ov_pending', 400],
    ['u2f', 300], ['webauthn', 500], ['google_totp', 500],
    ['yubikey', 200], ['rsa', 200], ['symantec', 200], ['hotp', 200], ['duo', 200],
  ],
};

export function mfaProfile(ctx: GenContext, i: number): MfaProfile {
  return weighted(MFA_PROFILE_WEIGHTS[ctx.pipeline], hash32(ctx.seed, S.profile, i));
}

/** Users in these statuses hold factors; STAGED/PROVISIONED never activated and DEPROVISIONED ones were reset. */
export function holdsFactors(core: UserCore): boolean {
  return core.status !== 'STAGED' && core.status !== 'PROVISIONED' && core.status !== 'DEPROVISIONED';
}

export interface Device {
  /** Distinct per device of a user (its enrollment id derives from it). */
  slot: number;
  name: string;
  platform: 'IOS' | 'ANDROID';
  deviceType: string;
  version: string;
  createdMs: number;
  lastUpdatedMs: number;
  /** Enrolled through the Factors API before an upgrade: its okta_verify enrollment names no device (Okta's limitations guide). */
  unmapped?: boolean;
}

export type FactorKind =
  | 'push' | 'ov_totp' | 'signed_nonce' | 'sms' | 'call' | 'email' | 'question' | 'google_totp'
  | 'yubikey' | 'rsa' | 'symantec' | 'hotp' | 'u2f' | 'webauthn' | 'duo';

export interface FactorPlan {
  kind: FactorKind;
  id: string;
  status: 'ACTIVE' | 'PENDING_ACTIVATION';
  createdMs: number;
  lastUpdatedMs: number;
  /** Okta Verify rows: the device they belong to. */
  device?: Device;
  phone?: string;
  /** Its authenticator enrollment did not carry over an upgrade (a simulated loss). */
  noEnrollment?: boolean;
}

export interface MfaPlan {
  profile: MfaProfile;
  devices: Device[];
  /** Every factor the user holds, all devices included. */
  factors: FactorPlan[];
}

export const KIND_META: Record<FactorKind, { prefix: string; factorType: string; provider: string; vendorName: string }> = {
  push: { prefix: 'opf', factorType: 'push', provider: 'OKTA', vendorName: 'OKTA' },
  ov_totp: { prefix: 'ost', factorType: 'token:software:totp', provider: 'OKTA', vendorName: 'OKTA' },
  signed_nonce: { prefix: 'snf', factorType: 'signed_nonce', provider: 'OKTA', vendorName: 'OKTA' },
  sms: { prefix: 'sms', factorType: 'sms', provider: 'OKTA', vendorName: 'OKTA' },
  call: { prefix: 'clf', factorType: 'call', provider: 'OKTA', vendorName: 'OKTA' },
  email: { prefix: 'emf', factorType: 'email', provider: 'OKTA', vendorName: 'OKTA' },
  question: { prefix: 'ufs', factorType: 'question', provider: 'OKTA', vendorName: 'OKTA' },
  google_totp: { prefix: 'ost', factorType: 'token:software:totp', provider: 'GOOGLE', vendorName: 'GOOGLE' },
  yubikey: { prefix: 'ykf', factorType: 'token:hardware', provider: 'YUBICO', vendorName: 'YUBICO' },
  rsa: { prefix: 'rsa', factorType: 'token', provider: 'RSA', vendorName: 'RSA' },
  symantec: { prefix: 'ufv', factorType: 'token', provider: 'SYMANTEC', vendorName: 'SYMANTEC' },
  hotp: { prefix: 'chf', factorType: 'token:hotp', provider: 'CUSTOM', vendorName: 'Entrust Datacard' },
  u2f: { prefix: 'fuf', factorType: 'u2f', provider: 'FIDO', vendorName: 'FIDO' },
  webauthn: { prefix: 'fwf', factorType: 'webauthn', provider: 'FIDO', vendorName: 'FIDO' },
  duo: { prefix: 'dsf', factorType: 'web', provider: 'DUO', vendorName: 'DUO' },
};

/** The id prefix Okta's examples use for this kind of factor. */
export function factorIdPrefix(kind: FactorKind): string {
  return KIND_META[kind].prefix;
}

const PHONES: ReadonlyArray<readonly [string, 'IOS' | 'ANDROID', string, string]> = [
  ['iPhone', 'IOS', 'SmartPhone_IPhone', '17.4.1'],
  ['iPhone 15 Pro', 'IOS', 'SmartPhone_IPhone', '17.5'],
  ['iPhone SE', 'IOS', 'SmartPhone_IPhone', '16.7.8'],
  ['Pixel 8', 'ANDROID', 'SmartPhone_Android', '14'],
  ['Galaxy S23', 'ANDROID', 'SmartPhone_Android', '14'],
  ['SM-A536B', 'ANDROID', 'SmartPhone_Android', '13'],
];
/** Device names a person can type in, including spreadsheet-formula and control-character starts. */
export const HOSTILE_DEVICE_NAMES = [
  "=cmd|' /C calc'!A0", '+Work phone', '-old phone', '@phone', '\tTabbed phone', '\rCR phone', '📱 Work', '\u202Eenohp',
];

function deviceName(ctx: GenContext, core: UserCore, slot: number, base: string): string {
  const h = hash32(ctx.seed, S.hostileDevice, core.index, slot);
  if (chance(0.03, h)) return pick(HOSTILE_DEVICE_NAMES, hash32(ctx.seed, S.deviceName, core.index, slot));
  return chance(0.35, hash32(ctx.seed, S.deviceName, core.index, slot, 1)) ? `${core.firstName}'s ${base}` : base;
}

/** Factor timestamps: after activation, before the user was suspended (if so) and before now. */
function span(ctx: GenContext, core: UserCore): [number, number] {
  const lo = core.activatedMs ?? core.createdMs;
  const hi = core.status === 'SUSPENDED' && core.statusChangedMs !== null ? core.statusChangedMs : ctx.nowMs - HOUR;
  return [lo, max(lo, hi)];
}

export function planMfa(ctx: GenContext, core: UserCore): MfaPlan {
  const profile = mfaProfile(ctx, core.index);
  const plan: MfaPlan = { profile, devices: [], factors: [] };
  if (!holdsFactors(core)) return plan;
  const { seed } = ctx;
  const i = core.index;
  const [lo, hi] = span(ctx, core);
  let slot = 0;
  const at = (ms: number): number => floor(ms / 1000) * 1000;
  const add = (kind: FactorKind, extra?: Partial<FactorPlan>): FactorPlan => {
    const s = slot++;
    const createdMs = extra?.createdMs ?? at(lo + unit(hash32(seed, S.dates, i, s)) * (hi - lo) * 0.8);
    const lastUpdatedMs = extra?.lastUpdatedMs ?? at(createdMs + unit(hash32(seed, S.dates, i, s, 1)) * (hi - createdMs));
    const f: FactorPlan = { kind, id: oktaId(ctx, KIND_META[kind].prefix, i, s), status: extra?.status ?? 'ACTIVE', createdMs, lastUpdatedMs };
    if (extra?.device !== undefined) f.device = extra.device;
    if (extra?.phone !== undefined) f.phone = extra.phone;
    plan.factors.push(f);
    return f;
  };
  const addDevice = (createdMs?: number, stale = false, name?: string): Device => {
    const dslot = plan.devices.length;
    const [base, platform, deviceType, version] = pick(PHONES, hash32(seed, S.device, i, dslot));
    const c = createdMs ?? at(lo + unit(hash32(seed, S.dates, i, 100 + dslot)) * (hi - lo) * 0.9);
    const u = stale ? c + 10 * MINUTE : at(c + unit(hash32(seed, S.dates, i, 100 + dslot, 1)) * (hi - c));
    const d: Device = { slot: dslot, name: name ?? deviceName(ctx, core, dslot, base), platform, deviceType, version, createdMs: c, lastUpdatedMs: u };
    plan.devices.push(d);
    return d;
  };
  const ovRows = (d: Device, fastPass: boolean): void => {
    const dates = { createdMs: d.createdMs, lastUpdatedMs: d.lastUpdatedMs };
    add('push', { device: d, ...dates });
    add('ov_totp', { device: d, ...dates });
    if (fastPass) add('signed_nonce', { device: d, ...dates });
  };
  const phone = factorPhone(ctx, core);
  const maybeSms = (p: number): void => {
    if (chance(p, hash32(seed, S.addOnSms, i))) add('sms', { phone });
  };

  switch (profile) {
    case 'none': break;
    case 'sms': add('sms', { phone }); break;
    case 'sms_voice': add('sms', { phone }); add('call', { phone }); break;
    case 'email_question': {
      const v = intBetween(0, 2, hash32(seed, S.emailQ, i)); // email, question, or both
      if (v !== 1 && ctx.pipeline === 'v1') add('email');
      if (v !== 0 && (ctx.pipeline === 'v1' || core.recoveryQuestion === null)) add('question');
      break;
    }
    case 'ov_classic': ovRows(addDevice(), false); maybeSms(0.4); break;
    case 'ov_fastpass': ovRows(addDevice(), true); maybeSms(0.4); break;
    case 'ov_multi': {
      const count = chance(0.7, hash32(seed, S.devices, i)) ? 2 : 3;
      for (let k = 0; k < count; k++) ovRows(addDevice(), true);
      maybeSms(0.3);
      break;
    }
    case 'ov_stale_dup': {
      // The same phone enrolled twice: an old registration never cleaned up, then a new one.
      const first = addDevice(at(lo + (hi - lo) * 0.1), true);
      const second = addDevice(at(lo + (hi - lo) * (0.5 + 0.4 * unit(hash32(seed, S.dates, i, 99)))), false, first.name);
      if (ctx.pipeline === 'idx') {
        ovRows(first, true);
        ovRows(second, true);
      } else {
        add('push', { device: first, createdMs: first.createdMs, lastUpdatedMs: first.lastUpdatedMs });
        add('push', { device: second, createdMs: second.createdMs, lastUpdatedMs: second.lastUpdatedMs });
        add('ov_totp', { createdMs: second.createdMs, lastUpdatedMs: second.lastUpdatedMs });
      }
      break;
    }
    case 'ov_pending': {
      // Abandoned Okta Verify enrollments: the QR code was never scanned.
      const r = unit(hash32(seed, S.pendingCount, i));
      const count = ctx.pipeline === 'v1' ? 1 : r < 0.6 ? 1 : r < 0.9 ? 2 : 3;
      for (let k = 0; k < count; k++) {
        const c = at(min(hi, max(lo, ctx.nowMs - intBetween(2, 200, hash32(seed, S.dates, i, 200 + k)) * DAY)));
        add('push', { status: 'PENDING_ACTIVATION', createdMs: c, lastUpdatedMs: c });
      }
      maybeSms(0.5);
      break;
    }
    case 'u2f': add('u2f'); maybeSms(0.3); break;
    case 'webauthn': {
      const count = chance(0.3, hash32(seed, S.webauthnCount, i)) ? 2 : 1;
      for (let k = 0; k < count; k++) add('webauthn');
      maybeSms(0.3);
      break;
    }
    case 'google_totp': add('google_totp'); maybeSms(0.3); break;
    case 'yubikey': add('yubikey'); maybeSms(0.3); break;
    case 'rsa': add('rsa'); maybeSms(0.3); break;
    case 'symantec': add('symantec'); maybeSms(0.3); break;
    case 'hotp': add('hotp'); maybeSms(0.3); break;
    case 'duo': add('duo'); break;
  }
  if (ctx.pipeline === 'idx') {
    // Identity Engine lists the verified primary email and the recovery question as factors.
    add('email', { createdMs: core.activatedMs ?? lo, lastUpdatedMs: core.activatedMs ?? lo });
    if (core.recoveryQuestion !== null) add('question', { createdMs: core.passwordChangedMs ?? lo, lastUpdatedMs: core.passwordChangedMs ?? lo });
  }
  return plan;
}

/**
 * The rows `GET /factors` returns. Identity Engine projects only the first Okta Verify device
 * into the Factors API; the other devices appear only as authenticator enrollments.
 */
export function visibleFactors(ctx: GenContext, plan: MfaPlan): FactorPlan[] {
  if (ctx.pipeline === 'v1') return plan.factors;
  const first = plan.devices[0];
  return plan.factors.filter((f) => f.device === undefined || f.device === first);
}

const QUESTION_KEYS: Record<string, string> = {
  'What was the first computer game you played?': 'first_computer_game',
  'What is the food you least liked as a child?': 'disliked_food',
  'What is the name of your first stuffed animal?': 'name_of_first_plush_toy',
  'Where did you go for your favorite vacation?': 'favorite_vacation_location',
};
const MFA_QUESTION = ['favorite_art_piece', 'What is your favorite piece of art?'] as const;

export function questionOf(core: UserCore): readonly [string, string] {
  const q = core.recoveryQuestion;
  return q === null ? MFA_QUESTION : [QUESTION_KEYS[q] ?? MFA_QUESTION[0], q];
}

const AUTHENTICATOR_NAMES = ['YubiKey 5 NFC', 'MacBook Touch ID', 'Windows Hello Hardware Authenticator', 'Google Titan Security Key', 'iCloud Keychain'];

export function factorProfile(ctx: GenContext, core: UserCore, f: FactorPlan): JsonObject | undefined {
  const i = core.index;
  const d = f.device;
  switch (f.kind) {
    case 'push':
      return d === undefined ? undefined : { credentialId: core.login, deviceType: d.deviceType, name: d.name, platform: d.platform, version: d.version };
    case 'signed_nonce':
      if (d === undefined) return undefined;
      return {
        credentialId: core.login, deviceType: d.deviceType, name: d.name, platform: d.platform, version: d.version,
        keys: (['proofOfPossession', 'userVerification'] as const).map((jwkType) => ({
          kty: 'RSA', use: 'sig', kid: 'default', e: 'AQAB', n: randomBase64Url(342, ctx.seed, f.id, jwkType), jwkType,
        })),
      };
    case 'ov_totp': case 'google_totp': case 'rsa': case 'duo':
      return { credentialId: core.login };
    case 'sms':
      return { phoneNumber: f.phone ?? '' };
    case 'call': {
      const p: JsonObject = { phoneNumber: f.phone ?? '' };
      if (chance(0.3, hash32(ctx.seed, S.ext, i))) p['phoneExtension'] = `${intBetween(100, 9999, hash32(ctx.seed, S.ext, i, 1))}`;
      return p;
    }
    case 'email':
      return { email: core.email };
    case 'question': {
      const [question, questionText] = questionOf(core);
      return { question, questionText };
    }
    case 'yubikey':
      return { credentialId: `${intBetween(1_000_000, 99_999_999, hash32(ctx.seed, S.serial, f.id))}`.padStart(12, '0') };
    case 'symantec':
      return { credentialId: `VSMT${intBetween(10_000_000, 99_999_999, hash32(ctx.seed, S.serial, f.id))}` };
    case 'hotp':
      return undefined;
    case 'u2f':
      return { credentialId: randomBase64Url(86, ctx.seed, f.id), version: 'U2F_V2' };
    case 'webauthn':
      return { credentialId: randomBase64Url(43, ctx.seed, f.id), appId: null, version: null, authenticatorName: pick(AUTHENTICATOR_NAMES, hash32(ctx.seed, S.authName, f.id)) };
  }
}

/** One Factors API row, shaped as Okta returns it (links with hints, `_embedded.activation` when pending). */
export function renderFactor(ctx: GenContext, core: UserCore, f: FactorPlan): JsonObject {
  const meta = KIND_META[f.kind];
  const userHref = `${ctx.baseUrl}/api/v1/users/${core.id}`;
  const self = `${userHref}/factors/${f.id}`;
  const row: JsonObject = {
    id: f.id, factorType: meta.factorType, provider: meta.provider, vendorName: meta.vendorName, status: f.status,
    created: iso(f.createdMs), lastUpdated: iso(f.lastUpdatedMs),
  };
  const verifiable = f.kind !== 'question' && f.kind !== 'signed_nonce';
  if (f.status === 'ACTIVE' && verifiable && chance(0.7, hash32(ctx.seed, S.lastVerified, f.id))) {
    row['lastVerified'] = iso(f.lastUpdatedMs + floor(unit(hash32(ctx.seed, S.lastVerified, f.id, 1)) * (ctx.nowMs - 1 - f.lastUpdatedMs)));
  }
  const profile = factorProfile(ctx, core, f);
  if (profile !== undefined) row['profile'] = profile;

  if (f.status === 'PENDING_ACTIVATION') {
    row['_links'] = { poll: link(`${self}/lifecycle/activate/poll`, 'POST'), self: link(self, 'GET'), user: link(userHref, 'GET') };
    row['_embedded'] = {
      activation: {
        expiresAt: iso(f.createdMs + 10 * MINUTE),
        factorResult: 'TIMEOUT',
        _links: {
          send: (['email', 'sms'] as const).map((name) => ({ name, ...link(`${self}/lifecycle/activate/${name}`, 'POST') })),
          qrcode: { href: `${self}/qr/00${randomBase64Url(40, ctx.seed, f.id, 'qr')}`, type: 'image/png' },
        },
      },
    };
    return row;
  }
  const links: JsonObject = {};
  if (f.kind === 'question') links['questions'] = link(`${userHref}/factors/questions`, 'GET');
  else if (verifiable) links['verify'] = link(`${self}/verify`, 'POST');
  links['self'] = link(self, 'GET', 'DELETE');
  links['user'] = link(userHref, 'GET');
  row['_links'] = links;
  return row;
}
