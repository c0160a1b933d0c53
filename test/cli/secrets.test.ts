/**
 * Secrets never leave the process: after crawls with an API token (text and JSON logs), with an
 * OAuth service app's private key (from the environment and from a file), and with a wrong token,
 * neither the token nor any part of the key is in stdout, stderr, the snapshot database (and its
 * WAL side files) or any other file the runs left behind. The database is created owner-only.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatorHandle } from '../../src/simulator/server.js';
import { DEFAULT_SCOPES } from '../../src/config/schema.js';
import { simulator } from '../support/sim.js';
import { rows } from '../support/crawl.js';
import { dbFiles, describeRun, removeSandbox, runCli, sandbox, type CliResult } from './helpers.js';

const USERS = 120;
const CLIENT_ID = '0oaSecretsTestService01';
const TOKEN = `00SECRETsecret${randomBytes(24).toString('base64url').slice(0, 28)}`;
const WRONG_TOKEN = `00WRONGwrong${randomBytes(24).toString('base64url').slice(0, 30)}`;

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const pemBody = keys.privateKey.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
const jwk = createPrivateKey(keys.privateKey).export({ format: 'jwk' });

/** Every form a leaked secret could take: the tokens, their random tails, each line of the PEM body, the JWK's private parts. */
const SECRETS: Record<string, string> = {
  token: TOKEN,
  'token tail': TOKEN.slice(-20),
  'wrong token': WRONG_TOKEN,
  'wrong token tail': WRONG_TOKEN.slice(-20),
  ...Object.fromEntries(pemBody.map((line, i) => [`private key PEM line ${i + 1}`, line])),
  ...Object.fromEntries((['d', 'p', 'q', 'dp', 'dq', 'qi'] as const).map((k) => [`private key JWK ${k}`, String(jwk[k])])),
};

const box = sandbox('oie-cli-secrets-');
const KEY_FILE = join(box.cwd, 'service-app.pem');
const CONFIG_FILE = join(box.cwd, 'service-app.yaml');
/** Files the test itself wrote, holding the key on purpose. */
const INPUTS = new Set([KEY_FILE, CONFIG_FILE]);

let sim: SimulatorHandle;
const results = new Map<string, { run: CliResult; db: string }>();

function leaks(haystack: Buffer | string): string[] {
  const buf = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  return Object.entries(SECRETS).filter(([, secret]) => buf.includes(Buffer.from(secret))).map(([name]) => name);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

beforeAll(async () => {
  expect(pemBody.length).toBeGreaterThan(20);
  sim = await simulator({
    users: USERS, seed: 5, windowMs: 1000, token: TOKEN,
    oauthClients: [{ clientId: CLIENT_ID, publicKey: keys.publicKey, grantedScopes: [...DEFAULT_SCOPES] }],
  });
  writeFileSync(KEY_FILE, keys.privateKey, { mode: 0o600 });
  writeFileSync(CONFIG_FILE, `okta:\n  authorizationMode: PrivateKey\n  clientId: ${CLIENT_ID}\n  privateKeyFile: ${KEY_FILE}\n`);

  const org = { OKTA_CLIENT_ORGURL: sim.url };
  const serviceApp = { ...org, OKTA_CLIENT_AUTHORIZATIONMODE: 'PrivateKey', OKTA_CLIENT_CLIENTID: CLIENT_ID, OKTA_CLIENT_SCOPES: DEFAULT_SCOPES.join(' ') };
  const runs: [string, string[], Record<string, string>][] = [
    ['api token, text logs', [], { ...org, OKTA_CLIENT_TOKEN: TOKEN }],
    ['api token, JSON logs', ['--log-format', 'json'], { ...org, OKTA_CLIENT_TOKEN: TOKEN }],
    ['private key from the environment', [], { ...serviceApp, OKTA_CLIENT_PRIVATEKEY: keys.privateKey }],
    ['private key from a file, JSON logs', ['--config', CONFIG_FILE, '--log-format', 'json'], org],
    ['wrong api token', [], { ...org, OKTA_CLIENT_TOKEN: WRONG_TOKEN }],
  ];
  // Side by side: they share the org's rate limits, which the crawls' budgets account for.
  await Promise.all(runs.map(async ([name, args, env], i) => {
    const db = join(box.cwd, `run-${i}.db`);
    results.set(name, { run: await runCli(box, ['crawl', '--db', db, '--logs-since', '30d', ...args], env), db });
  }));
}, 150_000);

afterAll(async () => {
  await sim?.close();
  removeSandbox(box);
});

function result(name: string): { run: CliResult; db: string } {
  const r = results.get(name);
  if (!r) throw new Error(`no run named ${name}`);
  return r;
}

test.each(['api token, text logs', 'api token, JSON logs', 'private key from the environment', 'private key from a file, JSON logs'])('%s: the crawl completes', (name) => {
  const { run, db } = result(name);
  if (run.code !== 0) throw new Error(describeRun(run));
  expect(rows(db, 'SELECT status FROM snapshots')).toEqual([{ status: 'complete' }]);
  expect(rows(db, "SELECT count(*) AS n FROM users WHERE crawl_state = 'complete'")).toEqual([{ n: USERS }]);
  const settings = JSON.parse(rows<{ settings_json: string }>(db, 'SELECT settings_json FROM snapshots')[0]!.settings_json) as { auth: Record<string, unknown> };
  if (name.startsWith('private key')) expect(settings.auth).toMatchObject({ mode: 'PrivateKey', clientId: CLIENT_ID, privateKey: '(set)' });
  else expect(settings.auth).toEqual({ mode: 'SSWS', token: '(set)' });
});

test('JSON logs are JSON lines', () => {
  for (const name of ['api token, JSON logs', 'private key from a file, JSON logs']) {
    const lines = result(name).run.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  }
});

test('a wrong token: exit 3, the credentials message, nothing crawled', () => {
  const { run, db } = result('wrong api token');
  expect(run.code).toBe(3);
  expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(/^oie-audit: Okta refused the credentials \(401 E0000011 .*\)\. Check okta\.token/);
  expect(rows(db, 'SELECT count(*) AS n FROM users')).toEqual([{ n: 0 }]);
});

test.each(['api token, text logs', 'api token, JSON logs', 'private key from the environment', 'private key from a file, JSON logs', 'wrong api token'])('%s: no token or key in stdout, stderr or the database files, which are owner-only', (name) => {
  const { run, db } = result(name);
  expect({ name, stdout: leaks(run.stdout), stderr: leaks(run.stderr) }).toEqual({ name, stdout: [], stderr: [] });
  const files = dbFiles(db);
  expect(files).toContain(db);
  for (const file of files) {
    expect({ file, leaks: leaks(readFileSync(file)) }).toEqual({ file, leaks: [] });
    expect({ file, mode: (statSync(file).mode & 0o777).toString(8) }).toEqual({ file, mode: '600' });
  }
});

test('no file left in the working directory or HOME holds a secret', () => {
  const written = [...filesUnder(box.cwd), ...filesUnder(box.home)].filter((f) => !INPUTS.has(f));
  expect(written.length).toBeGreaterThanOrEqual(results.size);
  for (const file of written) expect({ file, leaks: leaks(readFileSync(file)) }).toEqual({ file, leaks: [] });
  // The search does find a secret where one is: in the key file the test wrote.
  expect(leaks(readFileSync(KEY_FILE))).toEqual(pemBody.map((_, i) => `private key PEM line ${i + 1}`));
});
