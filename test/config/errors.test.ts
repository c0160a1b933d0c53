import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditError } from '../../src/errors.js';
import { loadConfig, type LoadOptions } from '../../src/config/load.js';
import type { FlagSettings } from '../../src/config/schema.js';
import {
  cleanupDirs,
  EC_PEM,
  expectNoSecrets,
  NOW,
  ORG,
  RSA_JWK,
  RSA_PEM,
  RSA_PUBLIC_PEM,
  TOKEN,
  tempDir,
  yamlBlock,
} from './helpers.js';

afterAll(cleanupDirs);

interface BadInput {
  name: string;
  /** Contents of ./config.yaml in the temp cwd. */
  yaml?: string;
  env?: Record<string, string>;
  flags?: Partial<FlagSettings>;
  /** Extra files in the temp cwd. */
  files?: Record<string, string>;
  configFile?: string;
  message: string | RegExp | ((dir: string) => string);
}

const VALID_ENV = { OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_TOKEN: TOKEN };
const KEY_ENV = { OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_CLIENTID: '0oa1serviceapp', OKTA_CLIENT_PRIVATEKEY: RSA_PEM };
const https = 'http:// is allowed only for localhost, 127.0.0.0/8 and [::1]';

const cases: BadInput[] = [
  // --- org URL ---
  {
    name: 'missing org URL',
    env: { OKTA_CLIENT_TOKEN: TOKEN },
    message:
      'okta.orgUrl: is not set. Set okta.orgUrl in config.yaml, OKTA_CLIENT_ORGURL or --org-url to your org URL, e.g. https://acme.okta.com',
  },
  {
    name: 'empty org URL in env',
    env: { ...VALID_ENV, OKTA_CLIENT_ORGURL: '  ' },
    message: `OKTA_CLIENT_ORGURL: is empty. Use the URL you sign in to Okta with, e.g. ${ORG}`,
  },
  {
    name: 'malformed URL in env',
    env: { ...VALID_ENV, OKTA_CLIENT_ORGURL: 'https://' },
    message: `OKTA_CLIENT_ORGURL: "https://" is not a URL. Use your org URL, e.g. ${ORG}`,
  },
  {
    name: 'host without scheme from flag',
    env: VALID_ENV,
    flags: { orgUrl: 'acme.okta.com/' },
    message: `--org-url: "acme.okta.com/" has no https:// in front. Use ${ORG}`,
  },
  {
    name: 'non-http scheme',
    yaml: 'okta:\n  orgUrl: ftp://acme.okta.com\n',
    env: { OKTA_CLIENT_TOKEN: TOKEN },
    message: `okta.orgUrl: "ftp:" is not http or https. Use ${ORG}`,
  },
  {
    name: 'http to a non-loopback host',
    yaml: 'okta:\n  orgUrl: http://acme.okta.com\n',
    env: { OKTA_CLIENT_TOKEN: TOKEN },
    message: `okta.orgUrl: "http://acme.okta.com" uses http:// to a host that is not this machine. Use ${ORG} (${https})`,
  },
  {
    name: 'URL with a path',
    yaml: 'okta:\n  orgUrl: https://acme.okta.com/oauth2/default\n',
    env: { OKTA_CLIENT_TOKEN: TOKEN },
    message: `okta.orgUrl: has the path "/oauth2/default", but an org URL is only scheme and host. Use ${ORG}`,
  },
  {
    name: 'URL with query and fragment',
    env: { ...VALID_ENV, OKTA_CLIENT_ORGURL: 'https://acme.okta.com/?fromURI=x#top' },
    message: `OKTA_CLIENT_ORGURL: has a query string and a fragment, but an org URL is only scheme and host. Use ${ORG}`,
  },
  {
    name: 'admin console host, with path',
    flags: { orgUrl: 'https://acme-admin.oktapreview.com/admin/dashboard' },
    env: { OKTA_CLIENT_TOKEN: TOKEN },
    message: '--org-url: "acme-admin.oktapreview.com" is the Admin Console host, not the org. Use https://acme.oktapreview.com',
  },
  {
    name: 'credentials in the URL are not echoed',
    env: { ...VALID_ENV, OKTA_CLIENT_ORGURL: 'https://admin:SuperSecretPassword@acme.okta.com' },
    message: `OKTA_CLIENT_ORGURL: contains a user name or password. Use ${ORG} and put the API token in okta.token or OKTA_CLIENT_TOKEN`,
  },
  // --- credentials ---
  {
    name: 'empty token in env',
    env: { ...VALID_ENV, OKTA_CLIENT_TOKEN: '' },
    message: 'OKTA_CLIENT_TOKEN: is empty. Paste the token from Security > API > Tokens, or remove it to use a private key',
  },
  {
    name: 'empty token in file',
    yaml: `okta:\n  orgUrl: ${ORG}\n  token: ""\n`,
    message: 'okta.token: is empty. Paste the token from Security > API > Tokens, or remove it to use a private key',
  },
  {
    name: 'token that is not text, value not echoed',
    yaml: `okta:\n  orgUrl: ${ORG}\n  token: 123456789\n`,
    message:
      'okta.token: must be an API token, got a number. Paste the token from Security > API > Tokens, or remove it to use a private key',
  },
  {
    name: 'token with the SSWS prefix',
    env: { ...VALID_ENV, OKTA_CLIENT_TOKEN: `SSWS ${TOKEN}` },
    message: 'OKTA_CLIENT_TOKEN: starts with "SSWS ". Give only the token; oie-audit adds the SSWS prefix itself',
  },
  {
    name: 'token spanning two lines',
    yaml: `okta:\n  orgUrl: ${ORG}\n  token: "${TOKEN.slice(0, 20)}\\n${TOKEN.slice(20)}"\n`,
    message:
      'okta.token: contains spaces, line breaks or non-ASCII characters. Paste the token exactly as Okta showed it, on one line',
  },
  {
    name: 'neither token nor private key',
    env: { OKTA_CLIENT_ORGURL: ORG },
    message:
      "okta.token or okta.privateKey: no Okta credentials are set. Set an API token (okta.token or OKTA_CLIENT_TOKEN), or a service app's okta.clientId and okta.privateKey or okta.privateKeyFile (or OKTA_CLIENT_CLIENTID and OKTA_CLIENT_PRIVATEKEY)",
  },
  {
    name: 'both token (file) and private key (env)',
    yaml: `okta:\n  orgUrl: ${ORG}\n  token: ${TOKEN}\n`,
    env: { OKTA_CLIENT_PRIVATEKEY: RSA_PEM, OKTA_CLIENT_CLIENTID: '0oa1serviceapp' },
    message:
      'okta.token and OKTA_CLIENT_PRIVATEKEY: an API token and a private key are both set. Keep one: the API token (SSWS), or the private key with okta.clientId (OAuth service app)',
  },
  {
    name: 'both privateKey and privateKeyFile',
    yaml: `okta:\n  orgUrl: ${ORG}\n  clientId: 0oa1\n  privateKeyFile: key.pem\n${yamlBlock('privateKey', RSA_PEM)}`,
    message: 'okta.privateKey and okta.privateKeyFile: are both set. Keep one: the key itself or the path to its file',
  },
  {
    name: 'authorizationMode SSWS with only a private key',
    yaml: 'okta:\n  authorizationMode: SSWS\n',
    env: KEY_ENV,
    message:
      'okta.authorizationMode: is SSWS, but OKTA_CLIENT_PRIVATEKEY is a private key and no API token is set. Set it to PrivateKey, or remove it to infer the mode from the credentials',
  },
  {
    name: 'authorizationMode PrivateKey with only a token',
    env: { ...VALID_ENV, OKTA_CLIENT_AUTHORIZATIONMODE: 'PrivateKey' },
    message:
      'OKTA_CLIENT_AUTHORIZATIONMODE: is PrivateKey, but OKTA_CLIENT_TOKEN is an API token and no private key is set. Set it to SSWS, or remove it to infer the mode from the credentials',
  },
  {
    name: 'authorizationMode PrivateKey with no credentials',
    env: { OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_AUTHORIZATIONMODE: 'PrivateKey' },
    message:
      "okta.privateKey: is not set, but OKTA_CLIENT_AUTHORIZATIONMODE is PrivateKey. Set okta.privateKey, okta.privateKeyFile or OKTA_CLIENT_PRIVATEKEY to the service app's private key",
  },
  {
    name: 'unknown authorizationMode, wrong case',
    env: { ...VALID_ENV, OKTA_CLIENT_AUTHORIZATIONMODE: 'ssws' },
    message:
      'OKTA_CLIENT_AUTHORIZATIONMODE: must be SSWS or PrivateKey, got "ssws". Did you mean SSWS? Use SSWS with an API token or PrivateKey with an OAuth service app, or remove it to infer the mode from the credentials',
  },
  {
    name: 'PrivateKey mode without clientId',
    env: { OKTA_CLIENT_ORGURL: ORG, OKTA_CLIENT_PRIVATEKEY: RSA_PEM },
    message:
      "okta.clientId: is not set, but a private key is (an OAuth service app needs its client ID). Set okta.clientId or OKTA_CLIENT_CLIENTID to the client ID on the service app's General tab",
  },
  {
    name: 'unreadable key file names the file',
    yaml: `okta:\n  orgUrl: ${ORG}\n  clientId: 0oa1\n  privateKeyFile: keys/missing.pem\n`,
    message: (dir) =>
      `okta.privateKeyFile: cannot read ${JSON.stringify(join(dir, 'keys/missing.pem'))} (no such file). Check the path; a relative path is resolved against the working directory`,
  },
  {
    name: 'key file that holds a public key',
    yaml: `okta:\n  orgUrl: ${ORG}\n  clientId: 0oa1\n  privateKeyFile: public.pem\n`,
    files: { 'public.pem': RSA_PUBLIC_PEM },
    message: (dir) =>
      `okta.privateKeyFile: ${JSON.stringify(join(dir, 'public.pem'))} is a public key or certificate. Use the private key (the PEM block headed BEGIN PRIVATE KEY)`,
  },
  {
    name: 'private key that is neither PEM nor JWK',
    env: { ...KEY_ENV, OKTA_CLIENT_PRIVATEKEY: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC' },
    message:
      'OKTA_CLIENT_PRIVATEKEY: is neither a PEM nor a JWK private key. Use the PEM text (headed BEGIN PRIVATE KEY) or the JWK JSON',
  },
  {
    name: 'truncated PEM',
    env: { ...KEY_ENV, OKTA_CLIENT_PRIVATEKEY: RSA_PEM.slice(0, 400) },
    message: 'OKTA_CLIENT_PRIVATEKEY: is not a readable PEM private key. Export the private key again as PEM or JWK',
  },
  {
    name: 'public JWK',
    yaml: `okta:\n  orgUrl: ${ORG}\n  clientId: 0oa1\n  privateKey: '${JSON.stringify({ ...JSON.parse(RSA_JWK), d: undefined, p: undefined, q: undefined, dp: undefined, dq: undefined, qi: undefined })}'\n`,
    message: 'okta.privateKey: is a public JWK (it has no "d"). Use the private JWK Okta showed when the key was generated',
  },
  {
    name: 'broken JWK JSON',
    env: { ...KEY_ENV, OKTA_CLIENT_PRIVATEKEY: RSA_JWK.slice(0, -5) },
    message: 'OKTA_CLIENT_PRIVATEKEY: is not valid JSON. Paste the whole JWK, or use a PEM key',
  },
  {
    name: 'EC key',
    env: { ...KEY_ENV, OKTA_CLIENT_PRIVATEKEY: EC_PEM },
    message:
      'OKTA_CLIENT_PRIVATEKEY: is an EC key, but the Okta SDK signs client assertions with RS256 only. Generate an RSA key (2048 bits or more) for the service app',
  },
  {
    name: 'write scope requested',
    env: { ...KEY_ENV, OKTA_CLIENT_SCOPES: 'okta.users.read,okta.users.manage' },
    message: /^OKTA_CLIENT_SCOPES: "okta\.users\.manage" is not a read scope \(okta\.<resource>\.read\)\. oie-audit only reads; /,
  },
  {
    name: 'empty scopes list',
    yaml: 'okta:\n  scopes: []\n',
    env: KEY_ENV,
    message: /^okta\.scopes: is empty\. oie-audit only reads; list read scopes such as okta\.users\.read, or remove it for the default okta\.users\.read /,
  },
  // --- rate limits ---
  {
    name: 'maxShare 0 from flag',
    env: VALID_ENV,
    flags: { maxShare: '0' },
    message:
      '--max-share: must be a number greater than 0 and at most 1, got 0. Use e.g. 0.5 to let the crawl spend half of each rate-limit bucket per window',
  },
  {
    name: 'maxShare above 1 in file',
    yaml: 'rateLimit:\n  maxShare: 1.5\n',
    env: VALID_ENV,
    message:
      'rateLimit.maxShare: must be a number greater than 0 and at most 1, got 1.5. Use e.g. 0.5 to let the crawl spend half of each rate-limit bucket per window',
  },
  {
    name: 'maxShare that is not a number',
    env: VALID_ENV,
    flags: { maxShare: 'half' },
    message: /^--max-share: must be a number greater than 0 and at most 1, got "half"\. /,
  },
  {
    name: 'concurrency 0 from flag',
    env: VALID_ENV,
    flags: { concurrency: 0 },
    message: '--concurrency: must be a whole number of at least 1, got 0. Use e.g. 8',
  },
  {
    name: 'fractional concurrency in file',
    yaml: 'rateLimit:\n  concurrency: 2.5\n',
    env: VALID_ENV,
    message: 'rateLimit.concurrency: must be a whole number of at least 1, got 2.5. Use e.g. 8',
  },
  {
    name: 'requestTimeoutMs below 1000',
    yaml: 'rateLimit:\n  requestTimeoutMs: 999\n',
    env: VALID_ENV,
    message: 'rateLimit.requestTimeoutMs: must be a whole number of milliseconds, at least 1000, got 999. Use e.g. 30000 (30 seconds)',
  },
  {
    name: 'negative maxRetries',
    yaml: 'rateLimit:\n  maxRetries: -1\n',
    env: VALID_ENV,
    message: 'rateLimit.maxRetries: must be a whole number of at least 0, got -1. Use e.g. 5, or 0 to never retry',
  },
  // --- unknown keys ---
  {
    name: 'misspelt key (case)',
    yaml: `okta:\n  orgurl: ${ORG}\n`,
    env: { OKTA_CLIENT_TOKEN: TOKEN },
    message: 'okta.orgurl: is not a known setting. Did you mean okta.orgUrl?',
  },
  {
    name: 'misspelt key (plural)',
    yaml: 'report:\n  format: [xlsx]\n',
    env: VALID_ENV,
    message: 'report.format: is not a known setting. Did you mean report.formats?',
  },
  {
    name: 'setting in the wrong section',
    yaml: 'okta:\n  concurrency: 4\n',
    env: VALID_ENV,
    message: 'okta.concurrency: is not a known setting. Did you mean rateLimit.concurrency? Settings are nested by section',
  },
  {
    name: 'setting not nested at all',
    yaml: `orgUrl: ${ORG}\n`,
    env: { OKTA_CLIENT_TOKEN: TOKEN },
    message: 'orgUrl: is not a known setting. Did you mean okta.orgUrl? Settings are nested by section',
  },
  {
    name: "the SDK's okta.client nesting",
    yaml: `okta:\n  client:\n    orgUrl: ${ORG}\n    token: ${TOKEN}\n`,
    message:
      "okta.client: is not a known setting. oie-audit does not use the SDK's okta.client nesting: put orgUrl, token and the rest directly under okta:",
  },
  {
    name: 'unrelated unknown key',
    yaml: 'telemetry: true\n',
    env: VALID_ENV,
    message: 'telemetry: is not a known setting. Known settings at the top level: okta, rateLimit, crawl, report, log',
  },
  {
    name: 'unknown key reported before other problems',
    yaml: 'rateLimit:\n  maxShare: 7\n  burst: 3\n',
    env: VALID_ENV,
    message: /^rateLimit\.burst: is not a known setting\. Known settings under rateLimit: maxShare, concurrency, requestTimeoutMs, maxRetries$/,
  },
  // --- file ---
  {
    name: 'bad YAML with line and column',
    yaml: `okta:\n  orgUrl: ${ORG}\n token: ${TOKEN}\n`,
    message: 'config.yaml:3:1: invalid YAML: All mapping items must start at the same column. Fix the syntax at that line and column',
  },
  {
    name: 'duplicate key in YAML',
    yaml: `okta:\n  token: ${TOKEN}\n  token: other\n`,
    message: 'config.yaml:3:3: invalid YAML: Map keys must be unique. Fix the syntax at that line and column',
  },
  {
    name: 'config file that is a list',
    yaml: '- okta\n',
    env: VALID_ENV,
    message: 'config.yaml: must be a mapping of settings (okta:, rateLimit:, crawl:, report:, log:), got a list. Start from config.example.yaml',
  },
  {
    name: 'section that is not a mapping',
    yaml: 'rateLimit: 5\n',
    env: VALID_ENV,
    message:
      'rateLimit: must be a group of settings (maxShare, concurrency, requestTimeoutMs, maxRetries), got 5. Put its settings on their own lines, indented under rateLimit:',
  },
  {
    name: 'missing --config file',
    env: VALID_ENV,
    configFile: 'nope.yaml',
    message: (dir) =>
      `--config: cannot read ${JSON.stringify(join(dir, 'nope.yaml'))} (no such file). Check the path, or leave --config out to use ./config.yaml`,
  },
  {
    name: '--config pointing at a directory',
    env: VALID_ENV,
    configFile: '.',
    message: (dir) =>
      `--config: cannot read ${JSON.stringify(dir)} (it is a directory). Check the path, or leave --config out to use ./config.yaml`,
  },
  // --- crawl ---
  {
    name: 'logsSince that is neither ISO nor Nd',
    env: VALID_ENV,
    flags: { logsSince: '3w' },
    message: '--logs-since: "3w" is neither a number of days like 30d nor an ISO date. Use e.g. 30d or 2025-05-16, at most 90 days back',
  },
  {
    name: 'logsSince more than 90 days back (days)',
    yaml: 'crawl:\n  logsSince: 91d\n',
    env: VALID_ENV,
    message: 'crawl.logsSince: "91d" is more than 90 days back, beyond what the System Log keeps. Use at most 90d',
  },
  {
    name: 'logsSince more than 90 days back (date)',
    env: VALID_ENV,
    flags: { logsSince: '2025-03-01' },
    message:
      '--logs-since: "2025-03-01" is more than 90 days back, beyond what the System Log keeps. Use a date on or after 2025-03-18, or 90d',
  },
  {
    name: 'logsSince in the future',
    env: VALID_ENV,
    flags: { logsSince: '2025-06-15T13:00:00Z' },
    message: '--logs-since: "2025-06-15T13:00:00Z" is in the future. Use e.g. 30d or 2025-05-16, at most 90 days back',
  },
  {
    name: 'logsSince that is not a calendar date',
    yaml: 'crawl:\n  logsSince: 2025-02-30\n',
    env: VALID_ENV,
    message: 'crawl.logsSince: "2025-02-30" is not a valid date. Use e.g. 30d or 2025-05-16, at most 90 days back',
  },
  {
    name: 'logsSince as a bare number',
    yaml: 'crawl:\n  logsSince: 30\n',
    env: VALID_ENV,
    message:
      'crawl.logsSince: must be a number of days like 30d or an ISO date, got 30. Use e.g. 30d or 2025-01-31, at most 90 days back',
  },
  {
    name: 'empty db path',
    env: VALID_ENV,
    flags: { db: '' },
    message: '--db: is empty. Use e.g. ./oie-audit.db',
  },
  // --- report and log ---
  {
    name: 'unknown report format from flag',
    env: VALID_ENV,
    flags: { format: 'xlsx,pdf' },
    message: '--format: unknown report format "pdf". Use any of xlsx, csv, json',
  },
  {
    name: 'misspelt report format in file',
    yaml: 'report:\n  formats: [csv, xslx]\n',
    env: VALID_ENV,
    message: 'report.formats: unknown report format "xslx". Did you mean xlsx? Use any of xlsx, csv, json',
  },
  {
    name: 'unknown log format',
    env: VALID_ENV,
    flags: { logFormat: 'yaml' },
    message: '--log-format: must be text or json, got "yaml". Use text for a terminal or json for a log collector',
  },
  {
    name: 'quiet that is not a boolean',
    yaml: 'log:\n  quiet: yes\n',
    env: VALID_ENV,
    message: 'log.quiet: must be true or false, got "yes". Use true to print only errors',
  },
];

function run(input: BadInput): { error: AuditError; dir: string } {
  const dir = tempDir(input.yaml);
  for (const [name, text] of Object.entries(input.files ?? {})) writeFileSync(join(dir, name), text);
  const opts: LoadOptions = { cwd: dir, env: input.env ?? {}, now: NOW };
  if (input.flags) opts.flags = input.flags;
  if (input.configFile !== undefined) opts.configFile = input.configFile;
  try {
    loadConfig(opts);
  } catch (error) {
    if (error instanceof AuditError) return { error, dir };
    throw error;
  }
  throw new Error(`expected ${input.name} to be rejected`);
}

describe('loadConfig rejects bad input with one line naming the setting and the fix', () => {
  test('the table is large enough', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  test.each(cases.map((input) => [input.name, input] as const))('%s', (_name, input) => {
    const { error, dir } = run(input);
    expect(error.code).toBe('ERR_CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).not.toMatch(/[\r\n]/);
    expectNoSecrets(error.message);
    expectNoSecrets(error.stack ?? '');
    const expected = typeof input.message === 'function' ? input.message(dir) : input.message;
    if (typeof expected === 'string') expect(error.message).toBe(expected);
    else expect(error.message).toMatch(expected);
  });
});
