/**
 * Shared by the crawl and refresh benchmarks: the simulator in a process of its own, its counters,
 * a command timed with its peak RSS, the rate-limit floor of what it served, and the CPU steal.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { SimulatorStats } from '../src/simulator/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..', '..'); // bench/dist/bench → repo root
export const cli = join(root, 'dist', 'cli.js');

export interface Sim { url: string; token: string; stop(): Promise<void> }

/** `oie-audit simulate ARGS`; resolves once it prints its URL and token. */
export async function startSim(args: string[]): Promise<Sim> {
  const child = spawn(process.execPath, [cli, 'simulate', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const got: string[] = [];
  for await (const line of lines) { got.push(line); if (got.length === 2) break; }
  return {
    url: got[0]!, token: got[1]!.split(' ')[1]!,
    stop: () => new Promise((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}

/** A TCP port free right now (so that several simulator runs serve one org URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

export async function stats(sim: Sim): Promise<SimulatorStats> {
  return (await (await fetch(`${sim.url}/__simulator/stats`)).json()) as SimulatorStats;
}

/** The simulator's clock minus ours (a simulated day runs on its own), to a second: its Date header. */
export async function clockOffsetMs(sim: Sim): Promise<number> {
  const r = await fetch(`${sim.url}/__simulator/stats`);
  await r.arrayBuffer();
  return Date.parse(r.headers.get('date') ?? '') + 500 - Date.now();
}

/** Run a node script under /usr/bin/time; resolves with wall ms, CPU seconds (user + system) and peak RSS in MB. */
export function timed(argv: string[], env: NodeJS.ProcessEnv): Promise<{ startedMs: number; ms: number; cpuS: number; rssMb: number; code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('/usr/bin/time', ['-f', '__RSS_KB=%M __CPU=%U %S', process.execPath, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      const kb = Number(/__RSS_KB=(\d+)/.exec(err)?.[1] ?? 0);
      const cpu = /__CPU=([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0) process.stderr.write(err);
      resolve({ startedMs: t0, ms: Date.now() - t0, cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN, rssMb: kb / 1024, code: code ?? 1, stdout: out, stderr: err });
    });
  });
}

/** The least time the budget allows: the busiest bucket's requests at its share per window. */
export function floorMs(s: SimulatorStats, maxShare: number, windowMs: number): number {
  let worst = 0;
  for (const b of Object.values(s.buckets)) {
    const requests = b.windows.reduce((n, w) => n + w.requests, 0);
    const perWindow = Math.max(1, Math.floor(maxShare * b.limit));
    worst = Math.max(worst, (Math.ceil(requests / perWindow) - 1) * windowMs);
  }
  return worst;
}

/**
 * Where the wall time over the floor went, for the bucket that sets the floor: seconds from the
 * command's start to that bucket's first window, its windows with their requests (`·` = at the
 * share), and seconds from the start of its last window to the command's end (to a second).
 */
export function floorTimeline(s: SimulatorStats, maxShare: number, run: { startedMs: number; ms: number; clockOffsetMs: number }): string {
  const startedMs = run.startedMs + run.clockOffsetMs;
  const endedMs = startedMs + run.ms;
  const busiest = Object.entries(s.buckets)
    .map(([name, b]) => ({ name, b, requests: b.windows.reduce((n, w) => n + w.requests, 0), share: Math.max(1, Math.floor(maxShare * b.limit)) }))
    .sort((x, y) => Math.ceil(y.requests / y.share) - Math.ceil(x.requests / x.share) || y.requests / y.share - x.requests / x.share)[0];
  if (!busiest) return 'no requests';
  const windows = [...busiest.b.windows].sort((x, y) => Date.parse(x.windowStart) - Date.parse(y.windowStart));
  const first = Date.parse(windows[0]!.windowStart);
  const last = Date.parse(windows.at(-1)!.windowStart);
  const cells = windows.map((w) => `+${((Date.parse(w.windowStart) - startedMs) / 1000).toFixed(0)}s:${w.requests >= busiest.share ? '·' : w.requests}`);
  return `${busiest.name} (share ${busiest.share}/window): first window +${((first - startedMs) / 1000).toFixed(1)} s; `
    + `${windows.length} windows [${cells.join(' ')}]; last window start to end ${((endedMs - last) / 1000).toFixed(1)} s`;
}

/** Windows in which the crawl took more than its share of a bucket. */
export function windowsOverShare(s: SimulatorStats, maxShare: number): number {
  return Object.values(s.buckets).flatMap((b) => b.windows.filter((w) => w.requests > Math.floor(maxShare * b.limit))).length;
}

export function quota429s(s: SimulatorStats): number {
  return Object.values(s.buckets).flatMap((b) => b.windows).reduce((n, w) => n + w.rejectedQuota, 0);
}

/** Seconds of CPU steal (time a hypervisor ran something else) so far, all CPUs; 0 where unknown. */
export function stealSeconds(): number {
  try {
    return Number(readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)[8] ?? 0) / 100;
  } catch {
    return 0;
  }
}
