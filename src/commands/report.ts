/** `oie-audit report`: evaluate the rules on a snapshot and write the workbook, CSV and JSON. */
import { AuditError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import type { Config } from '../config/load.js';
import { openExistingDatabase } from '../store/db.js';
import type { Db } from '../store/db.js';
import type { RuleRunResult } from '../rules/run.js';
import { RULES } from '../rules/registry.js';
import { writeReport } from '../report/write_report.js';
import { configFromArgs, type ConfigArgs } from './crawl.js';

export interface ReportArgs extends ConfigArgs {
  snapshot: string;
  'allow-partial': boolean;
}

export async function runReport(a: ReportArgs): Promise<void> {
  const config = configFromArgs(a, process.env, true);
  const logger = createLogger({ format: config.log.format, quiet: config.log.quiet });
  const snapshot = parseSnapshot(a.snapshot);
  const db = openExistingDatabase(config.crawl.db);
  try {
    await auditAndReport(db, snapshot, config, a['allow-partial'], logger);
  } finally {
    db.close();
  }
}

/**
 * The rules (their findings are stored with the snapshot) and the report files: on a large
 * snapshot the rules run while the workbook's render workers write the sheets that do not read
 * their findings.
 */
export async function auditAndReport(db: Db, snapshot: number | 'latest', config: Config, allowPartial: boolean, logger: Logger): Promise<string[]> {
  const audit = (results: RuleRunResult[]): void => {
    for (const r of results) {
      // Also on the Coverage & Errors sheet.
      if (r.status === 'skipped') logger.warn(`rule ${r.ruleId} skipped: ${r.reason ?? ''}`);
      if (r.status === 'not_applicable') logger.info(`rule ${r.ruleId} not applicable: ${r.reason ?? ''}`);
      if (r.status === 'error') logger.error(`rule ${r.ruleId} failed: ${r.reason ?? ''}`);
    }
  };
  const { files } = await writeReport(db, {
    snapshot, outDir: config.report.out, formats: config.report.formats, allowPartial, rules: RULES.map((r) => r.meta), audit,
  });
  for (const f of files) process.stdout.write(`${f}\n`);
  return files;
}

function parseSnapshot(value: string): number | 'latest' {
  if (value === 'latest') return 'latest';
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new AuditError('ERR_USAGE', `--snapshot: "${value.slice(0, 40)}" is not a snapshot id. Use a number from the snapshots table, or latest`);
  return id;
}
