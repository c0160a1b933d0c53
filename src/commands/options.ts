/**
 * Every command's flags, kept apart from the commands themselves so that `--help` and usage errors
 * answer at once (loading the Okta SDK alone takes seconds).
 */
import type { Argv } from 'yargs';
import { BUCKET_NAMES } from '../simulator/rate_limits.js';
import type { Pipeline } from '../simulator/org/types.js';

export function simulateOptions<T>(y: Argv<T>) {
  return y
    .option('port', { type: 'number', default: 0, describe: 'TCP port to listen on (0 picks a free one)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind; loopback unless you mean otherwise' })
    .option('users', { type: 'number', default: 1000, describe: 'Number of users in the generated org' })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the generated org, its latency jitter and faults' })
    .option('pipeline', { choices: ['idx', 'v1'] as const, default: 'idx' as Pipeline, describe: 'Engine: idx = Identity Engine, v1 = Classic Engine' })
    .option('day', { type: 'number', describe: 'Serve the generated org N days later: a seeded 1 % of users change each day, with the System Log events Okta writes; the org\'s clock starts at 00:00 UTC of that day (default: day 0 on the real clock)' })
    .option('upgraded', { type: 'boolean', default: false, describe: 'Serve the Classic org (--pipeline v1) as its upgrade to Identity Engine left it: same users and factors, enrollments, the email and recovery question as factors, some documented losses' })
    .option('fixture', { type: 'string', describe: 'Serve exactly the objects in this fixture JSON file instead of a generated org' })
    .option('dump-fixture', { type: 'string', describe: 'Write the served org to this file in fixture format, then keep serving' })
    .option('token', { type: 'string', describe: 'API token the org accepts as "SSWS <token>" (default: a new random one, printed on the second line)' })
    .option('window-ms', { type: 'number', default: 60_000, describe: 'Rate-limit window length in ms; shorter compresses time for benchmarks' })
    .option('limit', { type: 'string', array: true, default: [] as string[], describe: `Per-bucket limit per window, BUCKET=N, repeatable (buckets: ${BUCKET_NAMES.join(', ')})` })
    .option('concurrency-limit', { type: 'number', default: 75, describe: 'Org-wide limit of simultaneous requests (Okta Workforce default 75)' })
    .option('latency-ms', { type: 'number', default: 0, describe: 'Latency added to every response, plus seeded jitter of up to half of it' })
    .option('oauth-client', { type: 'string', array: true, default: [] as string[], describe: 'OAuth service app the org accepts (private_key_jwt, DPoP): CLIENT_ID=PUBLIC_KEY_PEM_FILE[=scope,scope…]; all read scopes unless listed. Repeatable' })
    .option('faults', { type: 'string', describe: 'Fault rates, e.g. 500=0.01,502=0.01,503=0.01,reset=0.01,slow=0.005,malformed=0.01,deleted=0.002,slowMs=35000,seed=7' });
}

export type SimulateArgs = Awaited<ReturnType<typeof simulateOptions>['argv']>;

/** Flags shared by every command that reads the configuration. */
export function configOptions<T>(y: Argv<T>) {
  return y
    .option('config', { type: 'string', describe: 'YAML configuration file (default: ./config.yaml if present); see config.example.yaml' })
    .option('db', { type: 'string', describe: 'SQLite snapshot database (default crawl.db: ./oie-audit.db)' })
    .option('log-format', { type: 'string', describe: 'Log lines as "text" or "json" (default log.format: text)' })
    .option('quiet', { type: 'boolean', describe: 'Only warnings and errors; no progress' });
}

export function crawlOptions<T>(y: Argv<T>) {
  return configOptions(y)
    .option('org-url', { type: 'string', describe: 'Okta org URL, e.g. https://acme.okta.com (or OKTA_CLIENT_ORGURL). The token or private key come from the config file or environment only, never a flag' })
    .option('resume', { type: 'boolean', default: false, describe: 'Continue the latest incomplete snapshot of this org in --db (after Ctrl-C, a crash or kill)' })
    .option('refresh', { type: 'boolean', default: false, describe: 'Build the new snapshot from the latest complete one in --db (at most 90 days old), re-reading only users that changed since: new, changed or deleted users, and those the System Log names in factor, device or lifecycle events' })
    .option('base', { type: 'number', describe: 'With --refresh: the snapshot id to start from instead of the latest complete one' })
    .option('concurrency', { type: 'string', describe: 'Most requests in flight at once (default rateLimit.concurrency: 8); lowered automatically on concurrency 429s' })
    .option('max-share', { type: 'string', describe: 'Share of each Okta rate-limit bucket the crawl may use per window, in (0,1] (default rateLimit.maxShare: 0.5)' })
    .option('logs-since', { type: 'string', describe: 'Start of the System Log window: an ISO date or Nd, at most 90d (default crawl.logsSince: 30d)' })
    .option('users-search', { type: 'string', describe: 'Okta search expression narrowing the users crawled, e.g. \'profile.department eq "Sales"\'' });
}

export function reportOptions<T>(y: Argv<T>) {
  return configOptions(y)
    .option('snapshot', { type: 'string', default: 'latest', describe: 'Snapshot to report: an id, or "latest" (the newest complete one)' })
    .option('out', { type: 'string', describe: 'Folder for the report files (default report.out: ./reports)' })
    .option('format', { type: 'string', describe: 'Comma-separated formats: xlsx, csv (one file per sheet), json (findings) (default report.formats: xlsx,csv,json)' })
    .option('allow-partial', { type: 'boolean', default: false, describe: 'Report an incomplete snapshot anyway; the Summary sheet then shows its coverage' });
}

export function runOptions<T>(y: Argv<T>) {
  return crawlOptions(y)
    .option('out', { type: 'string', describe: 'Folder for the report files (default report.out: ./reports)' })
    .option('format', { type: 'string', describe: 'Comma-separated formats: xlsx, csv, json (default report.formats: xlsx,csv,json)' })
    .option('allow-partial', { type: 'boolean', default: false, describe: 'Write the report even if some users or org resources could not be read' });
}

function compareOptions<T>(y: Argv<T>) {
  return configOptions(y)
    .option('out', { type: 'string', describe: 'Folder for the files (default report.out: ./reports)' })
    .option('format', { type: 'string', describe: 'Comma-separated formats: xlsx, csv (one file per sheet), json (default report.formats: xlsx,csv,json)' })
    .option('allow-partial', { type: 'boolean', default: false, describe: 'Compare snapshots even if one is incomplete' });
}

export function diffOptions<T>(y: Argv<T>) {
  return compareOptions(y)
    .positional('a', { type: 'string', describe: 'Snapshot id of the earlier snapshot' })
    .positional('b', { type: 'string', describe: 'Snapshot id of the later snapshot (same org)' })
    .example('$0 diff 3 7 --db acme.db', 'Users, factors, enrollments and findings that changed from snapshot 3 to snapshot 7');
}

export function verifyUpgradeOptions<T>(y: Argv<T>) {
  return compareOptions(y)
    .option('before', { type: 'number', demandOption: true, describe: 'Snapshot id of the org on Classic Engine, before the upgrade' })
    .option('after', { type: 'number', demandOption: true, describe: 'Snapshot id of the same org on Identity Engine, after the upgrade' })
    .example('$0 verify-upgrade --before 3 --after 9 --db acme.db', 'Check that every ACTIVE user kept each factor as an authenticator enrollment');
}

export function demoOptions<T>(y: Argv<T>) {
  return y
    .option('users', { type: 'number', default: 1000, describe: 'Users in the simulated org' })
    .option('pipeline', { choices: ['idx', 'v1'] as const, default: 'idx' as Pipeline, describe: 'Simulate an Identity Engine (idx) or a Classic Engine (v1) org' })
    .option('seed', { type: 'number', default: 1, describe: 'Seed of the simulated org' })
    .option('out', { type: 'string', default: 'reports', describe: 'Folder for the database and the report files' })
    .option('format', { type: 'string', default: 'xlsx,csv,json', describe: 'Comma-separated report formats: xlsx, csv, json' })
    .option('quiet', { type: 'boolean', describe: 'Only warnings and errors; no progress' });
}

export function snapshotsOptions<T>(y: Argv<T>) {
  return configOptions(y)
    .option('json', { type: 'boolean', default: false, describe: 'Print the snapshots as JSON' })
    .example('$0 snapshots --db acme.db', 'Ids, engines, dates and states of the snapshots in acme.db, oldest first');
}

export function rulesOptions<T>(y: Argv<T>) {
  return y.option('json', { type: 'boolean', default: false, describe: 'Print the rules and their metadata as JSON' });
}
