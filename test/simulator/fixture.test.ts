import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AuditError } from '../../src/errors.js';
import { createGeneratedOrg } from '../../src/simulator/org/generated.js';
import { dumpFixture, fixtureOrg, loadFixture } from '../../src/simulator/org/fixture.js';
import type { FixtureFile, JsonObject, LogEvent, OktaUser, OrgSource, Pipeline } from '../../src/simulator/org/types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NOW = new Date('2026-03-10T00:00:00.000Z');
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'oie-fixture-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every method of a source, called the way the server calls them, as plain data. */
function served(o: OrgSource): JsonObject {
  const users = [...o.users()];
  const some = users.filter((_, k) => k % 37 === 0);
  const logs = [...o.logs()];
  const mid = logs[Math.floor(logs.length / 2)];
  return {
    org: o.org,
    userCount: o.userCount,
    users,
    after: some.map((u) => [...o.users(u.id)].slice(0, 3)),
    afterPrefix: some.map((u) => [...o.users(u.id.slice(0, 10))][0] ?? null),
    byId: some.map((u) => o.user(u.id) ?? null),
    byLogin: some.map((u) => o.user(u.profile.login.toUpperCase()) ?? null),
    factors: users.map((u) => o.factors(u.id) ?? null),
    factorsByLogin: some.map((u) => o.factors(u.profile.login) ?? null),
    enrollments: users.map((u) => o.authenticatorEnrollments(u.id) ?? null),
    unknown: [o.user('00uNoSuchUser0000000') ?? null, o.factors('nobody@example.com') ?? null, o.authenticatorEnrollments('x') ?? null],
    authenticators: o.authenticators(),
    policies: o.policies(),
    rules: o.policies().map((p) => o.policyRules(p['id'] as string) ?? null),
    unknownRules: o.policyRules('00pNoSuchPolicy00000') ?? null,
    logs,
    logsFrom: mid === undefined ? [] : [...o.logs(Date.parse(mid.published))],
    eventHooks: o.eventHooks(),
    apiTokens: o.apiTokens(),
    apps: o.apps(),
    brands: o.brands(),
    signInPages: o.brands().map((b) => o.signInPage(b['id'] as string) ?? null),
    unknownSignInPage: o.signInPage('bndNoSuchBrand000000') ?? null,
    domains: o.domains(),
    trustedOrigins: o.trustedOrigins(),
    inlineHooks: o.inlineHooks(),
  };
}

describe.each(['idx', 'v1'] as const)('dump then load serves identical objects (%s)', (pipeline: Pipeline) => {
  const source = createGeneratedOrg({ users: 600, seed: 21, pipeline, baseUrl: 'https://sim.example.com', now: NOW });
  const file = join(tempDir(), 'org.json');
  let expected: JsonObject = {};

  beforeAll(async () => {
    await dumpFixture(source, file);
    expected = served(source);
  });

  test('loadFixture(dump) answers every method like the source', () => {
    expect(served(loadFixture(file))).toEqual(expected);
  });

  test('fixtureOrg(JSON.parse(dump)) too, and the file is private', () => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as FixtureFile;
    expect(Object.keys(parsed)).toEqual(['org', 'users', 'factors', 'authenticatorEnrollments', 'authenticators', 'policies', 'policyRules', 'logs', 'eventHooks', 'apiTokens',
      'apps', 'brands', 'signInPages', 'domains', 'trustedOrigins', 'inlineHooks']);
    expect(served(fixtureOrg(parsed))).toEqual(expected);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('hostile values survive the round trip byte for byte', () => {
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('=HYPERLINK(\\"http://x\\",\\"y\\")');
    const loaded = loadFixture(file);
    const titles = [...loaded.users()].map((u) => u.profile['title']).filter((t): t is string => typeof t === 'string');
    expect(titles.some((t) => t.length === 10_240)).toBe(true);
    expect([...loaded.users()].some((u) => String(u.profile['lastName']).startsWith('\r'))).toBe(true);
  });
});

describe('dumpFixture', () => {
  test('replaces an existing file, leaving it 0600 and no temporary file behind', async () => {
    const dir = tempDir();
    const file = join(dir, 'org.json');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    await dumpFixture(createGeneratedOrg({ users: 20, seed: 1, pipeline: 'idx', baseUrl: 'https://sim.example.com', now: NOW }), file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['org.json']);
    expect(loadFixture(file).userCount).toBe(20);
  });

  test('streams: memory stays far below the size of the file it writes', async () => {
    const file = join(tempDir(), 'big.json');
    const source = createGeneratedOrg({ users: 4000, seed: 2, pipeline: 'idx', baseUrl: 'https://sim.example.com', now: NOW });
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let samples = 0;
    // Collect before sampling: the question is what the dump holds on to, not uncollected garbage.
    const timer = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      samples++;
    }, 250);
    await dumpFixture(source, file);
    clearInterval(timer);
    const size = statSync(file).size;
    expect(samples).toBeGreaterThan(3);
    expect(size).toBeGreaterThan(30 * 1024 * 1024);
    expect(peak).toBeLessThan(size / 8);
  });

  test('a failed dump leaves no file behind', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.json');
    const source = createGeneratedOrg({ users: 10, seed: 1, pipeline: 'idx', baseUrl: 'https://sim.example.com', now: NOW });
    const failing: OrgSource = Object.assign(Object.create(source) as OrgSource, { eventHooks: (): JsonObject[] => { throw new Error('boom'); } });
    await expect(dumpFixture(failing, file)).rejects.toThrow('boom');
    expect(readdirSync(dir)).toEqual([]);
  });
});

function minimal(): FixtureFile {
  const user = (id: string, login: string, status: OktaUser['status'] = 'ACTIVE'): OktaUser =>
    ({ id, status, lastUpdated: '2026-01-01T00:00:00.000Z', profile: { login } });
  return {
    org: { id: '00oFixture0000000000', pipeline: 'v1' },
    users: [user('00uC', 'carol@example.com'), user('00uA', 'Alice@Example.com'), user('00uB', 'bob@example.com', 'DEPROVISIONED')],
    factors: { '00uA': [{ id: 'sms1', factorType: 'sms' }] },
    policies: [{ id: '00p1', type: 'MFA_ENROLL' }, { id: '00p2', type: 'OKTA_SIGN_ON' }],
    policyRules: { '00p1': [{ id: '0pr1' }] },
    logs: [
      { uuid: 'b', published: '2026-01-02T00:00:00.000Z', eventType: 'x' },
      { uuid: 'a', published: '2026-01-02T00:00:00.000Z', eventType: 'y' },
      { uuid: 'c', published: '2026-01-01T00:00:00.000Z', eventType: 'z' },
    ],
  };
}

describe('fixtureOrg', () => {
  test('sorts users by id, indexes id and login (case-insensitively), defaults missing parts', () => {
    const o = fixtureOrg(minimal());
    expect([...o.users()].map((u) => u.id)).toEqual(['00uA', '00uB', '00uC']);
    expect([...o.users('00uA')].map((u) => u.id)).toEqual(['00uB', '00uC']);
    expect([...o.users('00uAA')].map((u) => u.id)).toEqual(['00uB', '00uC']);
    expect([...o.users('00uC')]).toEqual([]);
    expect(o.userCount).toBe(3);
    expect(o.user('alice@example.com')?.id).toBe('00uA');
    expect(o.user('00uB')?.status).toBe('DEPROVISIONED');
    expect(o.factors('00uA')).toEqual([{ id: 'sms1', factorType: 'sms' }]);
    expect(o.factors('carol@example.com')).toEqual([]);
    expect(o.factors('00uZ')).toBeUndefined();
    expect(o.authenticatorEnrollments('00uC')).toEqual([]);
    expect(o.authenticators()).toEqual([]);
    expect(o.eventHooks()).toEqual([]);
    expect(o.apiTokens()).toEqual([]);
    expect(o.policyRules('00p1')).toEqual([{ id: '0pr1' }]);
    expect(o.policyRules('00p2')).toEqual([]);
    expect(o.policyRules('00p3')).toBeUndefined();
  });

  test('serves logs by published then uuid, and from a time', () => {
    const o = fixtureOrg(minimal());
    expect([...o.logs()].map((e: LogEvent) => e.uuid)).toEqual(['c', 'a', 'b']);
    expect([...o.logs(Date.parse('2026-01-01T12:00:00.000Z'))].map((e) => e.uuid)).toEqual(['a', 'b']);
    expect([...o.logs(Date.parse('2026-02-01T00:00:00.000Z'))]).toEqual([]);
  });

  const cases: Array<[string, (f: Record<string, unknown>) => void, RegExp]> = [
    ['unknown top-level key', (f) => { f['factor'] = {}; }, /fixture: factor: unknown key/],
    ['org missing', (f) => { delete f['org']; }, /fixture: org: expected an object/],
    ['org.id missing', (f) => { f['org'] = { pipeline: 'idx' }; }, /fixture: org\.id: expected a non-empty string/],
    ['bad pipeline', (f) => { f['org'] = { id: 'o', pipeline: 'oie' }; }, /fixture: org\.pipeline: expected "idx" or "v1"/],
    ['users not an array', (f) => { f['users'] = {}; }, /fixture: users: expected an array/],
    ['user not an object', (f) => { (f['users'] as unknown[])[1] = 'x'; }, /fixture: users\[1\]: expected an object/],
    ['user without id', (f) => { delete ((f['users'] as JsonObject[])[0] as JsonObject)['id']; }, /fixture: users\[0\]\.id: expected a non-empty string/],
    ['unknown status', (f) => { ((f['users'] as JsonObject[])[2] as JsonObject)['status'] = 'ENABLED'; }, /fixture: users\[2\]\.status: expected one of ACTIVE/],
    ['user without lastUpdated', (f) => { delete ((f['users'] as JsonObject[])[1] as JsonObject)['lastUpdated']; }, /fixture: users\[1\]\.lastUpdated/],
    ['login missing', (f) => { ((f['users'] as JsonObject[])[1] as JsonObject)['profile'] = {}; }, /fixture: users\[1\]\.profile\.login: expected a non-empty string/],
    ['duplicate id', (f) => { ((f['users'] as JsonObject[])[1] as JsonObject)['id'] = '00uC'; }, /fixture: users\[1\]\.id: duplicate id "00uC"/],
    ['duplicate login', (f) => { (((f['users'] as JsonObject[])[2] as JsonObject)['profile'] as JsonObject)['login'] = 'alice@example.com'; }, /fixture: users\[2\]\.profile\.login: duplicate login/],
    ['factors for an unknown user', (f) => { f['factors'] = { '00uZ': [] }; }, /fixture: factors\["00uZ"\]: no user has this id/],
    ['factors not a list', (f) => { f['factors'] = { '00uA': {} }; }, /fixture: factors\["00uA"\]: expected an array/],
    ['enrollment not an object', (f) => { f['authenticatorEnrollments'] = { '00uA': [1] }; }, /fixture: authenticatorEnrollments\["00uA"\]\[0\]: expected an object/],
    ['policy without id', (f) => { f['policies'] = [{ type: 'MFA_ENROLL' }]; f['policyRules'] = {}; }, /fixture: policies\[0\]\.id/],
    ['rules of an unknown policy', (f) => { f['policyRules'] = { '00p9': [] }; }, /fixture: policyRules\["00p9"\]: no policy has this id/],
    ['authenticators not a list', (f) => { f['authenticators'] = {}; }, /fixture: authenticators: expected an array/],
    ['log without uuid', (f) => { delete ((f['logs'] as JsonObject[])[1] as JsonObject)['uuid']; }, /fixture: logs\[1\]\.uuid/],
    ['log with a bad date', (f) => { ((f['logs'] as JsonObject[])[0] as JsonObject)['published'] = 'yesterday'; }, /fixture: logs\[0\]\.published: expected an ISO 8601 date/],
  ];
  test.each(cases)('rejects: %s', (_name, spoil, message) => {
    const f = minimal() as unknown as Record<string, unknown>;
    spoil(f);
    const attempt = (): OrgSource => fixtureOrg(f as unknown as FixtureFile);
    expect(attempt).toThrow(AuditError);
    expect(attempt).toThrow(message);
  });

  test('rejects a non-object root', () => {
    expect(() => fixtureOrg([] as unknown as FixtureFile)).toThrow(/fixture: \(root\): expected a JSON object/);
  });
});

describe('loadFixture', () => {
  test('names the file when it is missing or not JSON', () => {
    const dir = tempDir();
    const missing = join(dir, 'missing.json');
    expect(() => loadFixture(missing)).toThrow(new RegExp(`fixture ${missing}: cannot read it`));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"org":');
    expect(() => loadFixture(broken)).toThrow(new RegExp(`fixture ${broken}: not valid JSON`));
    try {
      loadFixture(broken);
    } catch (err) {
      expect((err as AuditError).code).toBe('ERR_USAGE');
    }
  });

  test('validates what it reads', () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ org: { id: 'o', pipeline: 'idx' }, users: [{ id: 'u', status: 'ACTIVE', lastUpdated: 'x', profile: {} }] }));
    expect(() => loadFixture(file)).toThrow(/users\[0\]\.profile\.login/);
  });
});
