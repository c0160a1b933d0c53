import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseDocument, type YAMLError } from 'yaml';
import type { AuditError } from '../errors.js';
import { parseLogsSince } from './durations.js';
import { fail, firstIssue, issueToError } from './issues.js';
import { checkOrgUrl } from './org_url.js';
import { checkPrivateKey } from './private_key.js';
import {
  DEFAULTS,
  ENV_VARS,
  FLAGS,
  LOGS_MAX_DAYS,
  SETTINGS,
  settingsSchema,
  type Config,
  type FlagSettings,
  type PrivateKeyAuth,
  type Settings,
  type SswsAuth,
} from './schema.js';
import { Secret } from './secret.js';

export type { Config, FlagSettings } from './schema.js';

export interface LoadOptions {
  /** Explicit config file (the CLI's --config); missing or unreadable is an error. */
  configFile?: string;
  /** Where ./config.yaml is looked for and relative paths are resolved. Default: process.cwd(). */
  cwd?: string;
  /** Default: process.env. Only the SDK's OKTA_CLIENT_* variables are read. */
  env?: NodeJS.ProcessEnv;
  flags?: Partial<FlagSettings>;
  /** Reference time for `logsSince`. Default: now. */
  now?: Date;
  /**
   * For commands that only read the snapshot database (report, rules): Okta settings are still
   * validated when given, but need not be set.
   */
  offline?: boolean;
}

/**
 * Builds the configuration from defaults < config file < OKTA_CLIENT_* env vars < flags and
 * validates it. Any problem throws one ERR_CONFIG_INVALID AuditError whose one-line message names
 * the setting as the user wrote it and the fix; secret values never appear in it. Nothing else
 * is read: in particular not ~/.okta/okta.yaml or ./okta.yaml.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const now = opts.now ?? new Date();

  const raw: Record<string, unknown> = {};
  // Setting path → env var or flag it came from; absent means the file (or a default).
  const origins = new Map<string, string>();
  mergeInto(raw, DEFAULTS as Record<string, unknown>);
  const file = readConfigFile(opts.configFile, cwd);
  if (file) mergeInto(raw, file.data);

  for (const [name, path] of Object.entries(ENV_VARS)) {
    const value = env[name];
    if (value !== undefined && setPath(raw, path, value)) origins.set(path, name);
  }
  for (const [key, spec] of Object.entries(FLAGS)) {
    const value = opts.flags?.[key as keyof FlagSettings];
    if (value !== undefined && setPath(raw, spec.path, coerceFlag(value, spec.kind))) origins.set(spec.path, spec.flag);
  }
  // List settings also accept "a b,c" from any source, as OKTA_CLIENT_SCOPES does.
  for (const [path, meta] of Object.entries(SETTINGS)) {
    const value = getPath(raw, path);
    if (meta.item && typeof value === 'string') setPath(raw, path, splitList(value));
  }

  if (opts.offline) fillOfflineOkta(raw);
  const labelOf = (path: string): string => origins.get(path) ?? path;
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = firstIssue(parsed.error.issues);
    throw issue ? issueToError(issue, raw, labelOf) : fail('config', 'is invalid', 'Check config.yaml');
  }
  return resolveConfig(parsed.data, { cwd, now, labelOf, configFile: file?.path });
}

/** Placeholders that satisfy validation when no Okta org is configured; never used to connect. */
function fillOfflineOkta(raw: Record<string, unknown>): void {
  const okta = (raw.okta && typeof raw.okta === 'object' ? raw.okta : (raw.okta = {})) as Record<string, unknown>;
  if (okta.orgUrl === undefined || okta.orgUrl === null) okta.orgUrl = 'https://offline.invalid';
  const hasCredential = [okta.token, okta.privateKey, okta.privateKeyFile].some((v) => v !== undefined && v !== null);
  if (!hasCredential) okta.token = '00offline-placeholder-not-a-token';
}

/**
 * The config as plain JSON with every secret replaced by "(set)": what the snapshot database and
 * logs record about a run.
 */
export function redactedSettings(config: Config): Record<string, unknown> {
  return redact(config) as Record<string, unknown>;
}

const SECRET_KEYS = new Set(['token', 'privateKey']);

function redact(value: unknown, key?: string): unknown {
  // By key as well as by type, so a secret that somehow lost its Secret wrapper is still hidden.
  if (value instanceof Secret || (key !== undefined && SECRET_KEYS.has(key))) return '(set)';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, child]) => child !== undefined)
        .map(([childKey, child]) => [childKey, redact(child, childKey)]),
    );
  }
  return value;
}

interface ResolveContext {
  cwd: string;
  now: Date;
  labelOf: (path: string) => string;
  configFile: string | undefined;
}

function resolveConfig(settings: Settings, ctx: ResolveContext): Config {
  const { okta, rateLimit, crawl, report, log } = settings;
  if (okta.orgUrl === undefined) {
    throw fail(
      'okta.orgUrl',
      'is not set',
      'Set okta.orgUrl in config.yaml, OKTA_CLIENT_ORGURL or --org-url to your org URL, e.g. https://acme.okta.com',
    );
  }
  const url = checkOrgUrl(okta.orgUrl);
  if (!url.ok) throw fail(ctx.labelOf('okta.orgUrl'), url.problem, url.fix);

  const auth = resolveAuth(okta, ctx);

  const since = parseLogsSince(crawl.logsSince, ctx.now, LOGS_MAX_DAYS);
  if (!since.ok) throw fail(ctx.labelOf('crawl.logsSince'), since.problem, since.fix);

  return {
    orgUrl: url.orgUrl,
    auth,
    rateLimit: { ...rateLimit },
    crawl: {
      db: crawl.db === ':memory:' ? crawl.db : resolve(ctx.cwd, crawl.db),
      ...(crawl.usersSearch !== undefined && { usersSearch: crawl.usersSearch }),
      logsSince: since.date,
      ...(since.days !== undefined && { logsLookbackDays: since.days }),
    },
    report: { out: resolve(ctx.cwd, report.out), formats: [...new Set(report.formats)] },
    log: { ...log },
    ...(ctx.configFile !== undefined && { configFile: ctx.configFile }),
  };
}

function resolveAuth(okta: Settings['okta'], ctx: ResolveContext): SswsAuth | PrivateKeyAuth {
  const label = ctx.labelOf;
  const hasToken = okta.token !== undefined;
  const hasInlineKey = okta.privateKey !== undefined;
  const hasKeyFile = okta.privateKeyFile !== undefined;
  if (hasInlineKey && hasKeyFile) {
    throw fail(
      `${label('okta.privateKey')} and okta.privateKeyFile`,
      'are both set',
      'Keep one: the key itself or the path to its file',
    );
  }
  const keyLabel = hasInlineKey ? label('okta.privateKey') : 'okta.privateKeyFile';
  const hasKey = hasInlineKey || hasKeyFile;
  const mode = okta.authorizationMode;
  const modeLabel = label('okta.authorizationMode');
  const inferFix = 'or remove it to infer the mode from the credentials';

  if (hasToken && hasKey) {
    throw fail(
      `${label('okta.token')} and ${keyLabel}`,
      'an API token and a private key are both set',
      'Keep one: the API token (SSWS), or the private key with okta.clientId (OAuth service app)',
    );
  }
  if (!hasToken && !hasKey) {
    if (mode === 'SSWS') {
      throw fail('okta.token', `is not set, but ${modeLabel} is SSWS`, 'Set okta.token or OKTA_CLIENT_TOKEN to an API token');
    }
    if (mode === 'PrivateKey') {
      throw fail(
        'okta.privateKey',
        `is not set, but ${modeLabel} is PrivateKey`,
        'Set okta.privateKey, okta.privateKeyFile or OKTA_CLIENT_PRIVATEKEY to the service app\'s private key',
      );
    }
    throw fail(
      'okta.token or okta.privateKey',
      'no Okta credentials are set',
      'Set an API token (okta.token or OKTA_CLIENT_TOKEN), or a service app\'s okta.clientId and okta.privateKey or okta.privateKeyFile (or OKTA_CLIENT_CLIENTID and OKTA_CLIENT_PRIVATEKEY)',
    );
  }

  if (okta.token !== undefined) {
    if (mode === 'PrivateKey') {
      throw fail(modeLabel, `is PrivateKey, but ${label('okta.token')} is an API token and no private key is set`, `Set it to SSWS, ${inferFix}`);
    }
    if (/^SSWS\s/i.test(okta.token)) {
      throw fail(label('okta.token'), 'starts with "SSWS "', 'Give only the token; oie-audit adds the SSWS prefix itself');
    }
    if (!/^[\x21-\x7e]+$/.test(okta.token)) {
      throw fail(label('okta.token'), 'contains spaces, line breaks or non-ASCII characters', 'Paste the token exactly as Okta showed it, on one line');
    }
    return { mode: 'SSWS', token: new Secret(okta.token) };
  }

  if (mode === 'SSWS') {
    throw fail(modeLabel, `is SSWS, but ${keyLabel} is a private key and no API token is set`, `Set it to PrivateKey, ${inferFix}`);
  }
  if (okta.clientId === undefined) {
    throw fail(
      'okta.clientId',
      'is not set, but a private key is (an OAuth service app needs its client ID)',
      "Set okta.clientId or OKTA_CLIENT_CLIENTID to the client ID on the service app's General tab",
    );
  }

  let keyFile: string | undefined;
  let keyText: string;
  if (okta.privateKeyFile !== undefined) {
    keyFile = resolve(ctx.cwd, okta.privateKeyFile);
    try {
      keyText = readFileSync(keyFile, 'utf8');
    } catch (error) {
      throw fail('okta.privateKeyFile', `cannot read ${quote(keyFile)} (${readFailure(error)})`, 'Check the path; a relative path is resolved against the working directory');
    }
  } else {
    keyText = okta.privateKey ?? '';
  }
  const key = checkPrivateKey(keyText);
  if (!key.ok) {
    throw keyFile === undefined
      ? fail(keyLabel, key.problem, key.fix)
      : fail('okta.privateKeyFile', `${quote(keyFile)} ${key.problem}`, key.fix);
  }

  return {
    mode: 'PrivateKey',
    clientId: okta.clientId,
    scopes: [...new Set(okta.scopes)],
    privateKey: new Secret(key.text),
    ...(okta.keyId !== undefined && { keyId: okta.keyId }),
    ...(keyFile !== undefined && { privateKeyFile: keyFile }),
  };
}

function readConfigFile(
  explicit: string | undefined,
  cwd: string,
): { path: string; data: Record<string, unknown> } | undefined {
  let path: string;
  if (explicit !== undefined) {
    if (explicit.trim() === '') {
      throw fail('--config', 'is empty', 'Give the path of a YAML config file, or leave --config out to use ./config.yaml');
    }
    path = resolve(cwd, explicit);
  } else {
    path = join(cwd, 'config.yaml');
    if (!existsSync(path)) return undefined;
  }
  const shown = displayPath(path, cwd);

  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw explicit !== undefined
      ? fail('--config', `cannot read ${quote(path)} (${readFailure(error)})`, 'Check the path, or leave --config out to use ./config.yaml')
      : fail(shown, `cannot read ${quote(path)} (${readFailure(error)})`, 'Fix the file, or pass --config with another file');
  }

  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) throw yamlError(shown, error);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    throw fail(shown, `is not usable YAML (${firstLine(e)})`, 'Remove anchors, aliases and tags from the file');
  }
  if (data === null || data === undefined) return { path, data: {} };
  if (!isRecord(data)) {
    throw fail(shown, `must be a mapping of settings (okta:, rateLimit:, crawl:, report:, log:), got ${Array.isArray(data) ? 'a list' : 'a single value'}`, 'Start from config.example.yaml');
  }
  return { path, data };
}

function yamlError(shown: string, error: YAMLError): AuditError {
  const pos = error.linePos?.[0];
  const where = pos ? `${shown}:${pos.line}:${pos.col}` : shown;
  // The first line only, without yaml's own position suffix and source excerpt.
  const reason = firstLine(error).replace(/ at line \d+, column \d+:?$/, '');
  return fail(where, `invalid YAML: ${reason}`, 'Fix the syntax at that line and column');
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

function readFailure(error: unknown): string {
  const code = isRecord(error) ? error['code'] : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return typeof code === 'string' ? code : 'unreadable';
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** Deep-merges plain objects; other values replace. A blank YAML value (null) means "not set". */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === null || value === undefined) continue;
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isRecord(value)) {
      const child = isRecord(current) ? current : {};
      mergeInto(child, value);
      define(target, key, child);
    } else {
      define(target, key, Array.isArray(value) ? [...value] : value);
    }
  }
}

/** Sets a dotted path. Returns false, leaving the file's value for the schema to report, when a
 *  section on the way is not a mapping. */
function setPath(root: Record<string, unknown>, path: string, value: unknown): boolean {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) define(node, key, {});
    else if (!isRecord(next)) return false;
    node = node[key] as Record<string, unknown>;
  }
  define(node, keys.at(-1) ?? path, value);
  return true;
}

function getPath(root: Record<string, unknown>, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

// defineProperty, not assignment: a YAML key "__proto__" must stay an ordinary (unknown) key.
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function coerceFlag(value: unknown, kind: (typeof FLAGS)[keyof FlagSettings]['kind']): unknown {
  switch (kind) {
    case 'number':
      // Unparseable text stays text so the message can quote what was typed.
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'list':
      return (Array.isArray(value) ? value : [value]).flatMap((item) => (typeof item === 'string' ? splitList(item) : [item]));
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'string':
      return typeof value === 'number' ? String(value) : value;
  }
}

function splitList(value: string): string[] {
  return value.split(/[\s,]+/).filter((item) => item !== '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
