/**
 * Helpers for CLI acceptance tests: run the built `dist/cli.js` as a user would, in a sandbox (its
 * own working directory and HOME, an environment holding only PATH and what the test passes), and
 * look into snapshot databases read-only while a crawl writes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDir } from '../support/crawl.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface Sandbox {
  root: string;
  /** Working directory of every run: no stray ./config.yaml. */
  cwd: string;
  /** HOME of every run: no stray ~/.okta/okta.yaml. */
  home: string;
}

export function sandbox(prefix = 'oie-cli-'): Sandbox {
  const root = tempDir(prefix);
  const s = { root, cwd: join(root, 'work'), home: join(root, 'home') };
  mkdirSync(s.cwd);
  mkdirSync(s.home);
  return s;
}

export function removeSandbox(box: Sandbox): void {
  rmSync(box.root, { recursive: true, force: true });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Settles when the process has exited and its output is closed. */
  done: Promise<CliResult>;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
}

/** Starts `node dist/cli.js ...args` with only PATH, HOME and `env` in its environment. */
export function startCli(box: Sandbox, args: readonly string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: box.cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: box.home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return { child, done, stdout: () => out, stderr: () => err };
}

export function runCli(box: Sandbox, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(box, args, env).done;
}

/** Shown when a run did not end as expected. */
export function describeRun(r: CliResult): string {
  return `exit ${r.code ?? r.signal}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/**
 * Runs `query` on a read-only connection to a database another process is writing. Undefined while
 * the file or its schema does not exist yet (or is locked for the moment).
 */
export function peek<T>(dbPath: string, query: (db: Database.Database) => T): T | undefined {
  if (!existsSync(dbPath)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    return query(db);
  } catch {
    return undefined;
  } finally {
    db?.close();
  }
}

/**
 * Polls `probe` every `intervalMs` until it returns a value, without blocking the event loop (the
 * simulator serving the crawl may live in this process). Fails if `run` exits first or on timeout.
 */
export async function waitUntil<T>(probe: () => T | undefined, opts: { run?: CliRun; timeoutMs: number; what: string; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let exited: CliResult | undefined;
  void opts.run?.done.then((r) => { exited = r; }, () => undefined);
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (exited) throw new Error(`the crawl ended before ${opts.what}: ${describeRun(exited)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what}${opts.run ? `; stderr so far:\n${opts.run.stderr()}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 15));
  }
}

/** The database file and its WAL side files, whichever exist. */
export function dbFiles(dbPath: string): string[] {
  return [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`].filter((p) => existsSync(p));
}
