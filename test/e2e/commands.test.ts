/**
 * The README's commands as a user runs them: the built CLI in a child process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/crawl.js';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const cleanEnv = (home: string) => ({ PATH: process.env.PATH, HOME: home });
/** The commands the README's Commands table documents. */
const documented = [...readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8').matchAll(/^\| `oie-audit ([a-z-]+)/gm)].map((m) => m[1]!);

test('oie-audit simulate prints its base URL first, serves the SDK\'s well-known document, and stops on SIGTERM', async () => {
  const home = tempDir();
  const child = spawn(process.execPath, [cli, 'simulate', '--users', '20', '--token', '00simulatetesttoken'], { env: cleanEnv(home), cwd: home });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve) => lines.once('line', resolve));
  expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${first}/.well-known/okta-organization`);
  expect(await res.json()).toMatchObject({ pipeline: 'idx', _links: { organization: { href: first } } });
  const users = await fetch(`${first}/api/v1/users?limit=5`, { headers: { Authorization: 'SSWS 00simulatetesttoken' } });
  expect(((await users.json()) as unknown[]).length).toBe(5);
  const code = await new Promise<number | null>((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
  expect(code).toBe(0);
});

test('every command the README documents answers --help with each of its flags described, and --help lists no other', () => {
  expect(documented).toEqual(['demo', 'run', 'crawl', 'report', 'snapshots', 'diff', 'verify-upgrade', 'rules', 'simulate']);
  for (const command of documented) {
    const out = spawnSync(process.execPath, [cli, command, '--help'], { encoding: 'utf8' });
    expect([command, out.status]).toEqual([command, 0]);
    // Every flag line carries a description, not just its name and type.
    for (const line of out.stdout.split('\n').filter((l) => /^\s+(-\w, )?--[\w-]+\s/.test(l))) {
      expect([command, line.replace(/^\s+(-\w, )?--[\w-]+/, '').replace(/\[[^\]]*\]/g, '').trim().length > 8]).toEqual([command, true]);
    }
  }
  const top = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  expect([...top.stdout.matchAll(/^ {2}oie-audit ([a-z-]+)/gm)].map((m) => m[1]).sort()).toEqual([...documented].sort());
});

test('oie-audit demo writes a database and a workbook and says where they are', () => {
  const home = tempDir();
  const out = join(home, 'reports');
  const run = spawnSync(process.execPath, [cli, 'demo', '--users', '150', '--out', out, '--quiet'], { env: cleanEnv(home), cwd: home, encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).not.toMatch(/error/i);
  expect(run.status).toBe(0);
  const db = /^Database: (\S+)/m.exec(run.stdout)?.[1];
  const workbook = /^Workbook: (\S+)/m.exec(run.stdout)?.[1];
  expect(db && existsSync(db)).toBeTruthy();
  expect(workbook && existsSync(workbook)).toBeTruthy();
  expect(statSync(workbook!).mode & 0o777).toBe(0o600);
  expect(statSync(db!).mode & 0o777).toBe(0o600);
});

test('a reader that stops early is not an error: oie-audit rules | true', () => {
  // `true` exits at once, long before node has started, so the write meets a closed pipe.
  const out = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${cli}" rules | true`], { encoding: 'utf8' });
  expect([out.status, out.stderr]).toEqual([0, '']);
});
