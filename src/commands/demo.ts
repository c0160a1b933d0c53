/**
 * `oie-audit demo`: the whole job against the embedded simulator — start a simulated org on
 * loopback, crawl it, audit it, write the report — and say where the database and workbook are.
 * Rate-limit windows are compressed to one second so the demo takes seconds, not minutes.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { startSimulator } from '../simulator/server.js';
import type { Pipeline } from '../simulator/org/types.js';
import { openExistingDatabase } from '../store/db.js';
import { crawlWithConfig } from './crawl.js';
import { auditAndReport } from './report.js';

export async function runDemo(a: { users: number; pipeline: Pipeline; seed: number; out: string; format: string; quiet?: boolean | undefined }): Promise<void> {
  const out = resolve(a.out);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  const dbPath = join(out, `oie-audit-demo-${a.pipeline}.db`);
  const sim = await startSimulator({ users: a.users, pipeline: a.pipeline, seed: a.seed, windowMs: 1000 });
  try {
    // The user's own ./config.yaml is not read: the demo talks to the simulator only.
    const config = loadConfig({
      cwd: tmpdir(), env: { OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: sim.token },
      flags: { db: dbPath, out, format: a.format, ...(a.quiet ? { quiet: true } : {}) },
    });
    const logger = createLogger({ format: 'text', quiet: config.log.quiet });
    logger.info(`simulated ${a.pipeline === 'idx' ? 'Identity Engine' : 'Classic Engine'} org with ${a.users} users at ${sim.url}`);
    const outcome = await crawlWithConfig(config, { resume: false }, logger);
    const db = openExistingDatabase(dbPath);
    try {
      const files = await auditAndReport(db, outcome.snapshotId, config, false, logger);
      const workbook = files.find((f) => f.endsWith('.xlsx'));
      process.stdout.write(`\nDatabase: ${dbPath} (snapshot ${outcome.snapshotId}; try: sqlite3 ${dbPath} 'select * from v_push_factors_per_user limit 5')\n`);
      if (workbook) process.stdout.write(`Workbook: ${workbook}\n`);
    } finally {
      db.close();
    }
  } finally {
    await sim.close();
  }
}
