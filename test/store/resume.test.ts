import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { type Db, openDatabase } from '../../src/store/db.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import { crawl, fakeOrg, installCrashTriggers } from './fake_crawl.js';
import { dump, tempDir } from './helpers.js';

class Crash extends Error {}

/** Runs the crawl on `path`, throwing Crash at the k-th tick (never if k is Infinity); returns the tick count. */
function runUntil(path: string, k: number, style: 'paged' | 'runAhead' = 'paged'): number {
  const db: Db = openDatabase(path);
  let n = 0;
  const tick = (): void => {
    n += 1;
    if (n === k) throw new Crash(`crash at ${k}`);
  };
  try {
    installCrashTriggers(db, tick);
    crawl(new SnapshotWriter(db), fakeOrg(), tick, style);
  } finally {
    db.close();
  }
  return n;
}

function finish(path: string): Record<string, unknown[]> {
  runUntil(path, Infinity);
  const db = openDatabase(path);
  try {
    return dump(db);
  } finally {
    db.close();
  }
}

describe('resume after a crash', () => {
  let t: ReturnType<typeof tempDir>;
  let baseline: Record<string, unknown[]>;
  let points: number;

  beforeAll(() => {
    t = tempDir();
    const path = t.file('baseline.db');
    points = runUntil(path, Infinity);
    const db = openDatabase(path);
    baseline = dump(db);
    db.close();
  });
  afterAll(() => t.cleanup());

  it('the uninterrupted crawl wrote what the fake org holds', () => {
    expect(points).toBeGreaterThan(100);
    expect(baseline['users']).toHaveLength(13);
    expect(baseline['factors']).toHaveLength(24);
    expect(baseline['authenticator_enrollments']).toHaveLength(11);
    expect(baseline['log_events']).toHaveLength(7);
    expect(baseline['crawl_errors']).toHaveLength(3);
    expect(baseline['crawl_progress']).toEqual([
      JSON.stringify({ snapshot_id: 1, phase: 'logs:all', cursor: null, done: 1 }),
      JSON.stringify({ snapshot_id: 1, phase: 'users:all', cursor: null, done: 1 }),
    ]);
  });

  it.each(['paged', 'runAhead'] as const)('%s: crashing at every write point, inside or between transactions, then resuming gives the same rows', (style) => {
    const path0 = t.file(`${style}-clean.db`);
    const n = runUntil(path0, Infinity, style);
    const clean = openDatabase(path0);
    expect(dump(clean)).toEqual(baseline);
    clean.close();
    for (let k = 1; k <= n; k += 1) {
      const path = t.file(`${style}-crash-${k}.db`);
      expect(() => runUntil(path, k, style)).toThrow(Crash);
      expect({ k, tables: finish(path) }).toEqual({ k, tables: baseline });
    }
  });

  it('survives several crashes in one crawl', () => {
    for (const crashes of [[5, 5, 5, 5], [40, 17, 60], [points - 1, 2]]) {
      const path = t.file(`multi-${crashes.join('-')}.db`);
      for (const k of crashes) expect(() => runUntil(path, k)).toThrow(Crash);
      expect(finish(path)).toEqual(baseline);
    }
  });

  it('a real SIGKILL mid-transaction or between transactions, then resume, gives the same rows', () => {
    // Transpile the store and the fake crawler so a plain node child can run them and be killed.
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const out = t.file('child');
    for (const rel of ['src/errors.ts', 'src/store/db.ts', 'src/store/migrate.ts', 'src/store/extract.ts', 'src/store/snapshot_writer.ts', 'src/store/snapshot_reader.ts', 'src/store/types.ts', 'test/store/fake_crawl.ts']) {
      const js = ts.transpileModule(readFileSync(join(root, rel), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      }).outputText;
      mkdirSync(dirname(join(out, rel)), { recursive: true });
      writeFileSync(join(out, rel.replace(/\.ts$/, '.js')), js);
    }
    symlinkSync(join(root, 'migrations'), join(out, 'migrations'));
    symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    writeFileSync(join(out, 'child.js'), `
      import { openDatabase } from './src/store/db.js';
      import { SnapshotWriter } from './src/store/snapshot_writer.js';
      import { crawl, fakeOrg, installCrashTriggers } from './test/store/fake_crawl.js';
      const [path, k] = process.argv.slice(2);
      const db = openDatabase(path);
      let n = 0;
      const tick = () => { if (++n === Number(k)) process.kill(process.pid, 'SIGKILL'); };
      installCrashTriggers(db, tick);
      crawl(new SnapshotWriter(db), fakeOrg(), tick);
    `);
    const picks = [1, 2, 3, 7, 20, 33, 50, 71, Math.floor(points / 2), points - 3, points - 1, points];
    for (const k of picks) {
      const path = t.file(`kill-${k}.db`);
      const child = spawnSync(process.execPath, [join(out, 'child.js'), path, String(k)], { encoding: 'utf8' });
      expect({ k, signal: child.signal, stderr: child.stderr }).toEqual({ k, signal: 'SIGKILL', stderr: '' });
      expect({ k, tables: finish(path) }).toEqual({ k, tables: baseline });
    }
  });
});
