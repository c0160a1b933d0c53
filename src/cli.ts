#!/usr/bin/env node
/**
 * oie-audit command line. Every failure a person can fix is an AuditError: one line on stderr and
 * the exit code documented in the README; anything else is a bug and exits 1.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AuditError } from './errors.js';
import { crawlOptions, demoOptions, diffOptions, reportOptions, rulesOptions, runOptions, simulateOptions, snapshotsOptions, verifyUpgradeOptions } from './commands/options.js';

export async function main(argv: string[]): Promise<number> {
  try {
    await yargs(argv)
      .scriptName('oie-audit')
      .usage('$0 <command> [options]\n\nRead-only audit of an Okta org before a Classic Engine to Identity Engine upgrade.')
      .command('demo', 'Run the whole job against the embedded simulated org and print where the database and workbook are',
        (y) => demoOptions(y), async (a) => (await import('./commands/demo.js')).runDemo(a))
      .command('run', 'Crawl the org, then audit the snapshot and write the report (the job to run against a real org)',
        (y) => runOptions(y), async (a) => (await import('./commands/run.js')).runRun(a))
      .command('crawl', 'Read every user\'s factors and authenticator enrollments, the org\'s policies and the System Log into a SQLite snapshot (read-only, rate-limit aware, resumable)',
        (y) => crawlOptions(y), async (a) => (await import('./commands/crawl.js')).runCrawl(a))
      .command('report', 'Audit a snapshot with the rules and write the Excel workbook, CSV and JSON',
        (y) => reportOptions(y), async (a) => (await import('./commands/report.js')).runReport(a))
      .command('diff <a> <b>', 'Compare two snapshots of one org: users, factors, enrollments and findings added, removed or changed, as a workbook, CSV and JSON',
        (y) => diffOptions(y), async (a) => (await import('./commands/compare.js')).runDiff(a))
      .command('verify-upgrade', 'After the upgrade: check that every user kept each Classic factor as an Identity Engine authenticator enrollment',
        (y) => verifyUpgradeOptions(y), async (a) => (await import('./commands/compare.js')).runVerifyUpgrade(a))
      .command('snapshots', 'List the snapshots in the database: id, org, engine, when, complete or not, refreshed from which, users and findings',
        (y) => snapshotsOptions(y), async (a) => (await import('./commands/snapshots.js')).runSnapshots(a))
      .command('rules', 'List the audit rules with severity, family and the engine they apply to',
        (y) => rulesOptions(y), async (a) => (await import('./commands/rules.js')).runRules(a))
      .command('simulate', 'Serve an embedded, simulated Okta org on loopback (for demos, tests and your own scripts)',
        (y) => simulateOptions(y), async (a) => (await import('./commands/simulate.js')).runSimulate(a))
      .demandCommand(1, 'Name a command; see --help.')
      .strict()
      .recommendCommands()
      .help()
      .alias('help', 'h')
      .version()
      .wrap(Math.min(110, process.stdout.columns ?? 110))
      .fail((msg, err) => {
        // yargs' own usage messages name the problem; add where the fix is.
        throw err ?? new AuditError('ERR_USAGE', `${msg.replace(/\.?\s*$/, '')}. See oie-audit --help, or oie-audit <command> --help for its flags.`);
      })
      .parseAsync();
    return 0;
  } catch (e) {
    if (e instanceof AuditError) {
      process.stderr.write(`oie-audit: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`oie-audit: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

// A reader that stops early (`oie-audit rules | head`) closes the pipe: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(hideBin(process.argv)).then((code) => { process.exitCode = code; });
