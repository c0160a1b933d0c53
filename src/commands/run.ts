/** `oie-audit run`: crawl the org, then report on that snapshot — the job to run against a real org. */
import { createLogger } from '../log.js';
import { openExistingDatabase } from '../store/db.js';
import { configFromArgs, crawlMode, crawlWithConfig, type ConfigArgs } from './crawl.js';
import { auditAndReport } from './report.js';

export async function runRun(a: ConfigArgs & { resume: boolean; refresh?: boolean; base?: number; 'allow-partial': boolean }): Promise<void> {
  const mode = crawlMode(a);
  const config = configFromArgs(a);
  const logger = createLogger({ format: config.log.format, quiet: config.log.quiet });
  const outcome = await crawlWithConfig(config, mode, logger);
  const db = openExistingDatabase(config.crawl.db);
  try {
    await auditAndReport(db, outcome.snapshotId, config, a['allow-partial'], logger);
  } finally {
    db.close();
  }
}
