/**
 * Users of the generated org, each derived from (seed, index) alone. The index is encoded in the
 * id (fixed-width base 62, so ids sort in index order) and in the login (`slug.000123@domain`), so
 * lookups by either are O(1) and iteration needs no state beyond the current index.
 */
import type { OktaUser, UserStatus } from './types.js';
import { type GenContext, DAY, MINUTE, iso, link } from './generated_context.js';
import { chance, fromBase62, hash32, intBetween, pick, randomChars, toBase62, unit, weighted } from './random.js';

// Bound once (see random.ts: global lookups are slow under vm contexts).
const { floor, max } = Math;

/** Salts of this module (other modules use other ranges, so no two draws share a hash). */
const S = {
  idTail: 101, status: 102, culture: 103, first: 104, last: 105, created: 106, createdMs: 107,
  activated: 108, statusChanged: 109, lastLogin: 110, lastLoginNull: 111, password: 112,
  updated: 113, provider: 114, question: 115, hasQuestion: 116, phone: 117, phoneNull: 118,
  phoneDigits: 119, title: 120, department: 121, hostileOffset: 122,
} as const;

/** Status mix in basis points (documented in docs/simulator-org.md). */
export const USER_STATUS_WEIGHTS: ReadonlyArray<readonly [UserStatus, number]> = [
  ['ACTIVE', 8000],
  ['PROVISIONED', 400],
  ['STAGED', 300],
  ['RECOVERY', 200],
  ['PASSWORD_EXPIRED', 200],
  ['LOCKED_OUT', 200],
  ['SUSPENDED', 300],
  ['DEPROVISIONED', 400],
];

export const LOGIN_DOMAIN = 'example.com';
const ID_PREFIX = '00u';
const INDEX_DIGITS = 7; // 62^7 ≈ 3.5e12 users
const LOGIN_INDEX_DIGITS = 6;
/** One user in HOSTILE_EVERY carries a hostile value (cycling through HOSTILE_VARIANTS). */
export const HOSTILE_EVERY = 50;

export function userId(ctx: GenContext, i: number): string {
  return ID_PREFIX + toBase62(i, INDEX_DIGITS) + randomChars(10, ctx.seed, S.idTail, i);
}

/** The index of a generated user id, or undefined if `id` is not one of the first `count` users' ids. */
export function decodeUserId(ctx: GenContext, id: string, count = ctx.users): number | undefined {
  if (id.length !== 20 || !id.startsWith(ID_PREFIX)) return undefined;
  const i = fromBase62(id.slice(3, 3 + INDEX_DIGITS));
  if (!(i >= 0 && i < count) || userId(ctx, i) !== id) return undefined; // NaN fails too
  return i;
}

/** The index encoded in a generated login (`anything.000123@domain`), if any. */
export function loginIndex(login: string): number | undefined {
  const m = /\.(\d{6,})@[^@]*$/.exec(login);
  return m?.[1] === undefined ? undefined : +m[1];
}

export function userStatus(ctx: GenContext, i: number): UserStatus {
  return weighted(USER_STATUS_WEIGHTS, hash32(ctx.seed, S.status, i));
}

// Name pools: [display, login slug, email slug]. Login slugs keep Latin accents (Okta logins may
// be non-ASCII) and romanise other scripts, as directories synced from HR systems often do;
// email slugs are ASCII, since `profile.email` must be a plain email address.
type Name = readonly [string, string, string];
interface Culture { weight: number; first: readonly Name[]; last: readonly Name[] }
const FOLD: Record<string, string> = { ø: 'o', ł: 'l', æ: 'ae', ß: 'ss', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const toAscii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x00-\x7f]/g, (c) => FOLD[c] ?? '');
const n = (display: string, slug = display.toLowerCase().replace(/[\s']/g, '')): Name => [display, slug, toAscii(slug)];
const CULTURES: readonly Culture[] = [
  { weight: 62, first: ['James', 'Mary', 'Robert', 'Patricia', 'Michael', 'Linda', 'David', 'Susan', 'Emily', 'Daniel', 'Olivia', 'Noah', 'Ava', 'Liam'].map((x) => n(x)),
    last: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Taylor', 'Clark', "O'Brien", 'Nguyen', 'Patel', 'Kim'].map((x) => n(x)) },
  { weight: 14, first: ['José', 'Zoë', 'François', 'Łukasz', 'Björn', 'Ñuño', 'Chloé', 'Søren', 'İlkay', 'Anaïs'].map((x) => n(x)),
    last: ['García', 'Ångström', 'Lefèvre', 'Wiśniewski', 'Ødegård', 'Peña', 'Müller', 'Dvořák', 'Çelik', 'Nuñez-Ruíz'].map((x) => n(x)) },
  { weight: 8, first: [n('芳', 'fang'), n('伟', 'wei'), n('花子', 'hanako'), n('翔太', 'shota'), n('민준', 'minjun'), n('서연', 'seoyeon')],
    last: [n('王', 'wang'), n('李', 'li'), n('佐藤', 'sato'), n('鈴木', 'suzuki'), n('김', 'kim'), n('박', 'park')] },
  { weight: 5, first: [n('محمد', 'mohammed'), n('فاطمة', 'fatima'), n('أحمد', 'ahmed'), n('ليلى', 'layla')],
    last: [n('العلي', 'alali'), n('حسن', 'hassan'), n('الخطيب', 'alkhatib'), n('منصور', 'mansour')] },
  { weight: 2, first: [n('דוד', 'david'), n('נועה', 'noa')], last: [n('כהן', 'cohen'), n('לוי', 'levi')] },
  { weight: 4, first: [n('Ирина', 'irina'), n('Дмитрий', 'dmitry'), n('Ольга', 'olga')], last: [n('Смирнова', 'smirnova'), n('Иванов', 'ivanov'), n('Кузнецов', 'kuznetsov')] },
  { weight: 3, first: [n('प्रिया', 'priya'), n('अर्जुन', 'arjun'), n('Ελένη', 'eleni')], last: [n('शर्मा', 'sharma'), n('पटेल', 'patel'), n('Παπαδοπούλου', 'papadopoulou')] },
  { weight: 2, first: [n('Sam 🚀', 'sam'), n('Alex 🌈', 'alex'), n('Jo👩‍💻', 'jo')], last: [n('Rivera ✨', 'rivera'), n('Lee 🎉', 'lee')] },
];
const CULTURE_TABLE = CULTURES.map((c) => [c, c.weight] as const);

/** A 10 kB (10,240 ASCII characters) value, shared by every user that carries it. */
export const TEN_KB_TITLE = ('Principal Engineer, Identity Platform; ').repeat(300).slice(0, 10_240);

/** Hostile values (spreadsheet formula prefixes, control characters, oversized fields, odd logins). */
export interface HostileVariant { firstName?: string; lastName?: string; title?: string; nickName?: string; loginSlug?: string }
export const HOSTILE_VARIANTS: readonly HostileVariant[] = [
  { firstName: '=HYPERLINK("http://x","y")' },
  { firstName: '+SUM(1,1)' },
  { lastName: '-2+3' },
  { lastName: '@SUM(A1:A2)' },
  { firstName: '\tTabbed' },
  { lastName: '\rReturned' },
  { title: TEN_KB_TITLE },
  { loginSlug: '=cmd' },
  { loginSlug: '+alias', firstName: '+alias' },
  { firstName: '\u202Egnirts', nickName: 'Line one\nLine two' },
];

export function hostileVariant(ctx: GenContext, i: number): HostileVariant | undefined {
  const k = i + (hash32(ctx.seed, S.hostileOffset) % HOSTILE_EVERY);
  if (k % HOSTILE_EVERY !== 0) return undefined;
  return HOSTILE_VARIANTS[floor(k / HOSTILE_EVERY) % HOSTILE_VARIANTS.length];
}

const PROVIDERS: ReadonlyArray<readonly [{ type: string; name: string }, number]> = [
  [{ type: 'OKTA', name: 'OKTA' }, 85],
  [{ type: 'ACTIVE_DIRECTORY', name: 'corp.example.com' }, 10],
  [{ type: 'LDAP', name: 'ldap.example.com' }, 2],
  [{ type: 'FEDERATION', name: 'FEDERATION' }, 2],
  [{ type: 'SOCIAL', name: 'Google' }, 1],
];
const QUESTIONS = [
  'What was the first computer game you played?',
  'What is the food you least liked as a child?',
  'What is the name of your first stuffed animal?',
  'Where did you go for your favorite vacation?',
];
const TITLES = ['Software Engineer', 'Account Executive', 'HR Generalist', 'IT Administrator', 'Nurse', 'Analyst', 'Director of Finance'];
const DEPARTMENTS = ['Engineering', 'Sales', 'People', 'IT', 'Clinical', 'Finance'];

/** Everything about a user that factors, enrollments and logs also need. Cheap to derive. */
export interface UserCore {
  index: number;
  id: string;
  status: UserStatus;
  login: string;
  /** The login folded to ASCII (the same as the login for most users). */
  email: string;
  firstName: string;
  lastName: string;
  displayName: string;
  mobilePhone: string | null;
  createdMs: number;
  /** null for STAGED users (never activated). */
  activatedMs: number | null;
  statusChangedMs: number | null;
  lastLoginMs: number | null;
  passwordChangedMs: number | null;
  lastUpdatedMs: number;
  provider: { type: string; name: string };
  hasPassword: boolean;
  recoveryQuestion: string | null;
  hostile: HostileVariant | undefined;
}

function phoneNumber(ctx: GenContext, i: number, salt: number): string {
  const h = hash32(ctx.seed, S.phoneDigits, i, salt);
  const d = (k: number, mod: number): string => `${floor(h / k) % mod}`;
  switch (h % 4) {
    case 0: return `+44 7700 900${d(7, 1000).padStart(3, '0')}`;
    case 1: return `+81 90-${d(3, 10000).padStart(4, '0')}-${d(11, 10000).padStart(4, '0')}`;
    default: return `+1-555-${d(5, 1000).padStart(3, '0')}-${d(13, 10000).padStart(4, '0')}`;
  }
}

export function userCore(ctx: GenContext, i: number): UserCore {
  const { seed, nowMs } = ctx;
  const status = userStatus(ctx, i);
  const hostile = hostileVariant(ctx, i);
  const culture = weighted(CULTURE_TABLE, hash32(seed, S.culture, i));
  const [first, firstSlug, firstAscii] = pick(culture.first, hash32(seed, S.first, i));
  const [last, lastSlug, lastAscii] = pick(culture.last, hash32(seed, S.last, i));
  const firstName = hostile?.firstName ?? first;
  const lastName = hostile?.lastName ?? last;
  const suffix = `.${`${i}`.padStart(LOGIN_INDEX_DIGITS, '0')}@${LOGIN_DOMAIN}`;
  const login = (hostile?.loginSlug ?? `${firstSlug}.${lastSlug}`) + suffix;
  const email = (hostile?.loginSlug ?? `${firstAscii}.${lastAscii}`) + suffix;

  const provider = weighted(PROVIDERS, hash32(seed, S.provider, i));
  const activatedOnce = status !== 'STAGED';
  const hasPassword = status !== 'STAGED' && status !== 'PROVISIONED' && (provider.type === 'OKTA' || provider.type === 'ACTIVE_DIRECTORY' || provider.type === 'LDAP');

  // Whole seconds, like Okta's created/activated; lastUpdated keeps milliseconds.
  const sec = (ms: number): number => floor(ms / 1000) * 1000;
  const ageDays = intBetween(30, 6 * 365, hash32(seed, S.created, i));
  const createdMs = sec(nowMs - ageDays * DAY + floor(unit(hash32(seed, S.createdMs, i)) * DAY * 0.9));
  const activatedMs = activatedOnce ? sec(createdMs + floor(unit(hash32(seed, S.activated, i)) * 3 * DAY)) : null;
  const last90 = nowMs - MINUTE;
  let statusChangedMs: number | null = null;
  if (activatedMs !== null) {
    statusChangedMs = status === 'ACTIVE' || status === 'PROVISIONED'
      ? activatedMs
      : sec(activatedMs + floor(unit(hash32(seed, S.statusChanged, i)) * (last90 - activatedMs)));
  }
  const inactive = status === 'DEPROVISIONED' || status === 'SUSPENDED';
  let lastLoginMs: number | null = null;
  if (activatedMs !== null && status !== 'PROVISIONED' && !chance(0.08, hash32(seed, S.lastLoginNull, i))) {
    const hi = inactive && statusChangedMs !== null ? statusChangedMs : last90;
    lastLoginMs = sec(hi - floor((hi - activatedMs) * unit(hash32(seed, S.lastLogin, i)) ** 3));
  }
  const passwordChangedMs = hasPassword && activatedMs !== null
    ? sec(activatedMs + floor(unit(hash32(seed, S.password, i)) * ((statusChangedMs ?? last90) - activatedMs)))
    : null;
  const latest = max(createdMs, activatedMs ?? 0, statusChangedMs ?? 0, passwordChangedMs ?? 0);
  const lastUpdatedMs = latest + floor(unit(hash32(seed, S.updated, i)) * (nowMs - 1 - latest) * 0.5);

  const recoveryQuestion = hasPassword && chance(0.6, hash32(seed, S.hasQuestion, i)) ? pick(QUESTIONS, hash32(seed, S.question, i)) : null;
  const mobilePhone = chance(0.4, hash32(seed, S.phoneNull, i)) ? null : phoneNumber(ctx, i, S.phone);
  return {
    index: i, id: userId(ctx, i), status, login, email, firstName, lastName, displayName: `${firstName} ${lastName}`,
    mobilePhone, createdMs, activatedMs, statusChangedMs, lastLoginMs, passwordChangedMs, lastUpdatedMs,
    provider, hasPassword, recoveryQuestion, hostile,
  };
}

/** The user's SMS/voice number in E.164, as the Factors API requires: the profile's mobile phone, else another. */
export function factorPhone(ctx: GenContext, core: UserCore): string {
  return `+${(core.mobilePhone ?? phoneNumber(ctx, core.index, S.phoneDigits)).replace(/\D/g, '')}`;
}

const typeIds = new WeakMap<GenContext, string>();
/** The org-wide default user type id (memoised: every user carries it). */
export function userTypeId(ctx: GenContext): string {
  let id = typeIds.get(ctx);
  if (id === undefined) {
    id = 'oty' + randomChars(17, ctx.seed, 'oty');
    typeIds.set(ctx, id);
  }
  return id;
}

/** The user as `GET /api/v1/users` lists it (collection form: `_links` has only `self`). */
export function renderUser(ctx: GenContext, core: UserCore): OktaUser {
  const { seed } = ctx;
  const i = core.index;
  const profile: OktaUser['profile'] = {
    login: core.login,
    firstName: core.firstName,
    lastName: core.lastName,
    email: core.email,
    mobilePhone: core.mobilePhone,
    secondEmail: null,
  };
  const title = core.hostile?.title ?? (chance(0.6, hash32(seed, S.title, i)) ? pick(TITLES, hash32(seed, S.title, i, 1)) : undefined);
  if (title !== undefined) profile['title'] = title;
  if (chance(0.5, hash32(seed, S.department, i))) profile['department'] = pick(DEPARTMENTS, hash32(seed, S.department, i, 1));
  if (core.hostile?.nickName !== undefined) profile['nickName'] = core.hostile.nickName;

  const credentials: Record<string, unknown> = {};
  if (core.hasPassword) credentials['password'] = {};
  if (core.recoveryQuestion !== null) credentials['recovery_question'] = { question: core.recoveryQuestion };
  credentials['provider'] = { ...core.provider };

  const d = (ms: number | null): string | null => (ms === null ? null : iso(ms));
  return {
    id: core.id,
    status: core.status,
    created: iso(core.createdMs),
    activated: d(core.activatedMs),
    statusChanged: d(core.statusChangedMs),
    lastLogin: d(core.lastLoginMs),
    lastUpdated: iso(core.lastUpdatedMs),
    passwordChanged: d(core.passwordChangedMs),
    type: { id: userTypeId(ctx) },
    profile,
    credentials,
    _links: { self: link(`${ctx.baseUrl}/api/v1/users/${core.id}`) },
  };
}
