/**
 * Report benchmark: builds a large snapshot straight into SQLite (1,000,000 users, ~3,000,000
 * factors, 1,000,000 enrollments by default), then runs what `oie-audit report` does (the real
 * rules, while the render workers write the sheets that do not read their findings, then the rest
 * of the workbook) in a child process, so its peak RSS is its own. It prints the rules and the
 * workbook separately and the total, with the CPU steal of the run, and compares with exceljs
 * baselines on a slice of the Factors sheet.
 *
 *   npx tsc -p bench/tsconfig.json && node bench/dist/bench/report.js [options]
 *
 * One phase again on a kept database (--keep --dir D); each prints one JSON line:
 *   --phase rules --db D/bench.db --snapshot 1      (the rules alone; replaces the stored findings)
 *   --phase report --db D/bench.db --out D/r --audit (the rules and the workbook, as the command)
 *   --phase report --db D/bench.db --out D/r        (the workbook of the stored findings)
 *
 * Options: --users N (1000000) --slice N (100000, baselines)
 *          --synthetic-findings N (store N synthetic findings instead of running the rules)
 *          --formats xlsx[,csv,json]
 *          --dir PATH (a temp folder) --keep (keep the database and report)
 * Not part of `npm test`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { migrate } from '../src/store/migrate.js';
import type { Db } from '../src/store/db.js';
import { SnapshotReader } from '../src/store/snapshot_reader.js';
import { computeCoverage } from '../src/store/snapshot_reader.js';
import { parseTimestamp, safeText } from '../src/report/cells.js';
import { buildSheets, type ReportContext, type RuleMetaLike, type SheetSpec } from '../src/report/sheets.js';
import { assessCompleteness, type ReportFormat, writeReport } from '../src/report/write_report.js';
import { RULES } from '../src/rules/registry.js';
import { type RuleRunResult, runRules } from '../src/rules/run.js';
import { writeXlsx } from '../src/report/xlsx.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORG = 'https://bench.okta.com';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** The repository root: the nearest folder up with migrations/ (the bench runs from bench/dist/bench). */
function repoRoot(): string {
  let dir = HERE;
  for (;;) {
    if (existsSync(join(dir, 'migrations', '0001_snapshot.sql'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the migrations folder above the benchmark');
    dir = up;
  }
}

function open(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db, join(repoRoot(), 'migrations'));
  return db;
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------------------------------------
// Build

const SYNTHETIC_RULES: RuleMetaLike[] = [
  { id: 'bench_signed_nonce', title: 'FastPass factor present', severity: 'medium', family: 'Signed Nonce', whyItMatters: 'w', recommendation: 'Review the device.', docUrl: 'https://developer.okta.com/' },
  { id: 'bench_duplicate_push', title: 'More than one push factor', severity: 'high', family: 'Duplicate Push', whyItMatters: 'w', recommendation: 'Remove the stale device.', docUrl: 'https://developer.okta.com/' },
  { id: 'bench_no_active_factor', title: 'No active factor', severity: 'low', family: 'MFA Hygiene', whyItMatters: 'w', recommendation: 'Contact the user.', docUrl: 'https://developer.okta.com/' },
  { id: 'bench_email_factor', title: 'Email appears as a factor', severity: 'info', family: 'Expected after the upgrade', whyItMatters: 'w', recommendation: 'None.', docUrl: 'https://developer.okta.com/' },
];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function build(path: string, users: number): { snapshotId: number; counts: { users: number; factors: number; enrollments: number } } {
  const db = open(path);
  // A throwaway file: durability and key checks buy nothing while loading it (rows are
  // inserted parent first); WAL again once loaded, as a crawl leaves it.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -262144');
  const started = Date.parse('2026-11-22T13:40:00.000Z');
  const snap = db
    .prepare(`INSERT INTO snapshots (started_at, finished_at, org_url, org_id, pipeline, tool_version, settings_json, status, users_expected)
      VALUES (?, ?, ?, '00obench', 'idx', 'bench', '{}', 'complete', ?)`)
    .run(iso(started), iso(started + 3_600_000), ORG, users);
  const id = Number(snap.lastInsertRowid);
  for (const r of ['wellKnown', 'authenticators', 'policies:MFA_ENROLL', 'policies:OKTA_SIGN_ON', 'eventHooks', 'apiTokens', 'logs', 'authenticatorEnrollments']) {
    db.prepare(`INSERT INTO org_resources (snapshot_id, resource, state) VALUES (?, ?, 'complete')`).run(id, r);
  }
  db.prepare(`INSERT INTO policies (snapshot_id, id, resource, type, name, status, priority, is_system, settings_format, created, last_updated, raw_json)
    VALUES (?, '00pdefault', 'policies:MFA_ENROLL', 'MFA_ENROLL', 'Default Policy', 'ACTIVE', 1, 1, 'FACTORS', ?, ?, '{}')`).run(id, iso(started), iso(started));

  const insUser = db.prepare(`INSERT INTO users (snapshot_id, id, login, status, created, last_updated, last_login, crawl_state, factors_fetched, enrollments_fetched, raw_json)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'complete', 1, 1, ?)`);
  const insFactor = db.prepare(`INSERT INTO factors (snapshot_id, user_id, id, factor_type, provider, vendor_name, status, device_name, platform, device_type, credential_id, created, last_updated, last_verified, raw_json)
    VALUES (?, ?, ?, ?, 'OKTA', 'OKTA', ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insEnrollment = db.prepare(`INSERT INTO authenticator_enrollments (snapshot_id, user_id, id, key, type, status, name, nickname, created, last_updated, raw_json)
    VALUES (?, ?, ?, 'okta_verify', 'app', 'ACTIVE', 'Okta Verify', ?, ?, ?, ?)`);
  const counts = { users: 0, factors: 0, enrollments: 0 };
  const BATCH = 50_000;
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const uid = `00u${String(i).padStart(8, '0')}`;
      const login = `user${i}@bench.example.com`;
      const created = iso(started - 400 * 86_400_000 + i * 1000);
      const lastLogin = i % 7 === 0 ? null : iso(started - (i % 90) * 86_400_000);
      const status = i % 50 === 0 ? 'SUSPENDED' : 'ACTIVE';
      // Realistic user object (~600 bytes), built as text: JSON.stringify per row would dominate.
      const raw = `{"id":"${uid}","status":"${status}","created":"${created}","activated":"${created}","statusChanged":"${created}","lastLogin":${lastLogin === null ? 'null' : `"${lastLogin}"`},"lastUpdated":"${created}","passwordChanged":"${created}","type":{"id":"oty1162QAr8hJjTaq0g4"},"profile":{"firstName":"First${i}","lastName":"Last${i}","mobilePhone":null,"secondEmail":null,"login":"${login}","email":"${login}"},"credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"${ORG}/api/v1/users/${uid}"}}}`;
      insUser.run(id, uid, login, status, created, created, lastLogin, raw);
      counts.users += 1;
      const device = `iPhone of user ${i}`;
      const third = i % 10 < 5 ? 'signed_nonce' : i % 10 < 8 ? 'sms' : i % 10 < 9 ? 'push' : 'email';
      const factors: Array<[string, string]> = [['push', `opf${i}a`], ['token:software:totp', `ost${i}`], [third, `f${i}c`]];
      for (const [type, fid] of factors) {
        const isDevice = type === 'push' || type === 'signed_nonce';
        const fraw = `{"id":"${fid}","factorType":"${type}","provider":"OKTA","vendorName":"OKTA","status":"ACTIVE","created":"${created}","lastUpdated":"${created}","profile":{"credentialId":"${login}","deviceType":"SmartPhone_IPhone","name":"${device}","platform":"IOS","version":"17.2"},"_links":{"self":{"href":"${ORG}/api/v1/users/${uid}/factors/${fid}"}}}`;
        insFactor.run(id, uid, fid, type, 'ACTIVE', isDevice ? device : null, isDevice ? 'IOS' : null, isDevice ? 'SmartPhone_IPhone' : null, login, created, created, lastLogin, fraw);
        counts.factors += 1;
      }
      insEnrollment.run(id, uid, `pfd${i}`, i % 3 === 0 ? `Phone ${i}` : null, created, created, `{"type":"app","id":"pfd${i}","key":"okta_verify","status":"ACTIVE","name":"Okta Verify","nickname":null,"profile":{}}`);
      counts.enrollments += 1;
    }
  });
  for (let from = 0; from < users; from += BATCH) batch(from, Math.min(users, from + BATCH));
  db.pragma('journal_mode = WAL');
  db.close();
  // On disk before the rules start, as a crawl's database is: its write-back is not theirs to pay.
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { snapshotId: id, counts };
}

function syntheticFindings(path: string, snapshotId: number, n: number): number {
  const db = open(path);
  db.pragma('synchronous = OFF');
  const ins = db.prepare(`INSERT INTO findings (snapshot_id, rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json)
    VALUES (?, ?, ?, 'user', ?, ?, ?, 'ACTIVE', ?, ?)`);
  db.transaction(() => {
    for (let k = 0; k < n; k++) {
      const rule = SYNTHETIC_RULES[k % SYNTHETIC_RULES.length]!;
      const i = k * 5;
      const uid = `00u${String(i).padStart(8, '0')}`;
      ins.run(snapshotId, rule.id, rule.severity, uid, uid, `user${i}@bench.example.com`,
        `${rule.title}: factor f${i}c on iPhone of user ${i} (IOS), created ${iso(Date.UTC(2025, 0, 1) + i * 1000)}.`,
        JSON.stringify({ factorId: `f${i}c`, deviceName: `iPhone of user ${i}`, platform: 'IOS', pushFactors: 2, created: iso(Date.UTC(2025, 0, 1)) }));
    }
    const runs = db.prepare(`INSERT INTO rule_runs (snapshot_id, rule_id, status, findings, evaluated_at) VALUES (?, ?, 'evaluated', ?, ?)`);
    for (const r of SYNTHETIC_RULES) runs.run(snapshotId, r.id, Math.ceil(n / SYNTHETIC_RULES.length), new Date().toISOString());
  })();
  db.close();
  return n;
}

/** Runs the rules alone (profiling them); prints the number of findings. */
function phaseRules(path: string, snapshotId: number): PhaseResult {
  const db = open(path);
  const t0 = performance.now();
  runRules(db, snapshotId);
  const ms = performance.now() - t0;
  const rows = db.prepare(`SELECT count(*) FROM findings WHERE snapshot_id = ?`).pluck().get(snapshotId) as number;
  db.close();
  return usage(ms, { rows });
}

// ---------------------------------------------------------------------------------------------
// Child phases: each prints one JSON line with its time and its own peak RSS.

interface PhaseResult {
  ms: number;
  /** Peak RSS of this process: VmHWM where Linux has it (see peakRssKb). */
  maxRssKb: number;
  /** process.resourceUsage().maxRSS, which on Linux also carries the parent's RSS at spawn. */
  maxRssUsageKb: number;
  bytes: number;
  /** CPU time of the whole process (all threads: zlib compresses on the thread pool). */
  cpuMs?: number;
  rows?: number;
  files?: number;
  snapshotId?: number;
  counts?: { users: number; factors: number; enrollments: number };
  /** Each sheet as it was rendered: its rows, how long it took and when it was done. */
  sheets?: Array<{ sheet: string; rows: number; ms: number; at: number }>;
  /** With --audit: when the rules were done, from the start. */
  rulesMs?: number;
  /** Closing the database (a checkpoint of what the rules wrote). */
  closeMs?: number;
}

/**
 * Peak RSS in kB. Linux's getrusage maxrss survives exec, so a child spawned by a big parent
 * reports at least the parent's size; /proc/self/status VmHWM is this process's own peak.
 */
function peakRssKb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m !== null) return Number(m[1]);
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS;
}

function usage(ms: number, extra: Partial<PhaseResult> = {}): PhaseResult {
  const cpu = process.cpuUsage();
  return {
    ms, maxRssKb: peakRssKb(), maxRssUsageKb: process.resourceUsage().maxRSS, bytes: 0,
    cpuMs: (cpu.user + cpu.system) / 1000, ...extra,
  };
}

async function phaseReport(dbPath: string, outDir: string, audit: boolean): Promise<PhaseResult> {
  const db = audit ? open(dbPath) : new Database(dbPath, { readonly: true });
  const formats = arg('formats', 'xlsx').split(',') as ReportFormat[];
  const sheets: NonNullable<PhaseResult['sheets']> = [];
  const t0 = performance.now();
  let rulesMs: number | undefined;
  let rows: number | undefined;
  const { files } = await writeReport(db, {
    snapshot: 'latest', outDir, formats, allowPartial: false, rules: audit || !flag('synthetic-rules') ? RULES.map((r) => r.meta) : SYNTHETIC_RULES,
    onSheet: (e) => sheets.push({ sheet: `${e.format} ${e.sheet}`, rows: e.rows, ms: e.ms, at: performance.now() - t0 }),
    ...(audit ? {
      audit: (results: RuleRunResult[]) => {
        rulesMs = performance.now() - t0;
        rows = results.reduce((n, r) => n + r.findings, 0);
      },
    } : {}),
  });
  // Closing checkpoints the write-ahead log the rules wrote: the command's user waits for it too.
  const closing = performance.now();
  db.close();
  const ms = performance.now() - t0;
  const closeMs = performance.now() - closing;
  return usage(ms, { bytes: files.reduce((n, f) => n + statSync(f).size, 0), files: files.length, sheets, closeMs, ...(rulesMs === undefined ? {} : { rulesMs, rows }) });
}

/** The Factors sheet spec, cut to its first `n` rows. */
function factorSlice(db: Db, n: number): SheetSpec {
  const snapshot = new SnapshotReader(db).getSnapshot('latest');
  const coverage = computeCoverage(db, snapshot.id);
  const ctx: ReportContext = { db, snapshot, coverage, completeness: assessCompleteness(snapshot, coverage), rules: SYNTHETIC_RULES, now: new Date(), rowLimit: 1_048_576 };
  const factors = buildSheets(ctx).find((s) => s.name === 'Factors')!;
  return {
    ...factors,
    count: () => Math.min(n, factors.count()),
    *rows() {
      let k = 0;
      for (const r of factors.rows()) {
        if (k++ >= n) return;
        yield r;
      }
    },
  };
}

/** Same cells as the report (neutralised text, date cells), through exceljs's own row API. */
function cellValues(spec: SheetSpec, row: unknown): unknown[] {
  return spec.columns.map((c) => {
    const v = c.value(row);
    if (v === null || v === undefined || typeof v === 'number' || v instanceof Date) return v ?? null;
    if (c.type === 'date') {
      const d = parseTimestamp(v);
      if (d !== null) return d;
    }
    return safeText(v);
  });
}

async function phaseBaseline(kind: string, dbPath: string, outFile: string, n: number): Promise<PhaseResult> {
  const db = new Database(dbPath, { readonly: true });
  const spec = factorSlice(db, n);
  const t0 = performance.now();
  let rows = 0;
  if (kind === 'ours') {
    const parts = await writeXlsx(outFile, [spec]);
    rows = parts.reduce((k, p) => k + p.rows, 0);
  } else if (kind === 'exceljs-stream') {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: outFile, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet('Factors', { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = spec.columns.map((c) => ({ header: c.header, width: c.width, style: c.type === 'date' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {} }));
    for (const r of spec.rows()) {
      ws.addRow(cellValues(spec, r)).commit();
      rows += 1;
    }
    ws.commit();
    await wb.commit();
  } else {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Factors', { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = spec.columns.map((c) => ({ header: c.header, width: c.width, style: c.type === 'date' ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {} }));
    for (const r of spec.rows()) {
      ws.addRow(cellValues(spec, r));
      rows += 1;
    }
    await wb.xlsx.writeFile(outFile);
  }
  const ms = performance.now() - t0;
  db.close();
  return usage(ms, { bytes: statSync(outFile).size, rows });
}

/**
 * This machine's CPU seconds so far, all CPUs (zeros where unknown): busy (user, nice, system, irq,
 * softirq) and steal (time the hypervisor ran something else).
 */
function machineCpu(): { busy: number; steal: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { busy: ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0)) / 100, steal: (f[7] ?? 0) / 100 };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

function child(args: string[]): PhaseResult {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`child ${args[0]} failed (${r.status}): ${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as PhaseResult;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const phase = arg('phase', '');
  if (phase === 'report') {
    process.stdout.write(`${JSON.stringify(await phaseReport(arg('db', ''), arg('out', ''), flag('audit')))}\n`);
    return;
  }
  if (phase === 'build') {
    const t0 = performance.now();
    const { snapshotId, counts } = build(arg('db', ''), Number(arg('users', '1000000')));
    process.stdout.write(`${JSON.stringify(usage(performance.now() - t0, { snapshotId, counts }))}\n`);
    return;
  }
  if (phase === 'rules') {
    process.stdout.write(`${JSON.stringify(phaseRules(arg('db', ''), Number(arg('snapshot', '1'))))}\n`);
    return;
  }
  if (phase === 'baseline') {
    process.stdout.write(`${JSON.stringify(await phaseBaseline(arg('kind', ''), arg('db', ''), arg('out', ''), Number(arg('slice', '100000'))))}\n`);
    return;
  }

  const users = Number(arg('users', '1000000'));
  const slice = Number(arg('slice', '100000'));
  const dir = resolve(arg('dir', '') || mkdtempSync(join(tmpdir(), 'oie-audit-bench-')));
  mkdirSync(dir, { recursive: true });
  const dbPath = join(dir, 'bench.db');
  rmSync(dbPath, { force: true });
  rmSync(`${dbPath}-wal`, { force: true });
  rmSync(`${dbPath}-shm`, { force: true });
  const cpu = (() => {
    try {
      return execFileSync('nproc', { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  process.stdout.write(`oie-audit report benchmark: ${users.toLocaleString('en-US')} users, node ${process.version}, ${cpu} CPUs, in ${dir}\n`);

  // Each phase in its own process, so each peak RSS is that phase's alone.
  const built = child(['--phase', 'build', '--db', dbPath, '--users', String(users)]);
  const snapshotId = built.snapshotId!;
  const counts = built.counts!;
  const buildMs = built.ms;
  process.stdout.write(`build:   ${secs(buildMs)}  (${counts.users.toLocaleString('en-US')} users, ${counts.factors.toLocaleString('en-US')} factors, ${counts.enrollments.toLocaleString('en-US')} enrollments; db ${(statSync(dbPath).size / 1e6).toFixed(0)} MB)\n`);

  // `oie-audit report`: the rules, and the workbook around them, in one process.
  const synthetic = arg('synthetic-findings', '');
  if (synthetic !== '') process.stdout.write(`rules:    ${syntheticFindings(dbPath, snapshotId, Number(synthetic)).toLocaleString('en-US')} synthetic findings stored instead (not timed)\n`);
  const cpu1 = machineCpu();
  const outDir = join(dir, 'report');
  const report = child(['--phase', 'report', '--db', dbPath, '--out', outDir, '--formats', arg('formats', 'xlsx'), ...(synthetic === '' ? ['--audit'] : ['--synthetic-rules'])]);
  const cpu2 = machineCpu();
  if (report.rulesMs !== undefined) {
    process.stdout.write(`rules:    ${secs(report.rulesMs)}  ${(report.rows ?? 0).toLocaleString('en-US')} findings (while the render workers wrote the snapshot's sheets)\n`);
  }
  const after = report.rulesMs === undefined ? '' : ` (${secs(report.ms - report.rulesMs)} after the rules, closing the database ${secs(report.closeMs ?? 0)})`;
  process.stdout.write(`workbook: ${secs(report.ms)} from the start${after}  CPU ${secs(report.cpuMs ?? 0)} (all threads)  peak RSS ${mb(report.maxRssKb)} (maxRSS ${mb(report.maxRssUsageKb)})  ${report.files} file(s) ${(report.bytes / 1e6).toFixed(0)} MB\n`);
  const target = report.rulesMs !== undefined && report.ms <= 60_000 && report.maxRssKb <= 500 * 1024 ? 'within' : 'OVER';
  process.stdout.write(`total:    ${secs(report.ms)}  (rules + workbook, as oie-audit report)  peak RSS ${mb(report.maxRssKb)}  [${target} target: 60 s, 500 MB]\n`);
  // Other processes on the machine slow a run down as much as steal does: both are shown.
  const others = cpu2.busy - cpu1.busy - (report.cpuMs ?? 0) / 1000;
  process.stdout.write(`          CPU steal during the report: ${(cpu2.steal - cpu1.steal).toFixed(1)} s; CPU used meanwhile by other processes: ${Math.max(0, others).toFixed(1)} s (${cpu} CPUs)\n`);
  // The main thread runs the rules and coordinates: render workers and the packager do the rest.
  process.stdout.write(`          sheets as each was rendered (how long, and done at, from the start):\n`);
  for (const sh of report.sheets ?? []) {
    process.stdout.write(`           ${sh.sheet.padEnd(34)} ${sh.rows.toLocaleString('en-US').padStart(10)} rows ${secs(sh.ms).padStart(8)} ${secs(sh.at).padStart(8)}\n`);
  }

  process.stdout.write(`\nbaselines on the first ${slice.toLocaleString('en-US')} Factors rows (same columns and cells), each in its own process:\n`);
  for (const kind of ['ours', 'exceljs-stream', 'exceljs-memory']) {
    const r = child(['--phase', 'baseline', '--kind', kind, '--db', dbPath, '--out', join(dir, `baseline-${kind}.xlsx`), '--slice', String(slice)]);
    const perSec = (r.rows ?? 0) / (r.ms / 1000);
    process.stdout.write(`  ${kind.padEnd(15)} ${secs(r.ms).padStart(8)}  ${Math.round(perSec).toLocaleString('en-US').padStart(9)} rows/s  peak RSS ${mb(r.maxRssKb).padStart(7)}  ${(r.bytes / 1e6).toFixed(1)} MB\n`);
  }
  if (!flag('keep')) rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`kept ${dir}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
