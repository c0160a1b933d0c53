import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGeneratedOrg, type GeneratedOrgOptions } from '../../src/simulator/org/generated.js';
import type { GenContext } from '../../src/simulator/org/generated_context.js';
import { iso } from '../../src/simulator/org/generated_context.js';
import { USER_STATUS_WEIGHTS, TEN_KB_TITLE, userId } from '../../src/simulator/org/generated_users.js';
import { MFA_PROFILE_WEIGHTS, mfaProfile, type MfaProfile } from '../../src/simulator/org/generated_factors.js';
import { LOG_WINDOW_DAYS, logEventCount } from '../../src/simulator/org/generated_logs.js';
import type { JsonObject, LogEvent, OktaUser, OrgSource, Pipeline } from '../../src/simulator/org/types.js';
import { loadSpec, SPEC_PATHS, validateResponse } from '../support/openapi.js';

// A full collection between samples, so the memory test measures what iteration retains.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NOW = new Date('2026-03-10T00:00:00.000Z');
const DAY = 86_400_000;
const BASE = 'https://sim.example.com';

function org(pipeline: Pipeline, users: number, seed = 42, extra: Partial<GeneratedOrgOptions> = {}): OrgSource {
  return createGeneratedOrg({ users, seed, pipeline, baseUrl: BASE, now: NOW, ...extra });
}

/** Everything an org serves, as one JSON string (for determinism checks). */
function everything(o: OrgSource): string {
  const users = [...o.users()];
  return JSON.stringify({
    org: o.org, users,
    factors: users.map((u) => o.factors(u.id)),
    enrollments: users.map((u) => o.authenticatorEnrollments(u.id)),
    authenticators: o.authenticators(), policies: o.policies(),
    rules: o.policies().map((p) => o.policyRules(p['id'] as string)),
    logs: [...o.logs()], hooks: o.eventHooks(), tokens: o.apiTokens(),
  });
}

type Factor = JsonObject & { id: string; factorType: string; provider: string; status: string; profile?: JsonObject };
const factorsOf = (o: OrgSource, id: string): Factor[] => o.factors(id) as Factor[];
const enrollmentsOf = (o: OrgSource, id: string): JsonObject[] => o.authenticatorEnrollments(id) ?? [];
const ovEnrollments = (o: OrgSource, id: string): JsonObject[] => enrollmentsOf(o, id).filter((e) => e['key'] === 'okta_verify');
const pushes = (fs: Factor[]): Factor[] => fs.filter((f) => f.factorType === 'push');
const nameOf = (x: JsonObject): unknown => (x['profile'] as JsonObject | undefined)?.['name'];

describe('1,000,000 users', () => {
  const o = org('idx', 1_000_000, 77);

  test('iterating every status is lazy: small retained heap, bounded time', () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    const counts = new Map<string, number>();
    const started = performance.now();
    let n = 0;
    for (const u of o.users()) {
      counts.set(u.status, (counts.get(u.status) ?? 0) + 1);
      if (++n % 100_000 === 0) {
        gc(); // measures what the iteration keeps, not garbage waiting for collection
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    expect(n).toBe(1_000_000);
    expect(counts.get('DEPROVISIONED')).toBeGreaterThan(30_000);
    expect(peak).toBeLessThan(50 * 1024 * 1024);
    expect(seconds).toBeLessThan(90);
  });

  test('random access by id and login is O(1) and cheap per user', () => {
    const ctx: GenContext = { users: 1_000_000, seed: 77, pipeline: 'idx', baseUrl: BASE, nowMs: NOW.getTime() };
    const started = performance.now();
    let rows = 0;
    for (let k = 0; k < 2000; k++) {
      const i = (k * 104_729) % 1_000_000;
      const id = userId(ctx, i);
      const u = o.user(id) as OktaUser;
      expect(u.id).toBe(id);
      expect(o.user(u.profile.login)?.id).toBe(id);
      rows += (o.factors(id) ?? []).length + (o.authenticatorEnrollments(id) ?? []).length;
      const next = o.users(id)[Symbol.iterator]().next();
      expect(next.done === true ? undefined : next.value.id).toBe(i + 1 < 1_000_000 ? userId(ctx, i + 1) : undefined);
    }
    expect(rows).toBeGreaterThan(2000);
    // An O(n) lookup would cost seconds per user at this size; 10 ms leaves room for a loaded CI machine.
    expect((performance.now() - started) / 2000).toBeLessThan(10);
    expect(o.user(userId(ctx, 999_999).replace(/^00u/, '00x'))).toBeUndefined();
    expect(o.user('x.999999@example.com')).toBeUndefined(); // the whole login must match, not just the index
  });
});

describe('determinism', () => {
  test.each(['idx', 'v1'] as const)('same inputs give byte-identical objects (%s)', (pipeline) => {
    expect(everything(org(pipeline, 150))).toBe(everything(org(pipeline, 150)));
  });

  test('seed, pipeline and base URL change the data', () => {
    const a = everything(org('idx', 50, 1));
    expect(everything(org('idx', 50, 2))).not.toBe(a);
    expect(everything(org('v1', 50, 1))).not.toBe(a);
    expect(JSON.stringify([...org('idx', 5, 1, { baseUrl: 'https://other.example.com/' }).users()])).toContain('https://other.example.com/api/v1/users/');
  });

  test('default now is the current UTC day, so runs on one day agree', () => {
    const a = createGeneratedOrg({ users: 30, seed: 5, pipeline: 'idx', baseUrl: BASE });
    const b = createGeneratedOrg({ users: 30, seed: 5, pipeline: 'idx', baseUrl: BASE });
    expect(everything(a)).toBe(everything(b));
    const today = new Date(Math.floor(Date.now() / DAY) * DAY).toISOString();
    const last = [...a.logs()].at(-1) as LogEvent;
    expect(last.published < today).toBe(true);
    expect(last.published >= new Date(Date.parse(today) - DAY).toISOString()).toBe(true);
  });

  test('rejects bad options', () => {
    expect(() => org('idx', -1)).toThrow(/users/);
    expect(() => org('idx', 1.5)).toThrow(/users/);
    expect(() => org('idx', 10, Number.NaN)).toThrow(/seed/);
    expect(() => org('x' as Pipeline, 10)).toThrow(/pipeline/);
  });

  test('the fast ISO formatter matches Date', () => {
    const wrong: string[] = [];
    for (let k = 0; k < 20_000; k++) {
      const ms = Math.floor(((k * 2654435761) % 4_000_000) * 1_000_003) % 253_402_300_799_999;
      if (iso(ms) !== new Date(ms).toISOString()) wrong.push(`${ms}: ${iso(ms)}`);
    }
    for (const ms of [0, 951_782_400_000, 1_709_164_799_999, 1_709_164_800_000, 4_107_542_399_999]) {
      if (iso(ms) !== new Date(ms).toISOString()) wrong.push(`${ms}: ${iso(ms)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('ids, logins and lookup', () => {
  const o = org('idx', 3000);
  let users: OktaUser[] = [];
  beforeAll(() => { users = [...o.users()]; });
  afterAll(() => { users = []; });

  test('ids are 20 characters, unique and listed in ascending order', () => {
    expect(users).toHaveLength(3000);
    expect(o.userCount).toBe(3000);
    for (const [k, u] of users.entries()) {
      expect(u.id).toMatch(/^00u[0-9A-Za-z]{17}$/);
      if (k > 0) expect((users[k - 1] as OktaUser).id < u.id).toBe(true);
    }
  });

  test('logins encode the index; lookup by id or login (case-insensitive) is exact', () => {
    for (const k of [0, 1, 7, 1234, 2999]) {
      const u = users[k] as OktaUser;
      expect(u.profile.login).toMatch(new RegExp(`\\.${String(k).padStart(6, '0')}@example\\.com$`));
      expect(o.user(u.id)).toEqual(u);
      expect(o.user(u.profile.login)).toEqual(u);
      expect(o.user(u.profile.login.toUpperCase())).toEqual(u);
    }
    const hostileLogin = users.find((u) => u.profile.login.startsWith('='));
    expect(hostileLogin).toBeDefined();
    expect(o.user((hostileLogin as OktaUser).profile.login)).toEqual(hostileLogin);
  });

  test('unknown ids and logins answer undefined everywhere', () => {
    const first = users[0] as OktaUser;
    const tampered = first.id.slice(0, 19) + (first.id.endsWith('A') ? 'B' : 'A');
    const outOfRange = org('idx', 5000).users();
    const foreign = [...outOfRange].at(-1) as OktaUser; // index 4999 does not exist in a 3000-user org
    for (const bad of [tampered, foreign.id, 'nobody.000001@example.com', 'x.009999@example.com', '', '00u', 'nonsense']) {
      expect(o.user(bad)).toBeUndefined();
      expect(o.factors(bad)).toBeUndefined();
      expect(o.authenticatorEnrollments(bad)).toBeUndefined();
    }
  });

  test('users(afterId) starts strictly after the id, also for ids that are not in the org', () => {
    const after = (id: string): string | undefined => [...o.users(id)][0]?.id;
    expect(after((users[10] as OktaUser).id)).toBe((users[11] as OktaUser).id);
    expect(after((users[10] as OktaUser).id.slice(0, 12))).toBe((users[10] as OktaUser).id);
    expect(after('00t')).toBe((users[0] as OktaUser).id);
    expect(after((users[2999] as OktaUser).id)).toBeUndefined();
    expect(after('zzz')).toBeUndefined();
  });

  test('users have Okta list shapes: self link only, nullable dates', () => {
    for (const u of users.slice(0, 300)) {
      expect(Object.keys(u)).toEqual(['id', 'status', 'created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged', 'type', 'profile', 'credentials', '_links']);
      expect(u['_links']).toEqual({ self: { href: `${BASE}/api/v1/users/${u.id}` } });
      expect((u['type'] as JsonObject)['id']).toMatch(/^oty[0-9A-Za-z]{17}$/);
      expect((u['credentials'] as JsonObject)['provider']).toEqual(expect.objectContaining({ type: expect.any(String), name: expect.any(String) }));
      expect(u.profile).toEqual(expect.objectContaining({ login: expect.any(String), email: expect.any(String), firstName: expect.any(String), lastName: expect.any(String) }));
      expect('mobilePhone' in u.profile).toBe(true);
      if (u.status === 'STAGED') expect([u['activated'], u['statusChanged'], u['lastLogin']]).toEqual([null, null, null]);
    }
    expect(users.some((u) => u.profile['mobilePhone'] === null)).toBe(true);
  });
});

describe('dates', () => {
  test.each(['idx', 'v1'] as const)('every date is before now and lastUpdated follows created (%s)', (pipeline) => {
    const o = org(pipeline, 800);
    const now = NOW.toISOString();
    const dateKeys = new Set(['created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged', 'lastVerified', 'published']);
    let checked = 0;
    const wrong: string[] = [];
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x !== null && typeof x === 'object') {
        for (const [k, v] of Object.entries(x)) {
          if (dateKeys.has(k) && typeof v === 'string') {
            if (!(v < now)) wrong.push(`${k} ${v}`);
            checked++;
          } else walk(v);
        }
        const rec = x as JsonObject;
        if (typeof rec['created'] === 'string' && typeof rec['lastUpdated'] === 'string' && rec['created'] > rec['lastUpdated']) wrong.push(`${String(rec['id'])} updated before created`);
      }
    };
    for (const u of o.users()) {
      walk(u);
      walk(o.factors(u.id));
      walk(o.authenticatorEnrollments(u.id));
    }
    walk([...o.logs()]);
    walk([o.authenticators(), o.policies(), o.eventHooks(), o.apiTokens()]);
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(5_000);
  });
});

/** Names a user's MFA profile from what the APIs return (idx merges cases its data cannot tell apart). */
function observedProfile(o: OrgSource, pipeline: Pipeline, u: OktaUser): string {
  const fs = factorsOf(o, u.id);
  const has = (t: string, p?: string): boolean => fs.some((f) => f.factorType === t && (p === undefined || f.provider === p) && f.status === 'ACTIVE');
  if (fs.some((f) => f.status === 'PENDING_ACTIVATION')) return 'ov_pending';
  if (pipeline === 'idx' && ovEnrollments(o, u.id).length > 1) return 'ov_multi_devices';
  if (has('signed_nonce')) return 'ov_fastpass';
  if (pipeline === 'v1' && pushes(fs).length === 2) return 'ov_stale_dup';
  if (has('push')) return 'ov_classic';
  const single: Array<[string, string | undefined, string]> = [
    ['u2f', 'FIDO', 'u2f'], ['webauthn', 'FIDO', 'webauthn'], ['token:software:totp', 'GOOGLE', 'google_totp'],
    ['token:hardware', 'YUBICO', 'yubikey'], ['token', 'RSA', 'rsa'], ['token', 'SYMANTEC', 'symantec'],
    ['token:hotp', 'CUSTOM', 'hotp'], ['web', 'DUO', 'duo'], ['call', undefined, 'sms_voice'], ['sms', undefined, 'sms'],
  ];
  for (const [t, p, name] of single) if (has(t, p)) return name;
  if (pipeline === 'idx') return 'none_or_email_question';
  return has('email') || has('question') ? 'email_question' : 'none';
}

function expectedObservable(pipeline: Pipeline, p: MfaProfile): string {
  if (pipeline === 'idx' && (p === 'none' || p === 'email_question')) return 'none_or_email_question';
  if (pipeline === 'idx' && (p === 'ov_multi' || p === 'ov_stale_dup')) return 'ov_multi_devices';
  return p;
}

describe('documented mix (5,000 users)', () => {
  const N = 5000;
  /** Within 4 standard deviations of the documented share. */
  const expectShare = (count: number, basisPoints: number, total: number): void => {
    const p = basisPoints / 10_000;
    const sigma = Math.sqrt((p * (1 - p)) / total);
    expect(Math.abs(count / total - p)).toBeLessThanOrEqual(4 * sigma + 0.001);
  };

  test('user statuses', () => {
    const counts = new Map<string, number>();
    for (const u of org('idx', N, 9).users()) counts.set(u.status, (counts.get(u.status) ?? 0) + 1);
    expect(counts.size).toBe(8);
    for (const [status, bp] of USER_STATUS_WEIGHTS) expectShare(counts.get(status) ?? 0, bp, N);
  });

  test.each(['idx', 'v1'] as const)('MFA profiles, and every user shows the factors of its profile (%s)', (pipeline) => {
    const o = org(pipeline, N, 9);
    const ctx: GenContext = { users: N, seed: 9, pipeline, baseUrl: BASE, nowMs: NOW.getTime() };
    const counts = new Map<MfaProfile, number>();
    const mismatches: string[] = [];
    let index = 0;
    for (const u of o.users()) {
      const profile = mfaProfile(ctx, index++);
      counts.set(profile, (counts.get(profile) ?? 0) + 1);
      const fs = factorsOf(o, u.id);
      if (u.status === 'STAGED' || u.status === 'PROVISIONED' || u.status === 'DEPROVISIONED') {
        expect(fs).toEqual([]);
        continue;
      }
      const seen = observedProfile(o, pipeline, u);
      if (seen !== expectedObservable(pipeline, profile)) mismatches.push(`${u.id}: ${profile} looks like ${seen}`);
    }
    expect(mismatches).toEqual([]);
    for (const [profile, bp] of MFA_PROFILE_WEIGHTS[pipeline]) expectShare(counts.get(profile) ?? 0, bp, N);
  });
});

describe.each(['idx', 'v1'] as const)('cases present in a 2,000-user org (%s)', (pipeline) => {
  const o = org(pipeline, 2000, 3);
  let users: OktaUser[] = [];
  let all: Array<{ u: OktaUser; fs: Factor[] }> = [];
  let rows: Factor[] = [];
  beforeAll(() => {
    users = [...o.users()];
    all = users.map((u) => ({ u, fs: factorsOf(o, u.id) }));
    rows = all.flatMap((x) => x.fs);
  });
  afterAll(() => { users = []; all = []; rows = []; });

  test('every factor type and provider', () => {
    const kinds = new Set(rows.map((f) => `${f.factorType}/${f.provider}`));
    for (const k of ['push/OKTA', 'token:software:totp/OKTA', 'token:software:totp/GOOGLE', 'sms/OKTA', 'call/OKTA', 'email/OKTA', 'question/OKTA',
      'token:hardware/YUBICO', 'token/RSA', 'token/SYMANTEC', 'token:hotp/CUSTOM', 'u2f/FIDO', 'webauthn/FIDO', 'web/DUO']) {
      expect(kinds).toContain(k);
    }
    expect(kinds.has('signed_nonce/OKTA')).toBe(pipeline === 'idx');
    expect(rows.some((f) => f.factorType === 'u2f' && f.profile?.['version'] === 'U2F_V2')).toBe(true);
  });

  test('ids use Okta prefixes and are unique; links carry hints', () => {
    const prefix: Record<string, string> = { push: 'opf', sms: 'sms', call: 'clf', email: 'emf', question: 'ufs', 'token:hardware': 'ykf', u2f: 'fuf', webauthn: 'fwf', 'token:hotp': 'chf' };
    const ids = new Set<string>();
    const wrong: string[] = [];
    for (const f of rows) {
      const want = f.factorType === 'token' ? (f.provider === 'RSA' ? 'rsa' : 'ufv') : prefix[f.factorType];
      if (f.id.length !== 20 || (want !== undefined && !f.id.startsWith(want))) wrong.push(`id ${f.id} for ${f.factorType}`);
      if (ids.has(f.id)) wrong.push(`duplicate ${f.id}`);
      ids.add(f.id);
      const links = f['_links'] as Record<string, JsonObject>;
      if (links['self']?.['hints'] === undefined || links['user'] === undefined) wrong.push(`links of ${f.id}`);
      if ((f.factorType === 'sms' || f.factorType === 'call') && !/^\+[1-9]\d{1,14}$/.test(String(f.profile?.['phoneNumber']))) wrong.push(`phone of ${f.id} is not E.164`);
      const verifiable = f.status === 'ACTIVE' && !['question', 'signed_nonce'].includes(f.factorType);
      if (verifiable && JSON.stringify(links['verify']?.['hints']) !== '{"allow":["POST"]}') wrong.push(`verify link of ${f.id}`);
    }
    expect(wrong).toEqual([]);
  });

  test('abandoned PENDING_ACTIVATION pushes carry _embedded.activation', () => {
    const pending = all.map((x) => x.fs.filter((f) => f.factorType === 'push' && f.status === 'PENDING_ACTIVATION'));
    const first = pending.flat()[0] as Factor;
    expect(first['_embedded']).toEqual({ activation: expect.objectContaining({ expiresAt: expect.any(String), factorResult: 'TIMEOUT', _links: expect.objectContaining({ qrcode: expect.any(Object), send: expect.any(Array) }) }) });
    expect((first['_links'] as JsonObject)['poll']).toBeDefined();
    const multi = pending.filter((p) => p.length > 1).length;
    if (pipeline === 'idx') expect(multi).toBeGreaterThan(0);
    else expect(multi).toBe(0);
  });

  test('Okta Verify: devices, duplicates and hostile device names', () => {
    const hostile = rows.filter((f) => f.factorType === 'push' && /^[=+\-@\t\r]/.test(String(f.profile?.['name'] ?? '')));
    expect(hostile.length).toBeGreaterThan(0);
    if (pipeline === 'v1') {
      // Classic: at most one push, except the documented anomaly of two rows for one device name.
      const anomalies = all.filter((x) => pushes(x.fs).length > 1);
      expect(anomalies.length).toBeGreaterThan(0);
      for (const { fs } of anomalies) {
        expect(pushes(fs)).toHaveLength(2);
        expect(nameOf(pushes(fs)[0] as Factor)).toBe(nameOf(pushes(fs)[1] as Factor));
      }
      expect(rows.some((f) => f.factorType === 'signed_nonce')).toBe(false);
      for (const { u } of all) expect(o.authenticatorEnrollments(u.id)).toEqual([]);
      return;
    }
    let multiDevice = 0;
    let duplicates = 0;
    let classicOnly = 0;
    for (const { u, fs } of all) {
      const ov = ovEnrollments(o, u.id);
      const activePush = pushes(fs).filter((f) => f.status === 'ACTIVE');
      const nonces = fs.filter((f) => f.factorType === 'signed_nonce');
      const totps = fs.filter((f) => f.factorType === 'token:software:totp' && f.provider === 'OKTA');
      // The Factors API shows one device (its trio, or push+totp for pre-upgrade enrollments).
      expect(activePush.length).toBeLessThanOrEqual(1);
      expect(totps.length).toBe(activePush.length);
      expect(nonces.length).toBeLessThanOrEqual(activePush.length);
      expect(ov.length).toBeGreaterThanOrEqual(activePush.length);
      for (const f of [...activePush, ...nonces]) expect(ov.map(nameOf)).toContain(nameOf(f));
      if (activePush.length === 1 && nonces.length === 0) classicOnly++;
      if (ov.length > activePush.length) multiDevice++;
      if (new Set(ov.map(nameOf)).size < ov.length) duplicates++;
      const signedNonce = nonces[0];
      if (signedNonce !== undefined) {
        expect(nameOf(signedNonce)).toBe(nameOf(activePush[0] as Factor));
        const keys = signedNonce.profile?.['keys'] as JsonObject[];
        expect(keys.map((k) => k['jwkType'])).toEqual(['proofOfPossession', 'userVerification']);
        expect(keys[0]).toEqual(expect.objectContaining({ kty: 'RSA', use: 'sig', e: 'AQAB' }));
      }
    }
    expect(multiDevice).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
    expect(classicOnly).toBeGreaterThan(0);
  });

  test('idx enrollments mirror the factors', () => {
    if (pipeline === 'v1') return;
    const keys = new Set<string>();
    const wrong: string[] = [];
    const required = ['type', 'id', 'key', 'status', 'name', 'nickname', 'created', 'lastUpdated', '_links'];
    for (const { u, fs } of all) {
      const es = enrollmentsOf(o, u.id);
      for (const e of es) {
        keys.add(e['key'] as string);
        if (!required.every((k) => k in e)) wrong.push(`fields of ${String(e['id'])}`);
        if (Object.keys(e['_links'] as JsonObject).join() !== 'self,user,authenticator') wrong.push(`links of ${String(e['id'])}`);
      }
      const phones = es.filter((e) => e['key'] === 'phone_number').length;
      if (phones !== (fs.some((f) => (f.factorType === 'sms' || f.factorType === 'call') && f.status === 'ACTIVE') ? 1 : 0)) wrong.push(`phones of ${u.id}`);
      if (es.some((e) => e['key'] === 'okta_email') !== fs.some((f) => f.factorType === 'email')) wrong.push(`email of ${u.id}`);
    }
    expect(wrong).toEqual([]);
    for (const k of ['okta_password', 'okta_email', 'okta_verify', 'phone_number', 'security_question', 'webauthn', 'google_otp', 'yubikey_token', 'onprem_mfa', 'symantec_vip', 'custom_otp', 'duo']) {
      expect(keys).toContain(k);
    }
  });

  test('non-ASCII names and hostile strings', () => {
    const firsts = users.map((u) => String(u.profile['firstName']));
    const lasts = users.map((u) => String(u.profile['lastName']));
    const values = [...firsts, ...lasts];
    expect(firsts).toContain('=HYPERLINK("http://x","y")');
    for (const start of ['+', '-', '@', '\t', '\r']) expect(values.some((v) => v.startsWith(start))).toBe(true);
    expect(users.some((u) => u.profile['title'] === TEN_KB_TITLE)).toBe(true);
    expect(TEN_KB_TITLE).toHaveLength(10_240);
    expect(values.some((v) => /[À-ž]/.test(v))).toBe(true);
    expect(values.some((v) => /[\u4e00-\u9fff]/.test(v))).toBe(true);
    expect(values.some((v) => /[\u0600-\u06ff]/.test(v))).toBe(true);
    expect(values.some((v) => /\p{Extended_Pictographic}/u.test(v))).toBe(true);
    expect(users.some((u) => /[^\x00-\x7f]/.test(u.profile.login))).toBe(true);
  });
});

describe('org configuration', () => {
  test.each(['idx', 'v1'] as const)('authenticators, policies, rules (%s)', (pipeline) => {
    const o = org(pipeline, 500);
    const auth = o.authenticators();
    for (const k of ['okta_verify', 'okta_email', 'okta_password', 'phone_number', 'security_question', 'webauthn', 'google_otp', 'duo', 'onprem_mfa', 'symantec_vip', 'yubikey_token', 'custom_otp']) {
      const a = auth.find((x) => x['key'] === k);
      expect(a).toEqual(expect.objectContaining({ id: expect.stringMatching(/^aut/), type: expect.any(String), status: 'ACTIVE', _links: expect.objectContaining({ self: expect.any(Object), methods: expect.any(Object) }) }));
    }
    const policies = o.policies();
    const mfa = policies.filter((p) => p['type'] === 'MFA_ENROLL');
    const settings = mfa.map((p) => p['settings'] as JsonObject);
    const classic = settings.filter((s) => s['factors'] !== undefined);
    expect(classic.length).toBeGreaterThan(0);
    expect(classic.some((s) => ((s['factors'] as JsonObject)['okta_email'] as JsonObject)['enroll'])).toBe(true);
    expect(classic.some((s) => JSON.stringify((s['factors'] as JsonObject)['okta_email']).includes('"OPTIONAL"'))).toBe(true);
    const converted = settings.filter((s) => s['type'] === 'AUTHENTICATORS');
    expect(converted.length).toBe(pipeline === 'idx' ? 1 : 0);
    expect(converted.every((s) => s['factors'] === undefined && Array.isArray(s['authenticators']))).toBe(true);
    const types = new Set(policies.map((p) => p['type']));
    expect(types).toEqual(new Set(pipeline === 'idx' ? ['MFA_ENROLL', 'OKTA_SIGN_ON', 'ACCESS_POLICY', 'IDP_DISCOVERY'] : ['MFA_ENROLL', 'OKTA_SIGN_ON', 'IDP_DISCOVERY']));

    const rules = (type: string): JsonObject[] => policies.filter((p) => p['type'] === type).flatMap((p) => o.policyRules(p['id'] as string) ?? []);
    const iwa = rules('IDP_DISCOVERY').filter((r) => (((r['actions'] as JsonObject)['idp'] as JsonObject)['providers'] as JsonObject[]).some((p) => p['type'] === 'IWA'));
    expect(iwa).toHaveLength(1);
    expect(rules('MFA_ENROLL').some((r) => ((r['actions'] as JsonObject)['enroll'] as JsonObject)['self'] === 'NEVER')).toBe(true);
    for (const p of policies) expect(o.policyRules(p['id'] as string)?.length).toBeGreaterThan(0);
    expect(o.policyRules('00pUnknownPolicy0000')).toBeUndefined();
  });

  test('event hooks include Classic-only events', () => {
    const hooks = org('idx', 100).eventHooks();
    const items = hooks.flatMap((h) => ((h['events'] as JsonObject)['items'] as string[]));
    expect(items).toEqual(expect.arrayContaining(['user.authentication.authenticate', 'user.credential.enroll', 'user.lifecycle.activate']));
    for (const h of hooks) expect(h['id']).toMatch(/^who[0-9A-Za-z]{17}$/);
  });

  test.each(['idx', 'v1'] as const)('API tokens: Okta metadata shape, some owners gone (%s)', (pipeline) => {
    const o = org(pipeline, 2000);
    const tokens = o.apiTokens();
    const statuses = tokens.map((t) => o.user(t['userId'] as string)?.status);
    expect(statuses).toEqual(expect.arrayContaining(['DEPROVISIONED', 'SUSPENDED', 'ACTIVE']));
    for (const t of tokens) {
      expect(Object.keys(t).sort()).toEqual(['_links', 'clientName', 'created', 'expiresAt', 'id', 'lastUpdated', 'name', 'network', 'tokenWindow', 'userId']);
      expect(t['id']).toMatch(/^00T[0-9A-Za-z]{17}$/);
    }
    expect(org(pipeline, 0).apiTokens()).toEqual([]);
  });
});

describe.each(['idx', 'v1'] as const)('System Log (%s)', (pipeline) => {
  const o = org(pipeline, 2000, 11);
  let logs: LogEvent[] = [];
  beforeAll(() => { logs = [...o.logs()]; });
  afterAll(() => { logs = []; });
  const tokenIds = new Set(o.apiTokens().map((t) => t['id']));
  const uri = (e: LogEvent): string => ((e['debugContext'] as JsonObject)['debugData'] as JsonObject)['requestUri'] as string;
  const ua = (e: LogEvent): string => (((e['client'] as JsonObject)['userAgent'] as JsonObject)['rawUserAgent']) as string;
  const tokenOf = (e: LogEvent): unknown => (((e['transaction'] as JsonObject)['detail'] as JsonObject)['requestApiTokenId']);

  test('volume, order and window', () => {
    expect(logs.length).toBe(logEventCount({ users: 2000 } as GenContext));
    expect(logs.length / 2000).toBeGreaterThanOrEqual(2);
    expect(logs.length / 2000).toBeLessThanOrEqual(3);
    const from = new Date(NOW.getTime() - LOG_WINDOW_DAYS * DAY).toISOString();
    for (const [k, e] of logs.entries()) {
      expect(e.published >= from && e.published < NOW.toISOString()).toBe(true);
      const prev = logs[k - 1];
      if (prev) expect(prev.published < e.published || (prev.published === e.published && prev.uuid < e.uuid)).toBe(true);
    }
    expect(new Set(logs.map((e) => e.uuid)).size).toBe(logs.length);
  });

  test('full LogEvent shape', () => {
    for (const e of logs.slice(0, 200)) {
      expect(Object.keys(e).sort()).toEqual(['actor', 'authenticationContext', 'client', 'debugContext', 'device', 'displayMessage', 'eventType', 'legacyEventType',
        'outcome', 'published', 'request', 'securityContext', 'severity', 'target', 'transaction', 'uuid', 'version'].sort());
      expect(e.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      // Org-level events name what they changed (an org factor); every other event is about a user.
      const first = e.eventType.startsWith('system.mfa.factor.')
        ? { type: 'Factor', id: expect.stringMatching(/^okta_/) }
        : { type: 'User', id: expect.stringMatching(/^00u/) };
      expect((e['target'] as JsonObject[])[0]).toEqual(expect.objectContaining(first));
    }
  });

  test('factor lifecycle, pushes and repeated push enrollment attempts', () => {
    const types = new Set(logs.map((e) => e.eventType));
    for (const t of ['user.mfa.factor.activate', 'user.mfa.factor.deactivate', 'user.mfa.factor.reset_all', 'user.mfa.factor.update',
      'system.push.send_factor_verify_push', 'user.authentication.auth_via_mfa', 'user.session.start']) expect(types).toContain(t);
    const attempts = new Map<string, string[]>();
    for (const e of logs.filter((x) => x.eventType === 'user.mfa.factor.activate')) {
      const f = (e['target'] as JsonObject[])[1] as JsonObject;
      if (!String(f['id']).startsWith('opf')) continue;
      const key = `${String((e['target'] as JsonObject[])[0]?.['id'])}/${String(f['id'])}`;
      attempts.set(key, [...(attempts.get(key) ?? []), (e['outcome'] as JsonObject)['result'] as string]);
    }
    const retried = [...attempts.values()].filter((r) => r.length > 1 && r.includes('FAILURE') && r.at(-1) === 'SUCCESS');
    expect(retried.length).toBeGreaterThan(0);
  });

  test('events about a factor target the user and one of its factors or enrollments', () => {
    let checked = 0;
    const known = new Map<string, Set<string>>();
    for (const e of logs) {
      const target = e['target'] as JsonObject[];
      if (target.length < 2 || e.eventType === 'user.mfa.factor.deactivate') continue;
      const [user, factor] = target as [JsonObject, JsonObject];
      expect(factor['type']).toBe('AuthenticatorEnrollment');
      const uid = user['id'] as string;
      let ids = known.get(uid);
      if (ids === undefined) {
        ids = new Set([...(o.factors(uid) ?? []), ...(o.authenticatorEnrollments(uid) ?? [])].map((f) => f['id'] as string));
        known.set(uid, ids);
      }
      expect(ids).toContain(factor['id']);
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });

  test('Classic API calls by API tokens with non-browser agents, beside browser sign-ins', () => {
    const patterns: Record<string, RegExp> = {
      authn: /^\/api\/v1\/authn$/,
      authnVerify: /^\/api\/v1\/authn\/factors\/opf\w{17}\/verify$/,
      sessions: /^\/api\/v1\/sessions$/,
      enroll: /^\/api\/v1\/users\/00u\w{17}\/factors$/,
      activate: /^\/api\/v1\/users\/00u\w{17}\/factors\/\w{20}\/lifecycle\/activate$/,
      verify: /^\/api\/v1\/users\/00u\w{17}\/factors\/opf\w{17}\/verify$/,
      poll: /^\/api\/v1\/users\/00u\w{17}\/factors\/opf\w{17}\/transactions\/.+$/,
      delete: /^\/api\/v1\/users\/00u\w{17}\/factors\/\w{20}$/,
    };
    const byToken = logs.filter((e) => tokenOf(e) !== undefined);
    for (const [name, re] of Object.entries(patterns)) {
      const hits = byToken.filter((e) => re.test(uri(e)));
      expect([name, hits.length > 0]).toEqual([name, true]);
    }
    for (const e of byToken) {
      expect(tokenIds).toContain(tokenOf(e));
      expect(ua(e)).not.toMatch(/^Mozilla/);
    }
    expect([...new Set(byToken.map(ua))]).toEqual(expect.arrayContaining(['python-requests/2.31.0', 'okhttp/4.12.0', 'Java/17.0.8']));
    const browser = logs.filter((e) => tokenOf(e) === undefined && ua(e).startsWith('Mozilla/5.0'));
    if (pipeline === 'idx') expect(browser.some((e) => uri(e).startsWith('/idp/idx/'))).toBe(true);
    else expect(logs.some((e) => uri(e).startsWith('/idp/idx/'))).toBe(false);
    if (pipeline === 'v1') expect(logs.some((e) => e.eventType === 'user.mfa.okta_verify.deny_push')).toBe(true);
  });

  test('logs(fromMs) resumes exactly where the full stream would be', () => {
    const cut = logs[Math.floor(logs.length / 2)] as LogEvent;
    const fromMs = Date.parse(cut.published);
    const expected = logs.filter((e) => Date.parse(e.published) >= fromMs);
    expect([...o.logs(fromMs)]).toEqual(expected);
    expect([...o.logs(NOW.getTime())]).toEqual([]);
    expect([...o.logs(0)]).toHaveLength(logs.length);
  });
});

describe.each(['idx', 'v1'] as const)("Okta's OpenAPI spec accepts what the org serves (%s)", (pipeline) => {
  const spec = loadSpec();
  const maybe = spec ? test : test.skip;
  maybe('users, factors, enrollments, configuration and logs of 600 users', () => {
    const o = org(pipeline, 600, 17);
    const problems = new Set<string>();
    const check = (path: string, body: unknown): void => {
      for (const e of validateResponse(spec!, 'get', path, 200, body).errors) problems.add(e.replace(/body\/\d+/, 'body/N'));
    };
    const users = [...o.users()];
    check(SPEC_PATHS.users, users);
    for (const u of users) {
      check(SPEC_PATHS.userFactors, o.factors(u.id));
      if (pipeline === 'idx') check(SPEC_PATHS.userAuthenticatorEnrollments, o.authenticatorEnrollments(u.id));
    }
    if (pipeline === 'idx') check(SPEC_PATHS.authenticators, o.authenticators());
    for (const p of o.policies()) {
      check(SPEC_PATHS.policies, [p]);
      check(SPEC_PATHS.policyRules, o.policyRules(p['id'] as string));
    }
    check(SPEC_PATHS.logs, [...o.logs()]);
    check(SPEC_PATHS.eventHooks, o.eventHooks());
    check(SPEC_PATHS.apiTokens, o.apiTokens());
    check(SPEC_PATHS.apps, o.apps());
    check(SPEC_PATHS.brands, o.brands());
    for (const b of o.brands()) {
      const page = o.signInPage(b['id'] as string);
      if (page !== undefined) check(SPEC_PATHS.signInPageCustomized, page);
    }
    check(SPEC_PATHS.domains, { domains: o.domains() });
    check(SPEC_PATHS.trustedOrigins, o.trustedOrigins());
    check(SPEC_PATHS.inlineHooks, o.inlineHooks());
    expect([...problems].slice(0, 20)).toEqual([]);
  });
});
