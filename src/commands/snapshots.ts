/** `oie-audit snapshots`: the snapshots a database holds, so `report`, `diff` and `verify-upgrade` can name them. */
import { openExistingDatabase } from '../store/db.js';
import { SnapshotReader } from '../store/snapshot_reader.js';
import type { SnapshotRow } from '../store/types.js';
import { configFromArgs, type ConfigArgs } from './crawl.js';

interface Listed {
  id: number;
  orgUrl: string;
  engine: string;
  startedAt: string;
  finishedAt: string | null;
  state: string;
  /** The snapshot a refresh started from; null for a full crawl. */
  baseSnapshotId: number | null;
  users: number;
  /** Null until the rules have run on it (`report`, `diff`). */
  findings: number | null;
}

const STATE: Record<SnapshotRow['status'], string> = { complete: 'complete', running: 'incomplete (crawl --resume)', failed: 'failed' };

export function runSnapshots(a: ConfigArgs & { json: boolean }): void {
  const config = configFromArgs(a, process.env, true);
  const db = openExistingDatabase(config.crawl.db);
  try {
    const users = db.prepare('SELECT count(*) FROM users WHERE snapshot_id = ?').pluck();
    const audited = db.prepare('SELECT count(*) FROM rule_runs WHERE snapshot_id = ?').pluck();
    const findings = db.prepare('SELECT count(*) FROM findings WHERE snapshot_id = ?').pluck();
    const listed = new SnapshotReader(db).listSnapshots().reverse().map((s): Listed => {
      return {
        id: s.id, orgUrl: s.org_url, engine: s.pipeline ?? 'unknown', startedAt: s.started_at, finishedAt: s.finished_at,
        state: STATE[s.status], baseSnapshotId: s.base_snapshot_id, users: users.get(s.id) as number, findings: (audited.get(s.id) as number) > 0 ? findings.get(s.id) as number : null,
      };
    });
    process.stdout.write(a.json ? `${JSON.stringify(listed, null, 2)}\n` : table(listed));
  } finally {
    db.close();
  }
}

function table(rows: Listed[]): string {
  if (rows.length === 0) return 'no snapshots yet: run oie-audit crawl\n';
  const head = ['ID', 'ORG', 'ENGINE', 'STARTED (UTC)', 'STATE', 'FROM', 'USERS', 'FINDINGS'];
  const body = rows.map((r) => [
    String(r.id), r.orgUrl, r.engine, r.startedAt.slice(0, 16).replace('T', ' '), r.state,
    r.baseSnapshotId === null ? 'full crawl' : `refresh of ${r.baseSnapshotId}`, String(r.users), r.findings === null ? 'not audited' : String(r.findings),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  // Org URLs come from the database: strip control characters so a hostile value cannot drive the terminal.
  const line = (cells: string[]) => `${cells.map((c, i) => c.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').padEnd(widths[i]!)).join('  ').trimEnd()}\n`;
  return [head, ...body].map(line).join('');
}
