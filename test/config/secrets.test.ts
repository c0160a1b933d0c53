import { inspect } from 'node:util';
import { loadConfig, redactedSettings } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { Secret } from '../../src/config/secret.js';
import { cleanupDirs, expectNoSecrets, NOW, ORG, RSA_PEM, TOKEN, tempDir } from './helpers.js';

afterAll(cleanupDirs);

function load(env: Record<string, string>): Config {
  return loadConfig({ cwd: tempDir(), env, now: NOW });
}

const sswsConfig = (): Config => load({ OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_TOKEN: TOKEN });
const keyConfig = (): Config =>
  load({ OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_CLIENTID: '0oa1', OKTA_CLIENT_PRIVATEKEY: RSA_PEM, OKTA_CLIENT_KEYID: 'k1' });

describe('Secret', () => {
  test('reveal() is the only way to the value', () => {
    const secret = new Secret(TOKEN);
    expect(secret.reveal()).toBe(TOKEN);
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(inspect(secret)).toBe('[redacted]');
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
  });
});

describe.each([
  ['SSWS', sswsConfig],
  ['PrivateKey', keyConfig],
])('%s config', (_mode, make) => {
  test('JSON.stringify never prints a secret', () => {
    const config = make();
    const json = JSON.stringify(config);
    expectNoSecrets(json);
    expect(json).toContain('[redacted]');
  });

  test('util.inspect (console.log) never prints a secret', () => {
    const config = make();
    expectNoSecrets(inspect(config, { depth: null, showHidden: true }));
    expectNoSecrets(inspect(config, { depth: null, getters: true }));
  });

  test('redactedSettings is plain JSON with secrets replaced', () => {
    const config = make();
    const redacted = redactedSettings(config);
    const json = JSON.stringify(redacted);
    expectNoSecrets(json);
    expect(JSON.parse(json)).toEqual(redacted);
    expect(redacted['crawl']).toEqual(expect.objectContaining({ logsSince: config.crawl.logsSince.toISOString() }));
  });
});

test('redactedSettings for SSWS', () => {
  expect(redactedSettings(sswsConfig())).toEqual({
    orgUrl: ORG,
    auth: { mode: 'SSWS', token: '(set)' },
    rateLimit: { maxShare: 0.5, concurrency: 8, requestTimeoutMs: 30000, maxRetries: 5 },
    crawl: { db: expect.stringMatching(/oie-audit\.db$/), logsSince: '2025-05-16T12:00:00.000Z', logsLookbackDays: 30 },
    report: { out: expect.stringMatching(/reports$/), formats: ['xlsx', 'csv', 'json'] },
    log: { format: 'text', quiet: false },
  });
});

test('redactedSettings for PrivateKey keeps the non-secret auth settings', () => {
  expect(redactedSettings(keyConfig())['auth']).toEqual({
    mode: 'PrivateKey',
    clientId: '0oa1',
    scopes: expect.arrayContaining(['okta.users.read']),
    privateKey: '(set)',
    keyId: 'k1',
  });
});

test('redactedSettings hides a secret field even if it is not wrapped in Secret', () => {
  const config = sswsConfig();
  const unwrapped = { ...config, auth: { mode: 'SSWS', token: TOKEN } } as unknown as Config;
  expectNoSecrets(JSON.stringify(redactedSettings(unwrapped)));
});
