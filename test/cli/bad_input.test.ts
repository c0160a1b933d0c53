/**
 * Bad input through the CLI: each is refused before anything is read or written, with exit code 2
 * and one line on stderr naming the setting (as the user wrote it: key, env var or flag) and the
 * fix. The --db file is not created, and an existing one is left byte for byte as it was.
 */
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { removeSandbox, runCli, sandbox } from './helpers.js';

const box = sandbox('oie-cli-bad-');
const ORG = 'https://acme.okta.com';
// Recognisable, so a message that echoes it is caught.
const TOKEN = '00BADINPUTtokenNeverEchoed0123456789abcde';

/** An unset variable is given as undefined. */
type Env = Record<string, string | undefined>;

interface Case {
  name: string;
  args?: string[];
  env?: Env;
  /** Files to write into the working directory first. */
  files?: Record<string, string>;
  /** The setting the line starts with (after "oie-audit: "). */
  setting: string;
  problem: string;
  /** Null: the message offers no fix (see the test's note). */
  fix: string | null;
}

const cases: Case[] = [
  { name: 'missing org URL', env: { OKTA_CLIENT_ORGURL: undefined }, setting: 'okta.orgUrl', problem: 'is not set', fix: 'Set okta.orgUrl in config.yaml, OKTA_CLIENT_ORGURL or --org-url' },
  { name: 'http:// to a host that is not this machine', env: { OKTA_CLIENT_ORGURL: 'http://acme.okta.com' }, setting: 'OKTA_CLIENT_ORGURL', problem: '"http://acme.okta.com" uses http:// to a host that is not this machine', fix: 'Use https://acme.okta.com' },
  { name: 'malformed org URL', args: ['--org-url', 'https://acme okta com'], setting: '--org-url', problem: '"https://acme okta com" is not a URL', fix: 'Use your org URL, e.g. https://acme.okta.com' },
  { name: 'Admin Console host as org URL', env: { OKTA_CLIENT_ORGURL: 'https://acme-admin.okta.com' }, setting: 'OKTA_CLIENT_ORGURL', problem: 'is the Admin Console host, not the org', fix: 'Use https://acme.okta.com' },
  { name: 'empty token', env: { OKTA_CLIENT_TOKEN: '' }, setting: 'OKTA_CLIENT_TOKEN', problem: 'is empty', fix: 'Paste the token from Security > API > Tokens' },
  { name: 'token with the SSWS prefix', env: { OKTA_CLIENT_TOKEN: `SSWS ${TOKEN}` }, setting: 'OKTA_CLIENT_TOKEN', problem: 'starts with "SSWS "', fix: 'Give only the token' },
  { name: 'private key file that does not exist', env: { OKTA_CLIENT_TOKEN: undefined }, args: ['--config', 'missing-key.yaml'],
    files: { 'missing-key.yaml': 'okta:\n  clientId: 0oa1service\n  privateKeyFile: ./no-such-key.pem\n' },
    setting: 'okta.privateKeyFile', problem: `cannot read "${join(box.cwd, 'no-such-key.pem')}" (no such file)`, fix: 'Check the path' },
  { name: 'private key file that is unreadable (a directory)', env: { OKTA_CLIENT_TOKEN: undefined }, args: ['--config', 'dir-key.yaml'],
    files: { 'dir-key.yaml': 'okta:\n  clientId: 0oa1service\n  privateKeyFile: ./keys\n' },
    setting: 'okta.privateKeyFile', problem: `cannot read "${join(box.cwd, 'keys')}" (it is a directory)`, fix: 'Check the path' },
  { name: 'private key without a client ID', env: { OKTA_CLIENT_TOKEN: undefined, OKTA_CLIENT_PRIVATEKEY: 'not-a-key' }, setting: 'okta.clientId', problem: 'is not set, but a private key is', fix: 'Set okta.clientId or OKTA_CLIENT_CLIENTID' },
  { name: 'both a token and a private key', env: { OKTA_CLIENT_PRIVATEKEY: 'not-a-key' }, setting: 'OKTA_CLIENT_TOKEN and OKTA_CLIENT_PRIVATEKEY', problem: 'an API token and a private key are both set', fix: 'Keep one' },
  { name: 'neither a token nor a private key', env: { OKTA_CLIENT_TOKEN: undefined }, setting: 'okta.token or okta.privateKey', problem: 'no Okta credentials are set', fix: 'Set an API token (okta.token or OKTA_CLIENT_TOKEN)' },
  { name: 'unknown authorization mode', env: { OKTA_CLIENT_AUTHORIZATIONMODE: 'Bearer' }, setting: 'OKTA_CLIENT_AUTHORIZATIONMODE', problem: 'must be SSWS or PrivateKey, got "Bearer"', fix: 'Use SSWS with an API token or PrivateKey' },
  { name: '--max-share 0', args: ['--max-share', '0'], setting: '--max-share', problem: 'must be a number greater than 0 and at most 1, got 0', fix: 'Use e.g. 0.5' },
  { name: '--max-share 1.5', args: ['--max-share', '1.5'], setting: '--max-share', problem: 'must be a number greater than 0 and at most 1, got 1.5', fix: 'Use e.g. 0.5' },
  { name: '--concurrency 0', args: ['--concurrency', '0'], setting: '--concurrency', problem: 'must be a whole number of at least 1, got 0', fix: 'Use e.g. 8' },
  { name: '--concurrency not a whole number', args: ['--concurrency', '2.5'], setting: '--concurrency', problem: 'must be a whole number of at least 1, got 2.5', fix: 'Use e.g. 8' },
  { name: 'unknown key in the --config file', args: ['--config', 'typo.yaml'], files: { 'typo.yaml': 'rateLimit:\n  maxshare: 0.5\n' },
    setting: 'rateLimit.maxshare', problem: 'is not a known setting', fix: 'Did you mean rateLimit.maxShare?' },
  { name: 'bad --logs-since', args: ['--logs-since', 'yesterday'], setting: '--logs-since', problem: '"yesterday" is neither a number of days like 30d nor an ISO date', fix: 'Use e.g. 30d' },
  { name: '--logs-since 120d', args: ['--logs-since', '120d'], setting: '--logs-since', problem: '"120d" is more than 90 days back', fix: 'Use at most 90d' },
  { name: '--logs-since in the future', args: ['--logs-since', '2099-01-01'], setting: '--logs-since', problem: '"2099-01-01" is in the future', fix: 'Use e.g. 30d' },
  { name: 'bad --log-format', args: ['--log-format', 'jsno'], setting: '--log-format', problem: 'must be text or json, got "jsno"', fix: 'Did you mean json?' },
  { name: 'bad YAML in the --config file', args: ['--config', 'broken.yaml'], files: { 'broken.yaml': 'okta:\n  orgUrl: [unclosed\n' },
    setting: 'broken.yaml:3:1', problem: 'invalid YAML', fix: 'Fix the syntax at that line and column' },
  { name: '--config file that does not exist', args: ['--config', 'nowhere.yaml'], setting: '--config', problem: `cannot read "${join(box.cwd, 'nowhere.yaml')}" (no such file)`, fix: 'Check the path, or leave --config out' },
  // yargs rejects it before any setting is read. Its message names the flag but suggests nothing.
  { name: 'unknown flag', args: ['--concurency', '4'], setting: 'Unknown argument', problem: 'concurency', fix: null },
];

// An existing snapshot database (real schema), aged so any write would show in its mtime.
const existingDb = join(box.cwd, 'existing.db');
let existingBytes: Buffer;
let existingMtime: number;

beforeAll(() => {
  mkdirSync(join(box.cwd, 'keys'));
  for (const c of cases) for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(box.cwd, name), text);
  openDatabase(existingDb).close();
  const past = new Date(Date.now() - 3600_000);
  utimesSync(existingDb, past, past);
  existingBytes = readFileSync(existingDb);
  existingMtime = statSync(existingDb).mtimeMs;
});

afterAll(() => removeSandbox(box));

function envFor(c: Case): Record<string, string> {
  const merged: Env = { OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_TOKEN: TOKEN, ...c.env };
  return Object.fromEntries(Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined));
}

test.each(cases.map((c, i) => [c.name, c, i] as const))('%s: exit 2, one line naming the setting and the fix, no database touched', async (_name, c, i) => {
  const freshDb = join(box.cwd, `fresh-${i}.db`);
  const [fresh, existing] = await Promise.all([
    runCli(box, ['crawl', '--db', freshDb, ...(c.args ?? [])], envFor(c)),
    runCli(box, ['crawl', '--db', existingDb, ...(c.args ?? [])], envFor(c)),
  ]);
  for (const r of [fresh, existing]) {
    expect([r.code, r.stdout]).toEqual([2, '']);
    const lines = r.stderr.split('\n');
    expect([lines.length, lines[1]]).toEqual([2, '']); // one line, newline-terminated
    const line = lines[0]!;
    expect(line.startsWith(`oie-audit: ${c.setting}: `)).toBe(true);
    expect(line).toContain(c.problem);
    if (c.fix !== null) expect(line).toContain(c.fix);
    expect(line).not.toContain(TOKEN);
  }
  expect(existing.stderr).toBe(fresh.stderr);

  expect([freshDb, `${freshDb}-wal`, `${freshDb}-shm`].filter((p) => existsSync(p))).toEqual([]);
  expect(readFileSync(existingDb).equals(existingBytes)).toBe(true);
  expect(statSync(existingDb).mtimeMs).toBe(existingMtime);
  expect([`${existingDb}-wal`, `${existingDb}-shm`].filter((p) => existsSync(p))).toEqual([]);
  // Nothing else was created either: no default ./oie-audit.db, no reports folder.
  expect(existsSync(join(box.cwd, 'oie-audit.db'))).toBe(false);
  expect(existsSync(join(box.cwd, 'reports'))).toBe(false);
}, 60_000);

