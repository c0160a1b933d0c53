/**
 * `npm run bench:refresh [-- --users N --pipeline idx|v1 --window-ms W --max-share X --keep --dir D [--reuse]]`
 *
 * The daily re-audit's cost. In one run: a full crawl of a simulated org on day 0 (its own
 * process; limits lifted, since only its calls are counted), then `crawl --refresh` of the same
 * org on day 1, when about 1 % of its users have changed, under Okta's published limits and
 * 60-second windows (shorter ones with --window-ms shrink the floor but not the local work of
 * copying unchanged users, so they overstate the ratio) and the default maxShare. Prints, side by side: calls of the full crawl and of
 * the refresh by endpoint, their ratio, and the refresh's wall time against its own rate-limit floor
 * (its busiest bucket's requests at its share per window), with 429s, windows over the share, peak
 * RSS and the CPU steal of the run. `--keep --dir D` keeps the database and the day-0 figures;
 * `--reuse` then skips day 0 (its crawl takes about 40 minutes at 1,000,000 users) and refreshes
 * the kept snapshot again.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SimulatorStats } from '../src/simulator/stats.js';
import { CHANGE_RATE } from '../src/simulator/org/generated_history.js';
import { cli, clockOffsetMs, floorMs, floorTimeline, freePort, quota429s, root, startSim, stats, stealSeconds, timed, windowsOverShare } from './sim_process.js';

interface Args { users: number; pipeline: string; windowMs: number; maxShare: number; keep: boolean; reuse: boolean; dir: string | undefined }

function args(): Args {
  const a = process.argv.slice(2);
  const get = (name: string): string | undefined => { const i = a.indexOf(`--${name}`); return i >= 0 ? a[i + 1] : undefined; };
  return {
    users: Number(get('users') ?? 1_000_000), pipeline: get('pipeline') ?? 'idx', windowMs: Number(get('window-ms') ?? 60_000),
    maxShare: Number(get('max-share') ?? 0.5), keep: a.includes('--keep') || a.includes('--reuse'), reuse: a.includes('--reuse'), dir: get('dir'),
  };
}

const UNLIMITED = ['users_list', 'user_get', 'logs', 'api_v1', 'apps', 'well_known'].flatMap((b) => ['--limit', `${b}=100000000`]);

async function run(a: Args, port: number, day: number, extra: string[], crawlArgs: string[], db: string, work: string) {
  const sim = await startSim(['--users', String(a.users), '--seed', '5', '--pipeline', a.pipeline, '--port', String(port), '--day', String(day), ...extra]);
  try {
    const offset = await clockOffsetMs(sim);
    const steal0 = stealSeconds();
    const env = { PATH: process.env['PATH'], HOME: work, OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: sim.token };
    const r = await timed([cli, 'crawl', '--db', db, '--quiet', '--logs-since', '30d', ...crawlArgs], env);
    if (r.code !== 0) throw new Error(`crawl on day ${day} failed (exit ${r.code})`);
    return { ...r, clockOffsetMs: offset, stats: await stats(sim), stealS: stealSeconds() - steal0 };
  } finally {
    await sim.stop();
  }
}

type Run = Awaited<ReturnType<typeof run>>;

/**
 * The full crawl on day 0, or the one kept by an earlier `--keep` run with `--reuse` (its
 * refreshes removed; the same port, since the port is part of the org's URL).
 */
async function dayZero(a: Args, db: string, work: string): Promise<{ full: Run; port: number }> {
  const kept = join(work, 'day0.json');
  const org = { users: a.users, pipeline: a.pipeline };
  if (a.reuse && existsSync(kept) && existsSync(db)) {
    const day0 = JSON.parse(readFileSync(kept, 'utf8')) as { full: Run; port: number; org?: typeof org };
    if (day0.org?.users !== org.users || day0.org.pipeline !== org.pipeline) {
      throw new Error(`--reuse: ${work} holds day 0 of ${JSON.stringify(day0.org ?? 'an unknown org')}, not of ${JSON.stringify(org)}; give the same --users and --pipeline, or another --dir`);
    }
    const store = new Database(db);
    store.pragma('foreign_keys = ON');
    store.prepare('DELETE FROM snapshots WHERE id > 1').run();
    store.close();
    console.log(`day 0: reusing the full crawl kept in ${work}`);
    return day0;
  }
  const port = await freePort();
  const full = await run(a, port, 0, UNLIMITED, ['--concurrency', '16', '--max-share', '1'], db, work);
  console.log(`day 0 full crawl done in ${(full.ms / 1000).toFixed(0)} s (limits lifted: only its calls count)`);
  if (a.keep) writeFileSync(kept, JSON.stringify({ full: { ...full, stdout: '', stderr: '' }, port, org }));
  return { full, port };
}

function calls(s: SimulatorStats, endpoint?: string): number {
  return endpoint === undefined ? Object.values(s.byEndpoint).reduce((n, c) => n + c, 0) : s.byEndpoint[endpoint] ?? 0;
}

async function main(): Promise<void> {
  const a = args();
  if (a.reuse && a.dir === undefined) throw new Error('--reuse needs --dir D: the folder an earlier --keep --dir D run kept');
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const work = a.dir ?? mkdtempSync(join(tmpdir(), 'oie-bench-refresh-'));
  mkdirSync(work, { recursive: true });
  const db = join(work, 'bench.db');
  console.log(`bench:refresh — oie-audit ${version}; ${a.users.toLocaleString('en-US')} users (${a.pipeline}); ${(CHANGE_RATE * 100).toFixed(0)} % change per day; `
    + `refresh: window ${a.windowMs} ms, published limits, maxShare ${a.maxShare}; database ${db}`);
  try {
    const { full, port } = await dayZero(a, db, work);
    const refresh = await run(a, port, 1, ['--window-ms', String(a.windowMs)], ['--refresh', '--max-share', String(a.maxShare)], db, work);
    const floor = floorMs(refresh.stats, a.maxShare, a.windowMs);
    const endpoints = [...new Set([...Object.keys(full.stats.byEndpoint), ...Object.keys(refresh.stats.byEndpoint)])].sort();
    const row = (label: string, x: string, y: string) => console.log(`${label.padEnd(34)}${x.padStart(16)}${y.padStart(16)}`);
    row('', 'full crawl', 'daily refresh');
    row('calls (all)', calls(full.stats).toLocaleString('en-US'), calls(refresh.stats).toLocaleString('en-US'));
    for (const e of endpoints) row(`  ${e}`, calls(full.stats, e).toLocaleString('en-US'), calls(refresh.stats, e).toLocaleString('en-US'));
    row('refresh calls / full crawl calls', '', `${((100 * calls(refresh.stats)) / calls(full.stats)).toFixed(2)} %`);
    row('wall time (s)', (full.ms / 1000).toFixed(1), (refresh.ms / 1000).toFixed(1));
    row('rate-limit floor (s)', 'n/a (lifted)', (floor / 1000).toFixed(1));
    row('wall / floor', '', (refresh.ms / Math.max(1, floor)).toFixed(3));
    row('quota 429s', String(quota429s(full.stats)), String(quota429s(refresh.stats)));
    row('windows over maxShare', '', String(windowsOverShare(refresh.stats, a.maxShare)));
    row('CPU time of the crawl (s)', full.cpuS.toFixed(1), refresh.cpuS.toFixed(1));
    row('peak RSS of the crawl (MB)', full.rssMb.toFixed(0), refresh.rssMb.toFixed(0));
    row('CPU steal during run (s)', full.stealS.toFixed(1), refresh.stealS.toFixed(1));
    const store = new Database(db, { readonly: true });
    const users = store.prepare('SELECT count(*) AS listed, sum(carried_from IS NOT NULL) AS carried FROM users WHERE snapshot_id = (SELECT max(id) FROM snapshots)').get() as { listed: number; carried: number };
    store.close();
    row('users listed / copied from the base', '', `${users.listed.toLocaleString('en-US')} / ${users.carried.toLocaleString('en-US')}`);
    console.log(`floor bucket timeline: ${floorTimeline(refresh.stats, a.maxShare, refresh)}`);
  } finally {
    if (!a.keep) rmSync(work, { recursive: true, force: true });
  }
}

await main();
