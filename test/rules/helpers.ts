/**
 * Test helpers for rules: write a snapshot from fixture-shaped objects (the simulator's fixture
 * file format, plus what a crawl could not read), run rules, read back what they stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_TYPES } from '../../src/crawler/org_phase.js';
import { notOnEngine } from '../../src/crawler/engine_only.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import type { Pipeline, RawObject, UserErrorInput, UserResult } from '../../src/store/types.js';
import { runRules, type RuleRunResult, type RunOptions } from '../../src/rules/run.js';
import type { OrgSource } from '../../src/simulator/org/types.js';
import { ORG_URL } from './okta_json.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { FixtureFile } from '../../src/simulator/org/types.js';
import { OktaReader } from '../../src/okta/client.js';
import { crawl } from '../../src/crawler/crawl.js';

/** The simulator fixture format, loosened: a list set to null was not read by the crawl. */
export interface SnapshotFixture {
  org?: { id?: string; pipeline?: Pipeline | null };
  users: RawObject[];
  /** Per user id; absent = empty list read, null = not read (failed). */
  factors?: Record<string, RawObject[] | null>;
  /** Per user id; absent = empty list on idx, not applicable on v1 (the crawl does not ask a Classic org). */
  authenticatorEnrollments?: Record<string, RawObject[] | null>;
  authenticators?: RawObject[];
  policies?: RawObject[];
  policyRules?: Record<string, RawObject[]>;
  logs?: RawObject[];
  eventHooks?: RawObject[];
  apiTokens?: RawObject[];
  apps?: RawObject[];
  brands?: RawObject[];
  signInPages?: Record<string, RawObject>;
  domains?: RawObject[];
  trustedOrigins?: RawObject[];
  inlineHooks?: RawObject[];
}

export interface NotAvailable {
  reason: string;
  httpStatus?: number;
  errorCode?: string;
}

export interface SnapshotOptions {
  /** The snapshot's started_at: the rules' "now". */
  startedAt?: string;
  orgUrl?: string;
  /** Crawl settings stored with the snapshot (the crawler records `scope` here). */
  settings?: object;
  /** Org resources the crawl recorded as not available, by resource name ('logs', 'eventHooks', 'policies:MFA_ENROLL'…). */
  notAvailable?: Record<string, NotAvailable>;
  /** Org resources the crawl never recorded (not read, no reason). */
  notRead?: readonly string[];
}

export const DEFAULT_STARTED_AT = '2024-08-01T00:00:00.000Z';

export function tempDb(): { db: Db; path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'oie-audit-rules-'));
  const path = join(dir, 'snapshot.db');
  const db = openDatabase(path);
  return { db, path, cleanup: () => { db.close(); rmSync(dir, { recursive: true, force: true }); } };
}

/**
 * One complete snapshot of `fixture`. When the fixture is something Okta could serve (every list
 * readable, the engine known), it is served by the simulator (its clock frozen at the snapshot
 * time) and crawled into `db` with the real SDK and executor; otherwise — lists the crawl could not
 * read, resources not available — it is written through the store's writer as such a crawl would.
 */
export async function writeSnapshot(db: Db, fixture: SnapshotFixture, opts: SnapshotOptions = {}): Promise<number> {
  return servable(fixture, opts) ? crawlFixture(db, fixture, opts) : writeSnapshotDirect(db, fixture, opts);
}

function servable(f: SnapshotFixture, opts: SnapshotOptions): boolean {
  const lists = [...Object.values(f.factors ?? {}), ...Object.values(f.authenticatorEnrollments ?? {})];
  return (f.org?.pipeline === 'idx' || f.org?.pipeline === 'v1') && !lists.includes(null)
    && !opts.notAvailable && !opts.notRead && !opts.orgUrl && !opts.settings;
}

async function crawlFixture(db: Db, f: SnapshotFixture, opts: SnapshotOptions): Promise<number> {
  const startedAt = opts.startedAt ?? DEFAULT_STARTED_AT;
  const now = new Date(startedAt);
  const served = {
    ...f, org: { id: f.org?.id ?? '00o1acme', pipeline: f.org!.pipeline! },
    factors: f.factors as Record<string, RawObject[]> | undefined,
    authenticatorEnrollments: f.authenticatorEnrollments as Record<string, RawObject[]> | undefined,
  } as unknown as FixtureFile;
  // One-second rate-limit windows: the budget still applies, the test does not wait minutes.
  const sim = await startSimulator({ fixture: served, now, windowMs: 1000 });
  try {
    const reader = new OktaReader({ orgUrl: sim.url, auth: { mode: 'SSWS', token: sim.token }, maxShare: 0.5, concurrency: 4, requestTimeoutMs: 10_000, maxRetries: 1 });
    const { snapshotId } = await crawl({
      reader, writer: new SnapshotWriter(db), resume: false, toolVersion: '0.1.0-test', settings: {}, concurrency: 4,
      scope: { logsSince: new Date(now.getTime() - 31 * 86400_000), logsUntil: now }, signal: new AbortController().signal,
    });
    db.prepare(`UPDATE snapshots SET started_at = ? WHERE id = ?`).run(startedAt, snapshotId);
    return snapshotId;
  } finally {
    await sim.close();
  }
}

/** Writes one complete snapshot through the store's writer, as a crawl of `fixture` would. */
export function writeSnapshotDirect(db: Db, fixture: SnapshotFixture, opts: SnapshotOptions = {}): number {
  const w = new SnapshotWriter(db);
  const pipeline = fixture.org?.pipeline ?? null;
  const id = w.createSnapshot({
    orgUrl: opts.orgUrl ?? ORG_URL,
    toolVersion: '0.1.0-test',
    settings: opts.settings ?? { scope: { usersSearch: null, logsSince: '2024-07-01T00:00:00.000Z', logsUntil: DEFAULT_STARTED_AT } },
    usersExpected: fixture.users.length,
  });
  const notAvailable = opts.notAvailable ?? {};
  const notRead = new Set(opts.notRead ?? []);
  const orgResource = (resource: string, write: () => void): void => {
    if (notRead.has(resource)) return;
    const na = notAvailable[resource];
    const absent = notOnEngine(resource, pipeline);
    if (na !== undefined) w.markOrgResource(id, resource, 'not_available', na.reason, na.httpStatus ?? null, na.errorCode ?? null);
    else if (absent !== undefined) w.markOrgResource(id, resource, 'not_applicable', absent);
    else write();
  };

  orgResource('wellKnown', () => {
    if (pipeline === null) return;
    w.setOrgInfo(id, { orgId: fixture.org?.id ?? '00o1acme', pipeline });
    w.markOrgResource(id, 'wellKnown', 'complete');
  });

  w.writeUsersPage(id, 'users:all', fixture.users, null);
  const results: UserResult[] = fixture.users.map((u) => {
    const userId = String(u['id']);
    const factors = fixture.factors?.[userId];
    const given = fixture.authenticatorEnrollments?.[userId];
    const enrollments = given !== undefined ? given : pipeline === 'v1' ? null : [];
    const errors: UserErrorInput[] = [];
    if (factors === null) errors.push({ endpoint: `/api/v1/users/${userId}/factors`, kind: 'failed', httpStatus: 500, errorCode: 'E0000009', message: 'Internal Server Error' });
    if (given === null) {
      errors.push({ endpoint: `/api/v1/users/${userId}/authenticator-enrollments`, kind: 'failed', httpStatus: 500, errorCode: 'E0000009', message: 'Internal Server Error' });
    }
    return { userId, factors: factors === undefined ? [] : factors, enrollments, state: factors === null ? 'failed' : 'complete', errors };
  });
  if (results.length > 0) w.completeUsers(id, results);
  orgResource('authenticatorEnrollments', () => undefined);

  orgResource('authenticators', () => w.writeOrgResource(id, 'authenticators', fixture.authenticators ?? [], 'authenticators'));
  const types = new Set<string>([...POLICY_TYPES, ...(fixture.policies ?? []).map((p) => String(p['type']))]);
  for (const type of types) {
    orgResource(`policies:${type}`, () => {
      const policies = (fixture.policies ?? []).filter((p) => p['type'] === type);
      for (const p of policies) {
        const pid = String(p['id']);
        w.writeOrgResource(id, `policyRules:${pid}`, fixture.policyRules?.[pid] ?? [], 'policy_rules', { policyId: pid });
      }
      w.writeOrgResource(id, `policies:${type}`, policies, 'policies');
    });
  }
  orgResource('eventHooks', () => w.writeOrgResource(id, 'eventHooks', fixture.eventHooks ?? [], 'event_hooks'));
  orgResource('apiTokens', () => w.writeOrgResource(id, 'apiTokens', fixture.apiTokens ?? [], 'api_tokens'));
  orgResource('apps', () => w.writeOrgResource(id, 'apps', fixture.apps ?? [], 'apps'));
  orgResource('brands', () => {
    for (const b of fixture.brands ?? []) {
      const bid = String(b['id']);
      const page = fixture.signInPages?.[bid];
      w.writeOrgResource(id, `signInPage:${bid}`, page === undefined ? [] : [page], 'sign_in_pages', { brandId: bid });
    }
    w.writeOrgResource(id, 'brands', fixture.brands ?? [], 'brands');
  });
  orgResource('domains', () => w.writeOrgResource(id, 'domains', fixture.domains ?? [], 'domains'));
  orgResource('trustedOrigins', () => w.writeOrgResource(id, 'trustedOrigins', fixture.trustedOrigins ?? [], 'trusted_origins'));
  orgResource('inlineHooks', () => w.writeOrgResource(id, 'inlineHooks', fixture.inlineHooks ?? [], 'inline_hooks'));
  orgResource('logs', () => {
    w.writeLogEvents(id, 'logs:all', fixture.logs ?? [], null);
    w.markOrgResource(id, 'logs', 'complete');
  });
  w.finishSnapshot(id, 'complete', w.coverage(id));
  db.prepare(`UPDATE snapshots SET started_at = ? WHERE id = ?`).run(opts.startedAt ?? DEFAULT_STARTED_AT, id);
  return id;
}

/**
 * Everything an org source (the simulator's generated org, or a loaded fixture file) serves, as a
 * fixture. Whole lists in memory: for small test orgs only. Authenticator enrollments are left to
 * writeSnapshot's per-engine default on Classic, where Okta does not serve them.
 */
export function fixtureFromSource(source: OrgSource): SnapshotFixture {
  const users = [...source.users()];
  const policies = source.policies();
  return {
    org: { id: source.org.id, pipeline: source.org.pipeline },
    users,
    factors: Object.fromEntries(users.map((u) => [u.id, source.factors(u.id) ?? null])),
    ...(source.org.pipeline === 'idx'
      ? { authenticatorEnrollments: Object.fromEntries(users.map((u) => [u.id, source.authenticatorEnrollments(u.id) ?? null])) }
      : {}),
    authenticators: source.authenticators(),
    policies,
    policyRules: Object.fromEntries(policies.map((p) => [String(p['id']), source.policyRules(String(p['id'])) ?? []])),
    logs: [...source.logs()],
    eventHooks: source.eventHooks(),
    apiTokens: source.apiTokens(),
    apps: source.apps(),
    brands: source.brands(),
    signInPages: Object.fromEntries(source.brands().flatMap((b) => {
      const page = source.signInPage(String(b['id']));
      return page === undefined ? [] : [[String(b['id']), page]];
    })),
    domains: source.domains(),
    trustedOrigins: source.trustedOrigins(),
    inlineHooks: source.inlineHooks(),
  };
}

export interface StoredFinding {
  rule_id: string;
  severity: string;
  subject_type: string;
  subject_id: string | null;
  user_id: string | null;
  user_login: string | null;
  user_status: string | null;
  evidence: string;
  details: Record<string, unknown>;
}

/** Findings of a snapshot (optionally of some rules), in a stable order. */
export function storedFindings(db: Db, snapshotId: number, ruleIds?: readonly string[]): StoredFinding[] {
  const rows = db.prepare(`
    SELECT rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json
    FROM findings WHERE snapshot_id = ? ORDER BY rule_id, id`).all(snapshotId) as Array<Omit<StoredFinding, 'details'> & { details_json: string }>;
  return rows
    .filter((r) => ruleIds === undefined || ruleIds.includes(r.rule_id))
    .map(({ details_json, ...r }) => ({ ...r, details: JSON.parse(details_json) as Record<string, unknown> }));
}

export interface StoredRun {
  rule_id: string;
  status: string;
  reason: string | null;
  findings: number;
}

export function storedRuns(db: Db, snapshotId: number): StoredRun[] {
  return db.prepare(`SELECT rule_id, status, reason, findings FROM rule_runs WHERE snapshot_id = ? ORDER BY rule_id`).all(snapshotId) as StoredRun[];
}

/** Runs the given rules and returns their results and stored findings. */
export function run(db: Db, snapshotId: number, only: readonly string[], opts: Omit<RunOptions, 'only'> = {}): { results: RuleRunResult[]; findings: StoredFinding[] } {
  const results = runRules(db, snapshotId, { ...opts, only });
  return { results, findings: storedFindings(db, snapshotId, only) };
}

/** A compact view for exact comparisons: rule, subject and user. */
export function keys(findings: readonly StoredFinding[]): string[] {
  return findings.map((f) => `${f.rule_id} ${f.subject_type}:${f.subject_id ?? '-'} user:${f.user_id ?? '-'} ${f.severity}`).sort();
}
