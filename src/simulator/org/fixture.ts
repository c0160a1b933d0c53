/**
 * Fixture files: an org written down as exactly the JSON objects the simulator serves
 * (`FixtureFile`). `fixtureOrg` serves one from memory; `dumpFixture` writes any org source out,
 * streaming, so that loading the dump serves identical objects.
 */
import { readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { AuditError } from '../../errors.js';
import type { FixtureFile, JsonObject, LogEvent, OktaUser, OrgMetadata, OrgSource } from './types.js';

const STATUSES = new Set(['ACTIVE', 'DEPROVISIONED', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'PROVISIONED', 'RECOVERY', 'STAGED', 'SUSPENDED']);
const KEYS = new Set(['org', 'users', 'factors', 'authenticatorEnrollments', 'authenticators', 'policies', 'policyRules', 'logs', 'eventHooks', 'apiTokens',
  'apps', 'brands', 'signInPages', 'domains', 'trustedOrigins', 'inlineHooks']);

function bad(path: string, problem: string): AuditError {
  return new AuditError('ERR_USAGE', `fixture: ${path}: ${problem}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw bad(`${path}.${key}`, 'expected a non-empty string');
  return v;
}

function objectArray(v: unknown, path: string): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw bad(path, 'expected an array');
  v.forEach((item, k) => {
    if (!isObject(item)) throw bad(`${path}[${k}]`, 'expected an object');
  });
  return v as Record<string, unknown>[];
}

function arrayMap(v: unknown, path: string, knownKeys: ReadonlySet<string>, what: string): void {
  if (!isObject(v)) throw bad(path, 'expected an object keyed by id');
  for (const [key, list] of Object.entries(v)) {
    const p = `${path}[${JSON.stringify(key)}]`;
    if (!knownKeys.has(key)) throw bad(p, `no ${what} has this id`);
    objectArray(list, p);
  }
}

/** Checks what the simulator itself reads; everything else is served as written. */
function validate(f: unknown): asserts f is FixtureFile {
  if (!isObject(f)) throw bad('(root)', 'expected a JSON object');
  for (const key of Object.keys(f)) if (!KEYS.has(key)) throw bad(key, 'unknown key');
  if (!isObject(f['org'])) throw bad('org', 'expected an object');
  requireString(f['org'], 'id', 'org');
  if (f['org']['pipeline'] !== 'idx' && f['org']['pipeline'] !== 'v1') throw bad('org.pipeline', 'expected "idx" or "v1"');

  const ids = new Set<string>();
  const logins = new Set<string>();
  objectArray(f['users'], 'users').forEach((u, k) => {
    const p = `users[${k}]`;
    const id = requireString(u, 'id', p);
    if (typeof u['status'] !== 'string' || !STATUSES.has(u['status'])) throw bad(`${p}.status`, `expected one of ${[...STATUSES].join(', ')}`);
    requireString(u, 'lastUpdated', p);
    if (!isObject(u['profile'])) throw bad(`${p}.profile`, 'expected an object');
    const login = requireString(u['profile'], 'login', `${p}.profile`).toLowerCase();
    if (ids.has(id)) throw bad(`${p}.id`, `duplicate id ${JSON.stringify(id)}`);
    if (logins.has(login)) throw bad(`${p}.profile.login`, `duplicate login ${JSON.stringify(login)}`);
    ids.add(id);
    logins.add(login);
  });
  if (f['factors'] !== undefined) arrayMap(f['factors'], 'factors', ids, 'user');
  if (f['authenticatorEnrollments'] !== undefined) arrayMap(f['authenticatorEnrollments'], 'authenticatorEnrollments', ids, 'user');
  for (const key of ['authenticators', 'eventHooks', 'apiTokens', 'apps', 'trustedOrigins', 'inlineHooks', 'domains'] as const) {
    if (f[key] !== undefined) objectArray(f[key], key);
  }
  const brandIds = new Set<string>();
  if (f['brands'] !== undefined) {
    objectArray(f['brands'], 'brands').forEach((b, k) => brandIds.add(requireString(b, 'id', `brands[${k}]`)));
  }
  if (f['signInPages'] !== undefined) {
    if (!isObject(f['signInPages'])) throw bad('signInPages', 'expected an object keyed by brand id');
    for (const [key, page] of Object.entries(f['signInPages'])) {
      if (!brandIds.has(key)) throw bad(`signInPages[${JSON.stringify(key)}]`, 'no brand has this id');
      if (!isObject(page)) throw bad(`signInPages[${JSON.stringify(key)}]`, 'expected an object');
    }
  }
  const policyIds = new Set<string>();
  if (f['policies'] !== undefined) {
    objectArray(f['policies'], 'policies').forEach((p, k) => policyIds.add(requireString(p, 'id', `policies[${k}]`)));
  }
  if (f['policyRules'] !== undefined) arrayMap(f['policyRules'], 'policyRules', policyIds, 'policy');
  if (f['logs'] !== undefined) {
    objectArray(f['logs'], 'logs').forEach((e, k) => {
      for (const key of ['uuid', 'published', 'eventType']) requireString(e, key, `logs[${k}]`);
      if (Number.isNaN(Date.parse(e['published'] as string))) throw bad(`logs[${k}].published`, 'expected an ISO 8601 date');
    });
  }
}

const byId = (a: OktaUser, b: OktaUser): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byPublished = (a: LogEvent, b: LogEvent): number =>
  a.published < b.published ? -1 : a.published > b.published ? 1 : a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0;

class FixtureOrg implements OrgSource {
  readonly org: OrgMetadata;
  readonly userCount: number;
  private readonly sortedUsers: OktaUser[];
  private readonly byId = new Map<string, OktaUser>();
  private readonly byLogin = new Map<string, OktaUser>();
  private readonly sortedLogs: LogEvent[];
  private readonly logMs: number[];

  constructor(private readonly f: FixtureFile) {
    this.org = f.org;
    this.sortedUsers = [...f.users].sort(byId);
    this.userCount = this.sortedUsers.length;
    for (const u of this.sortedUsers) {
      this.byId.set(u.id, u);
      this.byLogin.set(u.profile.login.toLowerCase(), u);
    }
    this.sortedLogs = [...(f.logs ?? [])].sort(byPublished);
    this.logMs = this.sortedLogs.map((e) => Date.parse(e.published));
  }

  *users(afterId?: string): Generator<OktaUser> {
    let lo = 0;
    if (afterId !== undefined) {
      let hi = this.sortedUsers.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.sortedUsers[mid] as OktaUser).id > afterId) hi = mid;
        else lo = mid + 1;
      }
    }
    for (let i = lo; i < this.sortedUsers.length; i++) yield this.sortedUsers[i] as OktaUser;
  }

  user(idOrLogin: string): OktaUser | undefined {
    return this.byId.get(idOrLogin) ?? this.byLogin.get(idOrLogin.toLowerCase());
  }

  factors(userId: string): JsonObject[] | undefined {
    const u = this.user(userId);
    return u === undefined ? undefined : (this.f.factors?.[u.id] ?? []);
  }

  authenticatorEnrollments(userId: string): JsonObject[] | undefined {
    const u = this.user(userId);
    return u === undefined ? undefined : (this.f.authenticatorEnrollments?.[u.id] ?? []);
  }

  authenticators(): JsonObject[] {
    return this.f.authenticators ?? [];
  }

  policies(): JsonObject[] {
    return this.f.policies ?? [];
  }

  policyRules(policyId: string): JsonObject[] | undefined {
    const rules = this.f.policyRules?.[policyId];
    if (rules !== undefined) return rules;
    return this.policies().some((p) => p['id'] === policyId) ? [] : undefined;
  }

  *logs(fromMs?: number): Generator<LogEvent> {
    let lo = 0;
    if (fromMs !== undefined) {
      let hi = this.logMs.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.logMs[mid] as number) >= fromMs) hi = mid;
        else lo = mid + 1;
      }
    }
    for (let i = lo; i < this.sortedLogs.length; i++) yield this.sortedLogs[i] as LogEvent;
  }

  eventHooks(): JsonObject[] {
    return this.f.eventHooks ?? [];
  }

  apiTokens(): JsonObject[] {
    return this.f.apiTokens ?? [];
  }

  apps(): JsonObject[] {
    return this.f.apps ?? [];
  }

  brands(): JsonObject[] {
    return this.f.brands ?? [];
  }

  signInPage(brandId: string): JsonObject | undefined {
    return Object.hasOwn(this.f.signInPages ?? {}, brandId) ? this.f.signInPages?.[brandId] : undefined;
  }

  domains(): JsonObject[] {
    return this.f.domains ?? [];
  }

  trustedOrigins(): JsonObject[] {
    return this.f.trustedOrigins ?? [];
  }

  inlineHooks(): JsonObject[] {
    return this.f.inlineHooks ?? [];
  }
}

/** Serves a fixture held in memory. Throws AuditError (ERR_USAGE) naming the first bad key. */
export function fixtureOrg(f: FixtureFile): OrgSource {
  validate(f);
  return new FixtureOrg(f);
}

export function loadFixture(path: string): OrgSource {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AuditError('ERR_USAGE', `fixture ${path}: cannot read it (${(err as Error).message})`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new AuditError('ERR_USAGE', `fixture ${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  validate(parsed);
  return new FixtureOrg(parsed);
}

/** Buffers small writes into large ones; `flush` awaits the file. */
class ChunkWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly write: (s: string) => Promise<unknown>) {}
  async add(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.write(chunk);
  }
}

/**
 * Writes `source` in fixture format, one object at a time (users, factors, enrollments and logs
 * are never held together), to a 0600 temporary file renamed into place when complete.
 * Users without factors or enrollments are left out of those maps (they read back as []).
 */
export async function dumpFixture(source: OrgSource, path: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    const w = new ChunkWriter((s) => fh.write(s));
    const list = async (items: Iterable<unknown>): Promise<void> => {
      let sep = '\n';
      for (const item of items) {
        await w.add(sep + JSON.stringify(item));
        sep = ',\n';
      }
    };
    const perUser = async (get: (id: string) => JsonObject[] | undefined): Promise<void> => {
      let sep = '\n';
      for (const u of source.users()) {
        const rows = get(u.id);
        if (rows === undefined || rows.length === 0) continue;
        await w.add(`${sep}${JSON.stringify(u.id)}:${JSON.stringify(rows)}`);
        sep = ',\n';
      }
    };
    await w.add(`{"org":${JSON.stringify(source.org)},\n"users":[`);
    await list(source.users());
    await w.add('\n],\n"factors":{');
    await perUser((id) => source.factors(id));
    await w.add('\n},\n"authenticatorEnrollments":{');
    await perUser((id) => source.authenticatorEnrollments(id));
    const policies = source.policies();
    await w.add(`\n},\n"authenticators":${JSON.stringify(source.authenticators())},\n"policies":${JSON.stringify(policies)},\n"policyRules":{`);
    let sep = '\n';
    for (const p of policies) {
      const id = p['id'];
      const rules = typeof id === 'string' ? source.policyRules(id) : undefined;
      if (rules === undefined) continue;
      await w.add(`${sep}${JSON.stringify(id)}:${JSON.stringify(rules)}`);
      sep = ',\n';
    }
    await w.add('\n},\n"logs":[');
    await list(source.logs());
    const brands = source.brands();
    const pages: Record<string, JsonObject> = {};
    for (const b of brands) {
      const page = typeof b['id'] === 'string' ? source.signInPage(b['id']) : undefined;
      if (page !== undefined) pages[b['id'] as string] = page;
    }
    await w.add(`\n],\n"eventHooks":${JSON.stringify(source.eventHooks())},\n"apiTokens":${JSON.stringify(source.apiTokens())},`
      + `\n"apps":${JSON.stringify(source.apps())},\n"brands":${JSON.stringify(brands)},\n"signInPages":${JSON.stringify(pages)},`
      + `\n"domains":${JSON.stringify(source.domains())},\n"trustedOrigins":${JSON.stringify(source.trustedOrigins())},`
      + `\n"inlineHooks":${JSON.stringify(source.inlineHooks())}}\n`);
    await w.flush();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}
