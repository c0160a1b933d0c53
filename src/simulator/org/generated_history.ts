/**
 * The generated org over time. Day 0 is the org as generated; each later day a seeded share of
 * users changes (CHANGE_RATE per day, CHANGE_WEIGHTS by kind): factors enrolled and removed, Okta
 * Verify re-enrolled on a new registration, all factors reset, profiles edited, users deactivated,
 * deleted and created. Every change writes the System Log events Okta writes for it, so a client
 * that reads the log can tell which users to read again. Changes of day d happen between 02:00
 * and 22:00 UTC of that day, after a crawl made early on day d−1 and before one made on day d.
 *
 * Choices where Okta documents nothing, said once here and in docs/simulator-org.md:
 * - a factor change does not move the user's `lastUpdated` (only profile and lifecycle changes
 *   do): the harder case for a client, which must read the log;
 * - Classic factor events name only the user (`target` [User], the factor in `outcome.reason`,
 *   as in public detection fixtures); Identity Engine ones add the `AuthenticatorEnrollment`;
 * - a reset of all factors is one `user.mfa.factor.reset_all` on Classic and one
 *   `user.mfa.factor.deactivate` per enrollment on Identity Engine, where the verified email and
 *   the recovery question stay (Okta's Identity Engine limitations guide).
 *
 * The history up to the served day is built once and held: about CHANGE_RATE × users × days
 * changes (10,000 a day for 1,000,000 users).
 */
import type { JsonObject, LogEvent } from './types.js';
import { type GenContext, DAY, HOUR, MINUTE, oktaId, servedPipeline } from './generated_context.js';
import { type UserCore, factorPhone, userCore } from './generated_users.js';
import { type Device, type FactorKind, type FactorPlan, type MfaPlan, holdsFactors, planMfa } from './generated_factors.js';
import { enrollmentIdOf } from './generated_enrollments.js';
import type { LogEnv } from './generated_logs.js';
import { type Spec, browserClient, render, spec } from './generated_log_events.js';
import { chance, hash32, unit, weighted } from './random.js';

const { ceil, floor } = Math;

const S = { kind: 501, who: 502, at: 503, newSms: 504, lossDevice: 505, lossU2f: 506 } as const;

/** Share of users with a change, per day. */
export const CHANGE_RATE = 0.01;

type ChangeKind = 'enroll' | 'remove' | 'reenroll_ov' | 'reset_all' | 'profile' | 'deactivate' | 'delete' | 'create';
/** Mix of changes in percent (documented in docs/simulator-org.md). */
export const CHANGE_WEIGHTS: ReadonlyArray<readonly [ChangeKind, number]> = [
  ['enroll', 25], ['remove', 15], ['reenroll_ov', 20], ['reset_all', 10], ['profile', 15], ['deactivate', 6], ['delete', 3], ['create', 6],
];

/** A user as it stands after the history: its record, its factors, and whether it still exists. */
export interface UserState {
  core: UserCore;
  plan: MfaPlan;
  deleted: boolean;
  /** Profile fields edited since day 0. */
  profile?: JsonObject;
}

export interface History {
  /** Users changed or created since day 0, by index. */
  readonly changed: ReadonlyMap<number, UserState>;
  /** Users created since day 0 (indexes users … users + created − 1). */
  readonly created: number;
  /** Their System Log events, in published then uuid order. */
  readonly events: readonly LogEvent[];
}

const FACTOR_ENUM: Record<FactorKind, string> = {
  push: 'OKTA_VERIFY_PUSH', ov_totp: 'OKTA_VERIFY_OTP', signed_nonce: 'SIGNED_NONCE', sms: 'SMS', call: 'CALL', email: 'EMAIL',
  question: 'SECURITY_QUESTION', google_totp: 'GOOGLE_OTP', yubikey: 'YUBIKEY_TOKEN', rsa: 'RSA_SECURID', symantec: 'SYMANTEC_VIP',
  hotp: 'CUSTOM_HOTP', u2f: 'FIDO_U2F', webauthn: 'FIDO_WEBAUTHN', duo: 'DUO',
};

/** The state of user `index` on day 0: generated, and for an upgraded org as the upgrade left it. */
export function initialState(ctx: GenContext, core: UserCore): UserState {
  const plan = planMfa(ctx, core);
  if (ctx.upgraded === true) applyUpgrade(ctx, core, plan);
  return { core, plan, deleted: false };
}

/**
 * What an upgrade does to a Classic user's factors (Okta's API changes and limitations guides):
 * the verified primary email and the recovery question become factors. The losses are simulated:
 * 3 % of Okta Verify devices were enrolled through the Factors API and are not mapped to a device
 * (documented), and 15 % of U2F keys carry no enrollment over (how U2F migrates is not documented).
 */
function applyUpgrade(ctx: GenContext, core: UserCore, plan: MfaPlan): void {
  if (!holdsFactors(core)) return;
  const at = core.activatedMs ?? core.createdMs;
  const has = (kind: FactorKind) => plan.factors.some((f) => f.kind === kind);
  if (!has('email')) plan.factors.push({ kind: 'email', id: oktaId(ctx, 'emf', core.index, 'upgrade'), status: 'ACTIVE', createdMs: at, lastUpdatedMs: at });
  if (core.recoveryQuestion !== null && !has('question')) {
    const q = core.passwordChangedMs ?? at;
    plan.factors.push({ kind: 'question', id: oktaId(ctx, 'ufs', core.index, 'upgrade'), status: 'ACTIVE', createdMs: q, lastUpdatedMs: q });
  }
  for (const d of plan.devices) if (chance(0.03, hash32(ctx.seed, S.lossDevice, core.index, d.slot))) d.unmapped = true;
  for (const f of plan.factors) if (f.kind === 'u2f' && chance(0.15, hash32(ctx.seed, S.lossU2f, f.id))) f.noEnrollment = true;
}

/** Changes per day: the share of the day-0 users, at least one in a non-empty org. */
export function changesPerDay(ctx: GenContext): number {
  return ctx.users === 0 ? 0 : ceil(ctx.users * CHANGE_RATE);
}

export function buildHistory(ctx: GenContext, env: LogEnv, days: number): History {
  const changed = new Map<number, UserState>();
  const events: LogEvent[] = [];
  let created = 0;
  let seq = 0;
  const idx = servedPipeline(ctx) === 'idx';
  const perDay = changesPerDay(ctx);
  const state = (i: number): UserState => {
    let s = changed.get(i);
    if (s === undefined) {
      s = initialState(ctx, userCore(ctx, i));
      changed.set(i, s);
    }
    return s;
  };

  for (let d = 1; d <= days; d++) {
    const dayStart = ctx.nowMs + (d - 1) * DAY;
    for (let k = 0; k < perDay; k++) {
      const t = floor((dayStart + 2 * HOUR + unit(hash32(ctx.seed, S.at, d, k)) * 20 * HOUR) / 1000) * 1000;
      const kind = weighted(CHANGE_WEIGHTS, hash32(ctx.seed, S.kind, d, k));
      const specs: Array<[Spec, number]> = [];
      const log = (s: Spec, offsetMs = 0) => specs.push([s, t + offsetMs]);
      if (kind === 'create') {
        const s = createUser(ctx, ctx.users + created, t, d, k);
        created += 1;
        changed.set(s.core.index, s);
        const admin = env.admin ?? s.core;
        log(lifecycleSpec(ctx, s.core, admin, 'user.lifecycle.create', '/api/v1/users'));
        log(lifecycleSpec(ctx, s.core, admin, 'user.lifecycle.activate', `/api/v1/users/${s.core.id}/lifecycle/activate`), 1000);
        const sms = s.plan.factors.find((f) => f.kind === 'sms');
        if (sms !== undefined) log(factorEvent(ctx, s, sms, 'user.mfa.factor.activate', s.core, null, idx), MINUTE);
      } else {
        const i = hash32(ctx.seed, S.who, d, k) % (ctx.users + created);
        const s = state(i);
        if (!s.deleted) applyChange(ctx, env, s, kind, t, `${d}.${k}`, log, idx);
      }
      for (const [sp, at] of specs) events.push(render(ctx, sp, -(++seq), at));
    }
  }
  events.sort((a, b) => (a.published < b.published ? -1 : a.published > b.published ? 1 : a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0));
  return { changed, created, events };
}

function createUser(ctx: GenContext, index: number, t: number, d: number, k: number): UserState {
  const base = userCore(ctx, index);
  const hasPassword = ['OKTA', 'ACTIVE_DIRECTORY', 'LDAP'].includes(base.provider.type);
  const core: UserCore = {
    ...base, status: 'ACTIVE', createdMs: t, activatedMs: t + 1000, statusChangedMs: t + 1000, lastLoginMs: null,
    passwordChangedMs: hasPassword ? t + 1000 : null, lastUpdatedMs: t + 1000, hasPassword,
    recoveryQuestion: hasPassword ? base.recoveryQuestion : null,
  };
  const plan: MfaPlan = { profile: 'none', devices: [], factors: [] };
  const s: UserState = { core, plan, deleted: false };
  if (chance(0.5, hash32(ctx.seed, S.newSms, d, k))) {
    plan.profile = 'sms';
    plan.factors.push({ kind: 'sms', id: oktaId(ctx, 'sms', 'new', d, k), status: 'ACTIVE', createdMs: t + MINUTE, lastUpdatedMs: t + MINUTE, phone: factorPhone(ctx, core) });
  }
  if (servedPipeline(ctx) === 'idx') autoFactors(ctx, s, t + 1000);
  return s;
}

/** Identity Engine lists the verified primary email, and the recovery question, as factors. */
function autoFactors(ctx: GenContext, s: UserState, at: number): void {
  const has = (kind: FactorKind) => s.plan.factors.some((f) => f.kind === kind);
  if (!has('email')) s.plan.factors.push({ kind: 'email', id: oktaId(ctx, 'emf', s.core.index, 'auto', at), status: 'ACTIVE', createdMs: at, lastUpdatedMs: at });
  if (s.core.recoveryQuestion !== null && !has('question')) {
    s.plan.factors.push({ kind: 'question', id: oktaId(ctx, 'ufs', s.core.index, 'auto', at), status: 'ACTIVE', createdMs: at, lastUpdatedMs: at });
  }
}

type Log = (s: Spec, offsetMs?: number) => void;

function applyChange(ctx: GenContext, env: LogEnv, s: UserState, kind: ChangeKind, t: number, key: string, log: Log, idx: boolean): void {
  const { core, plan } = s;
  const admin = env.admin ?? core;
  const active = holdsFactors(core);
  const removable = (f: FactorPlan) => f.status === 'ACTIVE' && f.device === undefined && !(idx && (f.kind === 'email' || f.kind === 'question'));
  switch (kind) {
    case 'enroll': {
      if (!active) return;
      const has = (k: FactorKind) => plan.factors.some((f) => f.kind === k && f.status === 'ACTIVE');
      const k: FactorKind = !has('sms') ? 'sms' : !has('google_totp') ? 'google_totp' : 'webauthn';
      const f: FactorPlan = { kind: k, id: oktaId(ctx, k === 'google_totp' ? 'ost' : k === 'sms' ? 'sms' : 'fwf', 'day', key), status: 'ACTIVE', createdMs: t, lastUpdatedMs: t };
      if (k === 'sms') f.phone = factorPhone(ctx, core);
      plan.factors.push(f);
      log(factorEvent(ctx, s, f, 'user.mfa.factor.activate', core, null, idx));
      return;
    }
    case 'remove': {
      if (!active) return;
      const f = plan.factors.find(removable);
      if (f !== undefined) {
        log(factorEvent(ctx, s, f, 'user.mfa.factor.deactivate', admin, `User reset ${FACTOR_ENUM[f.kind]} factor`, idx));
        plan.factors.splice(plan.factors.indexOf(f), 1);
      } else if (plan.devices.length > 0) {
        removeDevice(ctx, s, plan.devices[0]!, admin, log, idx);
      }
      return;
    }
    case 'reenroll_ov': {
      if (!active) return;
      const old = plan.devices[0];
      if (old !== undefined) removeDevice(ctx, s, old, core, log, idx);
      const d: Device = {
        slot: 1000 + plan.devices.length + floor(unit(hash32(ctx.seed, S.kind, key, 'slot')) * 1_000_000),
        name: old?.name ?? 'iPhone', platform: old?.platform ?? 'IOS', deviceType: old?.deviceType ?? 'SmartPhone_IPhone',
        version: old?.version ?? '17.5', createdMs: t + MINUTE, lastUpdatedMs: t + MINUTE,
      };
      plan.devices.unshift(d);
      const rows: FactorKind[] = idx ? ['push', 'ov_totp', 'signed_nonce'] : ['push', 'ov_totp'];
      const added = rows.map((kind2): FactorPlan => ({ kind: kind2, id: oktaId(ctx, kind2 === 'push' ? 'opf' : kind2 === 'ov_totp' ? 'ost' : 'snf', 'day', key), status: 'ACTIVE', createdMs: d.createdMs, lastUpdatedMs: d.createdMs, device: d }));
      plan.factors.push(...added);
      log(factorEvent(ctx, s, added[0]!, 'user.mfa.factor.activate', core, null, idx), MINUTE);
      return;
    }
    case 'reset_all': {
      if (!active) return;
      const gone = plan.factors.filter((f) => !(idx && (f.kind === 'email' || f.kind === 'question')));
      if (gone.length === 0) return;
      if (idx) {
        // One event per enrollment: the Okta Verify rows of a device, and both phone methods, are one each.
        const seen = new Set<string>();
        let n = 0;
        for (const f of gone) {
          const e = enrollmentIdOf(ctx, core, f);
          if (seen.has(e) || (f.kind === 'call' && gone.some((x) => x.kind === 'sms'))) continue;
          seen.add(e);
          log(factorEvent(ctx, s, f, 'user.mfa.factor.deactivate', admin, `User reset ${FACTOR_ENUM[f.kind]} factor`, idx), n++ * 50);
        }
      } else {
        log(lifecycleSpec(ctx, core, admin, 'user.mfa.factor.reset_all', `/api/v1/users/${core.id}/lifecycle/reset_factors`));
      }
      plan.factors = plan.factors.filter((f) => !gone.includes(f));
      plan.devices = [];
      return;
    }
    case 'profile':
      s.profile = { ...s.profile, title: `Updated ${new Date(t).toISOString().slice(0, 10)}` };
      s.core = { ...core, lastUpdatedMs: t + 123 };
      log(lifecycleSpec(ctx, s.core, admin, 'user.account.update_profile', `/api/v1/users/${core.id}`));
      return;
    case 'deactivate':
    case 'delete': {
      if (core.status !== 'DEPROVISIONED') {
        s.core = { ...core, status: 'DEPROVISIONED', statusChangedMs: t, lastUpdatedMs: t + 123 };
        s.plan = { ...plan, devices: [], factors: [] };
        log(lifecycleSpec(ctx, s.core, admin, 'user.lifecycle.deactivate', `/api/v1/users/${core.id}/lifecycle/deactivate`));
      }
      if (kind === 'delete') {
        s.deleted = true;
        log(lifecycleSpec(ctx, s.core, admin, 'user.lifecycle.delete.initiated', `/api/v1/users/${core.id}`), 1000);
      }
      return;
    }
    case 'create':
      return;
  }
}

/** Removes a device's Okta Verify rows: one deactivation, of its enrollment on Identity Engine. */
function removeDevice(ctx: GenContext, s: UserState, d: Device, actor: UserCore, log: Log, idx: boolean): void {
  const rows = s.plan.factors.filter((f) => f.device === d);
  const first = rows[0];
  if (first !== undefined) log(factorEvent(ctx, s, first, 'user.mfa.factor.deactivate', actor, `User reset ${FACTOR_ENUM[first.kind]} factor`, idx));
  s.plan.factors = s.plan.factors.filter((f) => f.device !== d);
  s.plan.devices = s.plan.devices.filter((x) => x !== d);
}

function factorEvent(ctx: GenContext, s: UserState, f: FactorPlan, eventType: string, actor: UserCore, reason: string | null, idx: boolean): Spec {
  const self = actor.id === s.core.id;
  const uri = eventType === 'user.mfa.factor.activate'
    ? (idx ? '/idp/idx/challenge/answer' : `/api/v1/authn/factors/${f.id}/lifecycle/activate`)
    : `/api/v1/users/${s.core.id}/factors/${f.id}`;
  const base = {
    actor, subject: s.core, client: browserClient(ctx, actor), session: self ? (idx ? 'idx' : '102') + s.core.id.slice(3) : 'unknown', requestUri: uri,
    // Identity Engine names the enrollment; Classic names only the user, with the factor in the reason.
    ...(idx ? { factor: { id: f.id, kind: f.kind }, targetId: enrollmentIdOf(ctx, s.core, f) } : {}),
  };
  return spec(eventType, base, 'SUCCESS', reason);
}

/** A lifecycle or account event about `subject`, by `actor` in the Admin Console. */
function lifecycleSpec(ctx: GenContext, subject: UserCore, actor: UserCore, eventType: string, uri: string): Spec {
  return spec(eventType, { actor, subject, client: browserClient(ctx, actor), session: 'unknown', requestUri: uri });
}
