import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import { DEFAULT_SCOPES, type Config, type PrivateKeyAuth, type SswsAuth } from '../../src/config/schema.js';
import { parseLogsSince } from '../../src/config/durations.js';
import { cleanupDirs, NOW, ORG, RSA_JWK, RSA_PEM, TOKEN, tempDir, yamlBlock } from './helpers.js';

afterAll(cleanupDirs);

const DAY = 24 * 60 * 60 * 1000;
const TOKEN_ENV = { OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_TOKEN: TOKEN };

function load(opts: Partial<LoadOptions> & { yaml?: string } = {}): { config: Config; dir: string } {
  const { yaml, ...rest } = opts;
  const dir = rest.cwd ?? tempDir(yaml);
  return { config: loadConfig({ env: {}, now: NOW, ...rest, cwd: dir }), dir };
}

function ssws(config: Config): SswsAuth {
  if (config.auth.mode !== 'SSWS') throw new Error('expected SSWS');
  return config.auth;
}

function privateKey(config: Config): PrivateKeyAuth {
  if (config.auth.mode !== 'PrivateKey') throw new Error('expected PrivateKey');
  return config.auth;
}

describe('defaults', () => {
  test('only org URL and token given', () => {
    const { config, dir } = load({ env: TOKEN_ENV });
    expect(config).toEqual({
      orgUrl: ORG,
      auth: { mode: 'SSWS', token: expect.anything() },
      rateLimit: { maxShare: 0.5, concurrency: 8, requestTimeoutMs: 30000, maxRetries: 5 },
      crawl: { db: join(dir, 'oie-audit.db'), logsSince: new Date(NOW.getTime() - 30 * DAY), logsLookbackDays: 30 },
      report: { out: join(dir, 'reports'), formats: ['xlsx', 'csv', 'json'] },
      log: { format: 'text', quiet: false },
    });
    expect(ssws(config).token.reveal()).toBe(TOKEN);
    expect(config.configFile).toBeUndefined();
  });
});

describe('precedence: defaults < config file < env < flags', () => {
  const yaml = [
    'okta:',
    '  orgUrl: https://file.okta.com',
    `  token: file-${TOKEN}`,
    'rateLimit:',
    '  concurrency: 4',
    '  maxShare: 0.25',
    'crawl:',
    '  db: file.db',
    '  usersSearch: status eq "ACTIVE"',
    '',
  ].join('\n');

  test('the file overrides defaults', () => {
    const { config, dir } = load({ yaml });
    expect(config.orgUrl).toBe('https://file.okta.com');
    expect(ssws(config).token.reveal()).toBe(`file-${TOKEN}`);
    expect(config.rateLimit).toEqual({ maxShare: 0.25, concurrency: 4, requestTimeoutMs: 30000, maxRetries: 5 });
    expect(config.crawl.db).toBe(join(dir, 'file.db'));
    expect(config.crawl.usersSearch).toBe('status eq "ACTIVE"');
    expect(config.configFile).toBe(join(dir, 'config.yaml'));
  });

  test('env overrides the file', () => {
    const { config } = load({ yaml, env: { OKTA_CLIENT_ORGURL: 'https://env.okta.com', OKTA_CLIENT_TOKEN: TOKEN } });
    expect(config.orgUrl).toBe('https://env.okta.com');
    expect(ssws(config).token.reveal()).toBe(TOKEN);
    expect(config.rateLimit.concurrency).toBe(4);
  });

  test('flags override env and the file', () => {
    const { config, dir } = load({
      yaml,
      env: { OKTA_CLIENT_ORGURL: 'https://env.okta.com' },
      flags: {
        orgUrl: 'https://flag.okta.com',
        concurrency: '16',
        maxShare: 0.9,
        db: 'flag.db',
        usersSearch: 'status eq "SUSPENDED"',
        logsSince: '7d',
        out: 'out-dir',
        format: ['csv', 'json,csv'],
        logFormat: 'json',
        quiet: true,
      },
    });
    expect(config.orgUrl).toBe('https://flag.okta.com');
    expect(config.rateLimit).toEqual({ maxShare: 0.9, concurrency: 16, requestTimeoutMs: 30000, maxRetries: 5 });
    expect(config.crawl).toEqual({
      db: join(dir, 'flag.db'),
      usersSearch: 'status eq "SUSPENDED"',
      logsSince: new Date(NOW.getTime() - 7 * DAY),
      logsLookbackDays: 7,
    });
    expect(config.report).toEqual({ out: join(dir, 'out-dir'), formats: ['csv', 'json'] });
    expect(config.log).toEqual({ format: 'json', quiet: true });
  });

  test('undefined flags leave lower layers alone', () => {
    const { config } = load({ yaml, flags: { orgUrl: undefined, concurrency: undefined } as LoadOptions['flags'] });
    expect(config.orgUrl).toBe('https://file.okta.com');
    expect(config.rateLimit.concurrency).toBe(4);
  });
});

describe('config file discovery', () => {
  test('./config.yaml in cwd is read automatically', () => {
    const { config, dir } = load({ yaml: `okta:\n  orgUrl: ${ORG}\n  token: ${TOKEN}\n` });
    expect(config.orgUrl).toBe(ORG);
    expect(config.configFile).toBe(join(dir, 'config.yaml'));
  });

  test('an explicit configFile wins over ./config.yaml and is resolved against cwd', () => {
    const dir = tempDir('okta:\n  orgUrl: https://ignored.okta.com\n');
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'audit.yaml'), `okta:\n  orgUrl: ${ORG}\n  token: ${TOKEN}\n`);
    const { config } = load({ cwd: dir, configFile: 'conf/audit.yaml' });
    expect(config.orgUrl).toBe(ORG);
    expect(config.configFile).toBe(join(dir, 'conf', 'audit.yaml'));
  });

  test('no config file at all is fine', () => {
    expect(load({ env: TOKEN_ENV }).config.configFile).toBeUndefined();
  });

  test("the SDK's okta.yaml is never read", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'okta.yaml'), `okta:\n  client:\n    orgUrl: ${ORG}\n    token: ${TOKEN}\n`);
    expect(() => load({ cwd: dir, env: { OKTA_CLIENT_TOKEN: TOKEN } })).toThrow(/^okta\.orgUrl: is not set\./);
  });

  test('an empty file, and blank values, mean "not set"', () => {
    expect(load({ yaml: '', env: TOKEN_ENV }).config.rateLimit.concurrency).toBe(8);
    const { config } = load({
      yaml: 'okta:\n  token:\n  clientId:\nrateLimit:\n  concurrency:\ncrawl:\n',
      env: TOKEN_ENV,
    });
    expect(config.rateLimit.concurrency).toBe(8);
    expect(config.auth.mode).toBe('SSWS');
  });

  test('a YAML key named __proto__ is an unknown setting, not a prototype', () => {
    expect(() => load({ yaml: '__proto__:\n  polluted: true\n', env: TOKEN_ENV })).toThrow(
      /^__proto__: is not a known setting\./,
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('org URL', () => {
  test.each([
    ['https://acme.okta.com/', ORG],
    ['  https://ACME.okta.com:443/  ', ORG],
    ['https://acme.oktapreview.com', 'https://acme.oktapreview.com'],
    ['https://login.example.com', 'https://login.example.com'],
    ['https://acme.okta.com:8443/', 'https://acme.okta.com:8443'],
  ])('%s is normalised to %s', (input, expected) => {
    expect(load({ env: { ...TOKEN_ENV, OKTA_CLIENT_ORGURL: input } }).config.orgUrl).toBe(expected);
  });

  test.each([
    ['http://localhost:8080/', 'http://localhost:8080'],
    ['http://127.0.0.1:9000', 'http://127.0.0.1:9000'],
    ['http://127.45.0.3', 'http://127.45.0.3'],
    ['http://[::1]:8443/', 'http://[::1]:8443'],
  ])('http:// to loopback %s is allowed (the simulator)', (input, expected) => {
    expect(load({ flags: { orgUrl: input }, env: { OKTA_CLIENT_TOKEN: TOKEN } }).config.orgUrl).toBe(expected);
  });

  test('a custom domain ending in -admin is not mistaken for the Admin Console', () => {
    const orgUrl = 'https://sso-admin.example.com';
    expect(load({ env: { ...TOKEN_ENV, OKTA_CLIENT_ORGURL: orgUrl } }).config.orgUrl).toBe(orgUrl);
  });
});

describe('PrivateKey mode', () => {
  const keyEnv = { OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_CLIENTID: '0oa1serviceapp', OKTA_CLIENT_PRIVATEKEY: RSA_PEM };

  test('inferred from a private key, with default scopes', () => {
    const auth = privateKey(load({ env: keyEnv }).config);
    expect(auth).toEqual({ mode: 'PrivateKey', clientId: '0oa1serviceapp', scopes: DEFAULT_SCOPES, privateKey: expect.anything() });
    expect(auth.privateKey.reveal()).toBe(RSA_PEM.trim());
  });

  test('scopes from env, space or comma separated; keyId and explicit mode', () => {
    const auth = privateKey(
      load({
        env: {
          ...keyEnv,
          OKTA_CLIENT_SCOPES: 'okta.users.read, okta.logs.read okta.users.read',
          OKTA_CLIENT_KEYID: 'kid-1',
          OKTA_CLIENT_AUTHORIZATIONMODE: 'PrivateKey',
        },
      }).config,
    );
    expect(auth.scopes).toEqual(['okta.users.read', 'okta.logs.read']);
    expect(auth.keyId).toBe('kid-1');
  });

  test('scopes in the file as one string', () => {
    const auth = privateKey(load({ yaml: 'okta:\n  scopes: okta.users.read okta.logs.read\n', env: keyEnv }).config);
    expect(auth.scopes).toEqual(['okta.users.read', 'okta.logs.read']);
  });

  test('a JWK inline in the file', () => {
    const yaml = `okta:\n  orgUrl: ${ORG}\n  clientId: 0oa1\n  privateKey: '${RSA_JWK}'\n`;
    expect(privateKey(load({ yaml }).config).privateKey.reveal()).toBe(RSA_JWK);
  });

  test('a PEM block in the file', () => {
    const yaml = `okta:\n  orgUrl: ${ORG}\n  clientId: 0oa1\n${yamlBlock('privateKey', RSA_PEM)}`;
    expect(privateKey(load({ yaml }).config).privateKey.reveal()).toBe(RSA_PEM.trim());
  });

  test('a one-line PEM with literal \\n escapes in env', () => {
    const oneLine = RSA_PEM.trim().replace(/\n/g, '\\n');
    const auth = privateKey(load({ env: { ...keyEnv, OKTA_CLIENT_PRIVATEKEY: oneLine } }).config);
    expect(auth.privateKey.reveal()).toBe(RSA_PEM.trim());
  });

  test('a key file, resolved against cwd', () => {
    const dir = tempDir(`okta:\n  orgUrl: ${ORG}\n  clientId: 0oa1\n  privateKeyFile: keys/app.pem\n`);
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'app.pem'), RSA_PEM);
    const auth = privateKey(load({ cwd: dir }).config);
    expect(auth.privateKeyFile).toBe(join(dir, 'keys', 'app.pem'));
    expect(auth.privateKey.reveal()).toBe(RSA_PEM.trim());
  });
});

describe('other settings', () => {
  test(':memory: database is kept as is', () => {
    expect(load({ env: TOKEN_ENV, flags: { db: ':memory:' } }).config.crawl.db).toBe(':memory:');
  });

  test('absolute paths stay absolute', () => {
    const { config } = load({ env: TOKEN_ENV, flags: { db: '/var/lib/audit.db', out: '/tmp/reports' } });
    expect(config.crawl.db).toBe('/var/lib/audit.db');
    expect(config.report.out).toBe('/tmp/reports');
  });

  test('formats accept a single comma string from a flag', () => {
    expect(load({ env: TOKEN_ENV, flags: { format: 'xlsx,csv' } }).config.report.formats).toEqual(['xlsx', 'csv']);
  });

  test('quiet from a string flag', () => {
    expect(load({ env: TOKEN_ENV, flags: { quiet: 'true' } }).config.log.quiet).toBe(true);
  });
});

describe('parseLogsSince', () => {
  test.each([
    ['1d', new Date(NOW.getTime() - DAY), 1],
    ['90D', new Date(NOW.getTime() - 90 * DAY), 90],
    ['2025-05-01', new Date('2025-05-01T00:00:00Z'), undefined],
    ['2025-05-01T08:30', new Date('2025-05-01T08:30:00Z'), undefined],
    ['2025-05-01T08:30:15.250+02:00', new Date('2025-05-01T06:30:15.250Z'), undefined],
    ['2025-03-18', new Date('2025-03-18T00:00:00Z'), undefined],
    ['2025-06-15T12:00:00Z', NOW, undefined],
  ])('%s', (input, expected, days) => {
    // A number of days is a window length (measured later on the org's clock); a date is a date.
    expect(parseLogsSince(input, NOW, 90)).toEqual({ ok: true, date: expected, ...(days === undefined ? {} : { days }) });
  });

  test.each(['0d', '91d', '-1d', '30', '2025-13-01', '2025-05-01T25:00', 'May 1 2025', '2025-06-16'])(
    '%s is rejected',
    (input) => {
      expect(parseLogsSince(input, NOW, 90).ok).toBe(false);
    },
  );
});
