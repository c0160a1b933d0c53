/** `oie-audit diff` and `oie-audit verify-upgrade`: two snapshots of one org, compared into report files. */
import { AuditError } from '../errors.js';
import { createLogger } from '../log.js';
import { openExistingDatabase, type Db } from '../store/db.js';
import { RULES } from '../rules/registry.js';
import { diffSheets } from '../compare/diff.js';
import { ensureFindings, loadPair, writeComparison, type Pair } from '../compare/pair.js';
import { checkUpgradePair, verifyUpgradeSheets } from '../compare/verify_upgrade.js';
import type { SheetSpec } from '../report/sheets.js';
import { configFromArgs, type ConfigArgs } from './crawl.js';

type CompareArgs = ConfigArgs & { 'allow-partial': boolean };

function snapshotId(flag: string, value: unknown): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) throw new AuditError('ERR_USAGE', `${flag}: "${String(value).slice(0, 40)}" is not a snapshot id; give a number from the snapshots table`);
  return id;
}

async function compare(a: CompareArgs, kind: string, ids: [number, number], build: (db: Db, pair: Pair) => SheetSpec[]): Promise<void> {
  const config = configFromArgs(a, process.env, true);
  const logger = createLogger({ format: config.log.format, quiet: config.log.quiet });
  const db = openExistingDatabase(config.crawl.db);
  try {
    const pair = loadPair(db, ids[0], ids[1], a['allow-partial'], kind);
    const sheets = build(db, pair);
    const now = new Date();
    const side = (s: Pair['before']) => ({ id: s.id, orgUrl: s.org_url, pipeline: s.pipeline, startedAt: s.started_at });
    const head = { format: `oie-audit-${kind}`, formatVersion: 1, generatedAt: now.toISOString(), before: side(pair.before), after: side(pair.after) };
    const files = await writeComparison(kind, pair, sheets, head, config.report.out, config.report.formats, now);
    logger.info(`${kind}: snapshot ${pair.before.id} to snapshot ${pair.after.id}`);
    for (const f of files) process.stdout.write(`${f}\n`);
  } finally {
    db.close();
  }
}

export async function runDiff(a: CompareArgs & { a: unknown; b: unknown }): Promise<void> {
  await compare(a, 'diff', [snapshotId('A', a.a), snapshotId('B', a.b)], (db, pair) => {
    // Findings are compared as stored; a snapshot no one has reported on yet gets its rules run.
    ensureFindings(db, pair.before.id);
    ensureFindings(db, pair.after.id);
    return diffSheets(db, pair, RULES.map((r) => r.meta));
  });
}

export async function runVerifyUpgrade(a: CompareArgs & { before: unknown; after: unknown }): Promise<void> {
  await compare(a, 'verify-upgrade', [snapshotId('--before', a.before), snapshotId('--after', a.after)], (db, pair) => {
    checkUpgradePair(pair);
    return verifyUpgradeSheets(db, pair);
  });
}
