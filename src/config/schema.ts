import { z } from 'zod';
import type { Secret } from './secret.js';

export const AUTH_MODES = ['SSWS', 'PrivateKey'] as const;
export const REPORT_FORMATS = ['xlsx', 'csv', 'json'] as const;
export const LOG_FORMATS = ['text', 'json'] as const;
export type AuthorizationMode = (typeof AUTH_MODES)[number];
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The System Log keeps 90 days; a `logsSince` further back would silently return less. */
export const LOGS_MAX_DAYS = 90;

/** Least-privilege scopes for an OAuth service app: one read scope per API the crawl calls. */
export const DEFAULT_SCOPES = [
  'okta.users.read',
  'okta.logs.read',
  'okta.authenticators.read',
  'okta.policies.read',
  'okta.eventHooks.read',
  'okta.apiTokens.read',
  'okta.apps.read',
  'okta.brands.read',
  'okta.domains.read',
  'okta.trustedOrigins.read',
  'okta.inlineHooks.read',
];

const text = () => z.string().trim().min(1);

/**
 * The settings as a user writes them (config file layout), after defaults, file, env and flags
 * are merged. Strict at every level so a misspelt key is an error, not a silently ignored line.
 * Cross-field rules (auth mode, org URL shape, logsSince window) are checked in load.ts, where the
 * merged sources are known.
 */
export const settingsSchema = z.strictObject({
  okta: z.strictObject({
    orgUrl: text().optional(),
    authorizationMode: z.enum(AUTH_MODES).optional(),
    token: text().optional(),
    clientId: text().optional(),
    scopes: z.array(z.string().trim().regex(/^okta\.[A-Za-z]+\.read$/)).min(1),
    privateKey: text().optional(),
    privateKeyFile: text().optional(),
    keyId: text().optional(),
  }),
  rateLimit: z.strictObject({
    maxShare: z.number().gt(0).lte(1),
    concurrency: z.number().int().min(1),
    requestTimeoutMs: z.number().int().min(1000),
    maxRetries: z.number().int().min(0),
  }),
  crawl: z.strictObject({
    db: text(),
    usersSearch: text().optional(),
    logsSince: text(),
  }),
  report: z.strictObject({
    out: text(),
    formats: z.array(z.enum(REPORT_FORMATS)).min(1),
  }),
  log: z.strictObject({
    format: z.enum(LOG_FORMATS),
    quiet: z.boolean(),
  }),
});

export type Settings = z.output<typeof settingsSchema>;

/** Every default, in one place: the lowest layer, under the config file, env and flags. */
export const DEFAULTS: z.input<typeof settingsSchema> = {
  okta: { scopes: DEFAULT_SCOPES },
  rateLimit: { maxShare: 0.5, concurrency: 8, requestTimeoutMs: 30_000, maxRetries: 5 },
  crawl: { db: './oie-audit.db', logsSince: '30d' },
  report: { out: 'reports', formats: ['xlsx', 'csv', 'json'] },
  log: { format: 'text', quiet: false },
};

/** How to word a problem with one setting: what it must be, and the one-line fix. */
export interface SettingMeta {
  readonly expect: string;
  readonly fix: string;
  /** Its value is never echoed in a message. */
  readonly secret?: boolean;
  /** Valid values, for "did you mean" suggestions. */
  readonly choices?: readonly string[];
  /** A list setting: a string is split on spaces and commas; `item` words a bad entry. */
  readonly item?: (shown: string) => string;
}

export const SETTINGS: Readonly<Record<string, SettingMeta>> = {
  'okta.orgUrl': {
    expect: "your Okta org's URL",
    fix: 'Use the URL you sign in to Okta with, e.g. https://acme.okta.com',
  },
  'okta.authorizationMode': {
    expect: 'SSWS or PrivateKey',
    choices: AUTH_MODES,
    fix: 'Use SSWS with an API token or PrivateKey with an OAuth service app, or remove it to infer the mode from the credentials',
  },
  'okta.token': {
    expect: 'an API token',
    secret: true,
    fix: 'Paste the token from Security > API > Tokens, or remove it to use a private key',
  },
  'okta.clientId': {
    expect: "the OAuth service app's client ID",
    fix: "Copy the client ID from the service app's General tab",
  },
  'okta.scopes': {
    expect: 'a list of read scopes',
    item: (shown) => `${shown} is not a read scope (okta.<resource>.read)`,
    fix: `oie-audit only reads; list read scopes such as okta.users.read, or remove it for the default ${DEFAULT_SCOPES.join(' ')}`,
  },
  'okta.privateKey': {
    expect: 'a PEM or JWK private key',
    secret: true,
    fix: "Paste the service app's private key (PEM or JWK JSON), or use okta.privateKeyFile",
  },
  'okta.privateKeyFile': {
    expect: 'the path to a PEM or JWK private key file',
    fix: 'Point it at the file holding the service app\'s private key',
  },
  'okta.keyId': {
    expect: "the key's ID (kid)",
    fix: "Copy the KID shown next to the key in the service app's public keys, or remove it",
  },
  'rateLimit.maxShare': {
    expect: 'a number greater than 0 and at most 1',
    fix: 'Use e.g. 0.5 to let the crawl spend half of each rate-limit bucket per window',
  },
  'rateLimit.concurrency': {
    expect: 'a whole number of at least 1',
    fix: 'Use e.g. 8',
  },
  'rateLimit.requestTimeoutMs': {
    expect: 'a whole number of milliseconds, at least 1000',
    fix: 'Use e.g. 30000 (30 seconds)',
  },
  'rateLimit.maxRetries': {
    expect: 'a whole number of at least 0',
    fix: 'Use e.g. 5, or 0 to never retry',
  },
  'crawl.db': {
    expect: 'a file path',
    fix: 'Use e.g. ./oie-audit.db',
  },
  'crawl.usersSearch': {
    expect: 'an Okta users search expression',
    fix: 'Use e.g. status eq "ACTIVE", or remove it to crawl every user',
  },
  'crawl.logsSince': {
    expect: 'a number of days like 30d or an ISO date',
    fix: `Use e.g. 30d or 2025-01-31, at most ${LOGS_MAX_DAYS} days back`,
  },
  'report.out': {
    expect: 'a directory path',
    fix: 'Use e.g. reports',
  },
  'report.formats': {
    expect: `a list of ${REPORT_FORMATS.join(', ')}`,
    choices: REPORT_FORMATS,
    item: (shown) => `unknown report format ${shown}`,
    fix: `Use any of ${REPORT_FORMATS.join(', ')}`,
  },
  'log.format': {
    expect: 'text or json',
    choices: LOG_FORMATS,
    fix: 'Use text for a terminal or json for a log collector',
  },
  'log.quiet': {
    expect: 'true or false',
    fix: 'Use true to print only errors',
  },
};

/** The SDK's environment variables (see okta-sdk-nodejs config loader), mapped to settings. */
export const ENV_VARS: Readonly<Record<string, string>> = {
  OKTA_CLIENT_ORGURL: 'okta.orgUrl',
  OKTA_CLIENT_AUTHORIZATIONMODE: 'okta.authorizationMode',
  OKTA_CLIENT_TOKEN: 'okta.token',
  OKTA_CLIENT_CLIENTID: 'okta.clientId',
  OKTA_CLIENT_SCOPES: 'okta.scopes',
  OKTA_CLIENT_PRIVATEKEY: 'okta.privateKey',
  OKTA_CLIENT_KEYID: 'okta.keyId',
};

/** Command-line values, keyed as yargs camel-cases them. Secrets have no flag (shell history). */
export interface FlagSettings {
  orgUrl: string;
  maxShare: number | string;
  concurrency: number | string;
  db: string;
  usersSearch: string;
  logsSince: string;
  out: string;
  format: string | readonly string[];
  logFormat: string;
  quiet: boolean | string;
}

export type FlagKind = 'string' | 'number' | 'list' | 'boolean';

export const FLAGS: Readonly<Record<keyof FlagSettings, { flag: string; path: string; kind: FlagKind }>> = {
  orgUrl: { flag: '--org-url', path: 'okta.orgUrl', kind: 'string' },
  maxShare: { flag: '--max-share', path: 'rateLimit.maxShare', kind: 'number' },
  concurrency: { flag: '--concurrency', path: 'rateLimit.concurrency', kind: 'number' },
  db: { flag: '--db', path: 'crawl.db', kind: 'string' },
  usersSearch: { flag: '--users-search', path: 'crawl.usersSearch', kind: 'string' },
  logsSince: { flag: '--logs-since', path: 'crawl.logsSince', kind: 'string' },
  out: { flag: '--out', path: 'report.out', kind: 'string' },
  format: { flag: '--format', path: 'report.formats', kind: 'list' },
  logFormat: { flag: '--log-format', path: 'log.format', kind: 'string' },
  quiet: { flag: '--quiet', path: 'log.quiet', kind: 'boolean' },
};

/** Key names of the object schema at `path` (e.g. [] or ['okta']), or undefined if it is a leaf. */
export function knownKeys(path: readonly string[]): string[] | undefined {
  let node: z.ZodType = settingsSchema;
  for (const key of path) {
    const shape = objectShape(node);
    const child = shape?.[key];
    if (!child) return undefined;
    node = child;
  }
  const shape = objectShape(node);
  return shape ? Object.keys(shape) : undefined;
}

/** Dotted paths of every leaf setting, in schema order. */
export function settingPaths(): string[] {
  const out: string[] = [];
  const walk = (prefix: string[]): void => {
    for (const key of knownKeys(prefix) ?? []) {
      const path = [...prefix, key];
      if (knownKeys(path)) walk(path);
      else out.push(path.join('.'));
    }
  };
  walk([]);
  return out;
}

function objectShape(node: z.ZodType): Record<string, z.ZodType> | undefined {
  return node instanceof z.ZodObject ? (node.shape as Record<string, z.ZodType>) : undefined;
}

/** The resolved configuration the rest of oie-audit consumes. */
export interface Config {
  /** Origin only: scheme, host and port, no trailing slash. */
  orgUrl: string;
  auth: SswsAuth | PrivateKeyAuth;
  rateLimit: {
    maxShare: number;
    concurrency: number;
    requestTimeoutMs: number;
    maxRetries: number;
  };
  crawl: {
    /** Absolute path, or ":memory:". */
    db: string;
    usersSearch?: string;
    logsSince: Date;
    /** Set when logsSince was given as Nd: the window is that long, measured on the org's clock. */
    logsLookbackDays?: number;
  };
  report: {
    /** Absolute path. */
    out: string;
    formats: ReportFormat[];
  };
  log: { format: LogFormat; quiet: boolean };
  /** Absolute path of the config file that was read, if any. */
  configFile?: string;
}

export interface SswsAuth {
  mode: 'SSWS';
  token: Secret;
}

export interface PrivateKeyAuth {
  mode: 'PrivateKey';
  clientId: string;
  scopes: string[];
  /** PEM text or JWK JSON text. */
  privateKey: Secret;
  keyId?: string;
  /** Absolute path the key was read from, when it came from okta.privateKeyFile. */
  privateKeyFile?: string;
}
