/** `oie-audit crawl`: read the org into a snapshot; also the first half of `run` and `demo`. */
import { existsSync } from 'node:fs';
import { loadConfig, redactedSettings, type Config } from '../config/load.js';
import { AuditError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import type { OktaReader } from '../okta/client.js';
import { type Db, openDatabase } from '../store/db.js';
import { SnapshotWriter } from '../store/snapshot_writer.js';
import { crawl, type CrawlOutcome } from '../crawler/crawl.js';
import { createProgress } from '../crawler/progress.js';
import { TOOL_VERSION } from '../version.js';


export interface ConfigArgs {
  config?: string | undefined;
  db?: string | undefined;
  'log-format'?: string | undefined;
  quiet?: boolean | undefined;
  'org-url'?: string | undefined;
  concurrency?: string | undefined;
  'max-share'?: string | undefined;
  'logs-since'?: string | undefined;
  'users-search'?: string | undefined;
  out?: string | undefined;
  format?: string | undefined;
}

/** Settings from defaults < config file < OKTA_CLIENT_* environment < flags. */
export function configFromArgs(a: ConfigArgs, env: NodeJS.ProcessEnv = process.env, offline = false): Config {
  const flags: Record<string, unknown> = {
    orgUrl: a['org-url'], db: a.db, logFormat: a['log-format'], quiet: a.quiet, concurrency: a.concurrency,
    maxShare: a['max-share'], logsSince: a['logs-since'], usersSearch: a['users-search'], out: a.out, format: a.format,
  };
  for (const k of Object.keys(flags)) if (flags[k] === undefined) delete flags[k];
  return loadConfig({ ...(a.config ? { configFile: a.config } : {}), env, flags, offline });
}

/** The Okta SDK is loaded here, not at startup: it takes seconds, and bad settings are refused first. */
export async function readerFor(config: Config): Promise<OktaReader> {
  const { OktaReader } = await import('../okta/client.js');
  const auth = config.auth.mode === 'SSWS'
    ? { mode: 'SSWS' as const, token: config.auth.token.reveal() }
    : { mode: 'PrivateKey' as const, clientId: config.auth.clientId, scopes: config.auth.scopes, privateKey: config.auth.privateKey.reveal(), keyId: config.auth.keyId };
  return new OktaReader({
    orgUrl: config.orgUrl, auth, maxShare: config.rateLimit.maxShare, concurrency: config.rateLimit.concurrency,
    requestTimeoutMs: config.rateLimit.requestTimeoutMs, maxRetries: config.rateLimit.maxRetries, userAgent: `oie-audit/${TOOL_VERSION}`,
  });
}

/**
 * Ctrl-C once: stop taking work, finish what is in flight, commit. Twice: leave now (the
 * database is consistent after any committed transaction).
 */
export function interruptSignal(logger: Logger): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    logger.warn('interrupted: finishing requests in flight and saving; press Ctrl-C again to quit now');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: controller.signal, dispose: () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); } };
}

export interface CrawlMode {
  resume: boolean;
  /** `--refresh [--base ID]`. */
  refresh?: { baseId?: number } | undefined;
}

/** The crawl mode from the flags: --resume, --refresh and --base, checked together. */
export function crawlMode(a: { resume: boolean; refresh?: boolean | undefined; base?: number | undefined }): CrawlMode {
  if (a.base !== undefined && !a.refresh) throw new AuditError('ERR_USAGE', '--base names the snapshot a refresh starts from: use it with --refresh');
  if (a.base !== undefined && (!Number.isInteger(a.base) || a.base < 1)) throw new AuditError('ERR_USAGE', `--base: "${a.base}" is not a snapshot id; give a number from the snapshots table`);
  if (a.refresh && a.resume) throw new AuditError('ERR_USAGE', '--resume continues an interrupted crawl or refresh as it was started: drop --refresh');
  return { resume: a.resume, ...(a.refresh ? { refresh: a.base === undefined ? {} : { baseId: a.base } } : {}) };
}

export async function crawlWithConfig(config: Config, mode: CrawlMode, logger: Logger, readerIn?: OktaReader): Promise<CrawlOutcome> {
  const { resume } = mode;
  const needed = resume ? '--resume: there is no incomplete snapshot of' : mode.refresh ? '--refresh: there is no complete snapshot of' : undefined;
  if (needed !== undefined && config.crawl.db !== ':memory:' && !existsSync(config.crawl.db)) {
    // Refused before openDatabase would create an empty database (exit 2 writes nothing).
    throw new AuditError('ERR_USAGE', `${needed} ${config.orgUrl} in ${config.crawl.db}: the file does not exist. Check --db, or run the crawl without ${resume ? '--resume' : '--refresh'} to start one.`);
  }
  const reader = readerIn ?? await readerFor(config);
  const db = openDatabase(config.crawl.db);
  const interrupt = interruptSignal(logger);
  const progress = createProgress({ tty: Boolean(process.stderr.isTTY), quiet: config.log.quiet, logger });
  try {
    logger.info(`crawling ${config.orgUrl} into ${config.crawl.db}${resume ? ' (resuming)' : mode.refresh ? ' (refreshing the latest complete snapshot)' : ''}`);
    const outcome = await crawl({
      reader, writer: new SnapshotWriter(db), resume, toolVersion: TOOL_VERSION, ...(mode.refresh ? { refresh: mode.refresh } : {}),
      scope: {
        usersSearch: config.crawl.usersSearch, logsSince: config.crawl.logsSince,
        ...(config.crawl.logsLookbackDays !== undefined ? { logsLookbackDays: config.crawl.logsLookbackDays } : {}),
      },
      settings: redactedSettings(config), concurrency: config.rateLimit.concurrency, signal: interrupt.signal,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    const c = outcome.coverage;
    const m = reader.executor.metrics();
    const carried = mode.refresh || resume ? carriedUsers(db, outcome.snapshotId) : 0;
    logger.info(`snapshot ${outcome.snapshotId}: users ${c.users.complete} complete${carried > 0 ? ` (${carried} unchanged, copied from snapshot ${db.prepare('SELECT base_snapshot_id FROM snapshots WHERE id = ?').pluck().get(outcome.snapshotId) as number})` : ''}, ${c.users.deleted} deleted, ${c.users.failed} failed, ${c.users.pending} pending; `
      + `${m.requests} requests, ${m.quota429} quota 429s, ${m.concurrency429} concurrency 429s, ${m.retries} retries`);
    for (const na of c.orgResources.notApplicable) logger.info(`not in this org: ${na.resource}: ${na.reason ?? ''}`);
    for (const na of c.orgResources.notAvailable) logger.warn(`not available: ${na.resource}: ${na.reason ?? ''}`);
    if (outcome.interrupted) {
      throw new AuditError('ERR_INTERRUPTED', `interrupted; snapshot ${outcome.snapshotId} is saved. Resume with: oie-audit crawl --resume --db ${config.crawl.db}`);
    }
    return outcome;
  } finally {
    progress.stop();
    interrupt.dispose();
    db.close();
  }
}

function carriedUsers(db: Db, snapshotId: number): number {
  return db.prepare('SELECT count(*) FROM users WHERE snapshot_id = ? AND carried_from IS NOT NULL').pluck().get(snapshotId) as number;
}

export async function runCrawl(a: ConfigArgs & { resume: boolean; refresh?: boolean; base?: number }): Promise<void> {
  const mode = crawlMode(a);
  const config = configFromArgs(a);
  const logger = createLogger({ format: config.log.format, quiet: config.log.quiet });
  await crawlWithConfig(config, mode, logger);
}
