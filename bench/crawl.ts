/**
 * `npm run bench:crawl [-- --users N --window-ms W --latency-ms L --max-share X --skip-baseline]`
 *
 * Crawls a simulated org (its own process, compressed rate-limit windows, latency) twice in one
 * run: oie-audit's `crawl` command, and a baseline — the SDK's default executor with p-limit(10)
 * over the SDK's typed list methods, as most scripts do it. Prints, side by side: wall time, the
 * rate-limit floor (the least time the budget allows), their ratio, 429s by cause, peak in-flight
 * requests and peak RSS of the crawling process (from /usr/bin/time).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import okta from '@okta/okta-sdk-nodejs';
import pLimit from 'p-limit';
import type { SimulatorStats } from '../src/simulator/stats.js';
import { cli, floorMs, root, startSim, stats, stealSeconds, timed, windowsOverShare } from './sim_process.js';

interface Args { users: number; windowMs: number; latencyMs: number; maxShare: number; concurrency: number; skipBaseline: boolean }

function args(): Args {
  const a = process.argv.slice(2);
  const get = (name: string, d: number) => { const i = a.indexOf(`--${name}`); return i >= 0 ? Number(a[i + 1]) : d; };
  return { users: get('users', 20_000), windowMs: get('window-ms', 2000), latencyMs: get('latency-ms', 10), maxShare: get('max-share', 0.5), concurrency: get('concurrency', 8), skipBaseline: a.includes('--skip-baseline') };
}

/** Where the time went in the busiest bucket: how full its windows were, idle time between them. */
function busiest(s: SimulatorStats, maxShare: number, windowMs: number) {
  const [name, b] = Object.entries(s.buckets).sort((x, y) => total(y[1].windows) - total(x[1].windows))[0]!;
  const quota = Math.max(1, Math.floor(maxShare * b.limit));
  const starts = b.windows.map((w) => Date.parse(w.windowStart)).sort((x, y) => x - y);
  let idleMs = 0;
  for (let i = 1; i < starts.length; i++) idleMs += Math.max(0, starts[i]! - starts[i - 1]! - windowMs);
  return { name, windows: b.windows.length, fill: total(b.windows) / (b.windows.length * quota), idleMs };
}

function total(windows: { requests: number }[]): number {
  return windows.reduce((n, w) => n + w.requests, 0);
}

function summarize(s: SimulatorStats) {
  const windows = Object.values(s.buckets).flatMap((b) => b.windows);
  return {
    requests: s.totalRequests,
    quota429: windows.reduce((n, w) => n + w.rejectedQuota, 0),
    concurrency429: windows.reduce((n, w) => n + w.rejectedConcurrency, 0),
    peakInFlight: s.peakConcurrency,
    nonGet: s.nonGetAttempts.count,
    overShare: 0,
  };
}

/** Baseline child: the SDK's default executor and typed list methods, p-limit(10) per user. */
async function baselineChild(url: string, token: string): Promise<void> {
  const client = new okta.Client({ orgUrl: url, token, cacheMiddleware: null, requestExecutor: new okta.DefaultRequestExecutor() });
  const limit = pLimit(10);
  let users = 0;
  let factorRows = 0;
  let errors = 0;
  const tasks: Promise<void>[] = [];
  const crawlUser = async (id: string) => {
    try {
      for await (const f of await client.userFactorApi.listFactors({ userId: id })) if (f) factorRows += 1;
      await client.userAuthenticatorEnrollmentsApi.listAuthenticatorEnrollments({ userId: id });
    } catch {
      errors += 1;
    }
    users += 1;
  };
  for (const search of [undefined, 'status eq "DEPROVISIONED"']) {
    for await (const u of await client.userApi.listUsers(search ? { search } : {})) {
      if (!u) continue;
      const id = u.id!;
      tasks.push(limit(() => crawlUser(id)));
      // Keep the queue bounded, as a careful script would.
      if (limit.pendingCount > 1000) await new Promise((r) => setTimeout(r, 20));
    }
  }
  await Promise.all(tasks);
  process.stdout.write(JSON.stringify({ users, factorRows, errors }));
}

async function measure(a: Args, which: 'oie-audit' | 'baseline') {
  const sim = await startSim(['--users', String(a.users), '--seed', '3', '--window-ms', String(a.windowMs), '--latency-ms', String(a.latencyMs)]);
  const steal0 = stealSeconds();
  const work = mkdtempSync(join(tmpdir(), 'oie-bench-'));
  try {
    const env = { PATH: process.env.PATH, HOME: work, OKTA_CLIENT_ORGURL: sim.url, OKTA_CLIENT_TOKEN: sim.token };
    const run = which === 'oie-audit'
      ? await timed([cli, 'crawl', '--db', join(work, 'bench.db'), '--quiet', '--max-share', String(a.maxShare), '--concurrency', String(a.concurrency), '--logs-since', '7d'], env)
      : await timed([fileURLToPath(import.meta.url), '--baseline-child', sim.url, sim.token], env);
    const s = await stats(sim);
    const sum = summarize(s);
    sum.overShare = windowsOverShare(s, a.maxShare);
    const floor = floorMs(s, a.maxShare, a.windowMs);
    return {
      ...sum, ms: run.ms, rssMb: run.rssMb, code: run.code, floorMs: floor, ratio: run.ms / Math.max(1, floor), child: run.stdout,
      busiest: busiest(s, a.maxShare, a.windowMs), stealS: stealSeconds() - steal0,
    };
  } finally {
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--baseline-child') return baselineChild(process.argv[3]!, process.argv[4]!);
  const a = args();
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  console.log(`bench:crawl — oie-audit ${version}; ${a.users} users; window ${a.windowMs} ms; latency ${a.latencyMs} ms (+ jitter); maxShare ${a.maxShare}; concurrency ${a.concurrency}`);
  const ours = await measure(a, 'oie-audit');
  const base = a.skipBaseline ? undefined : await measure(a, 'baseline');
  const row = (label: string, f: (m: typeof ours) => string) => console.log(`${label.padEnd(28)}${f(ours).padStart(16)}${base ? f(base).padStart(22) : ''}`);
  console.log(`${''.padEnd(28)}${'oie-audit'.padStart(16)}${base ? 'baseline (SDK+p-limit)'.padStart(22) : ''}`);
  row('wall time (s)', (m) => (m.ms / 1000).toFixed(1));
  row('rate-limit floor (s)', (m) => (m.floorMs / 1000).toFixed(1));
  row('wall / floor', (m) => m.ratio.toFixed(3));
  row('requests served', (m) => String(m.requests));
  row('quota 429s', (m) => String(m.quota429));
  row('concurrency 429s', (m) => String(m.concurrency429));
  row('windows over maxShare', (m) => String(m.overShare));
  row('peak in-flight', (m) => String(m.peakInFlight));
  row('busiest bucket', (m) => m.busiest.name);
  row('  its windows', (m) => String(m.busiest.windows));
  row('  mean fill of its share', (m) => `${(100 * m.busiest.fill).toFixed(1)}%`);
  row('  idle between windows (s)', (m) => (m.busiest.idleMs / 1000).toFixed(1));
  row('peak RSS (MB)', (m) => m.rssMb.toFixed(0));
  row('exit code', (m) => String(m.code));
  // Crawler and simulator share this machine's CPUs: time a hypervisor takes from them slows both.
  row('CPU steal during run (s)', (m) => m.stealS.toFixed(1));
  if (base) console.log(`baseline child: ${base.child}`);
}

await main();
