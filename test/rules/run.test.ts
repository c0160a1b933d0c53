import { AuditError } from '../../src/errors.js';
import { finding } from '../../src/rules/common.js';
import { RULES } from '../../src/rules/registry.js';
import Database from 'better-sqlite3';
import { FINDING_BATCH, runRules } from '../../src/rules/run.js';
import { RulesThread } from '../../src/rules/run_thread.js';
import { createGeneratedOrg } from '../../src/simulator/org/generated.js';
import type { Rule } from '../../src/rules/types.js';
import type { Db } from '../../src/store/db.js';
import { fixtureFromSource, storedFindings, storedRuns, tempDb, writeSnapshot, writeSnapshotDirect, type SnapshotFixture } from './helpers.js';
import { apiToken, eventHook, factorsEnrollPolicy, logEvent, push, signedNonce, sms, user } from './okta_json.js';

let env: ReturnType<typeof tempDb>;
let db: Db;
beforeEach(async () => {
  env = tempDb();
  db = env.db;
});
afterEach(() => env.cleanup());

const base = RULES[0] as Rule;
function testRule(id: string, evaluate: Rule['evaluate']): Rule {
  // Borrowing a registered rule's file keeps the stub's shape; the registry itself is not involved.
  return { file: base.file, meta: { ...base.meta, id, requires: ['users'] }, evaluate };
}

const small: SnapshotFixture = {
  org: { pipeline: 'idx' },
  users: [user('00u1', 'ann@example.com'), user('00u2', 'bob@example.com')],
  factors: {
    '00u1': [push('00u1', 'opf1', 'iPhone'), signedNonce('00u1', 'snf1', 'iPhone', { platform: 'IOS', deviceType: 'SmartPhone_IPhone' })],
    '00u2': [sms('sms2')],
  },
  policies: [factorsEnrollPolicy('00p1', 'Default Policy', { okta_sms: 'REQUIRED', okta_email: 'OPTIONAL' }, { system: true, withType: true })],
  eventHooks: [eventHook('who1', 'Device Trust SIEM forwarder', ['user.authentication.authenticate'])],
  apiTokens: [apiToken('00T1', 'Old script', '00u9')],
  logs: [logEvent('e1', 'user.session.start', { requestUri: '/api/v1/authn', apiTokenId: '00T1', userAgent: 'okhttp/4.12.0' })],
};

describe('runRules', () => {
  it('skips a rule with the reason when the System Log was not available, and writes no finding', async () => {
    const id = await writeSnapshot(db, small, {
      notAvailable: { logs: { reason: 'no permission (You do not have permission to perform the requested action); grant the read scope', httpStatus: 403, errorCode: 'E0000006' } },
    });
    const results = runRules(db, id, { only: ['log_classic_api_callers', 'log_push_enrollment_repeated', 'factor_signed_nonce_admin_console_only'] });
    const reason = 'System Log not available: 403 E0000006 no permission (You do not have permission to perform the requested action); grant the read scope';
    expect(results).toEqual([
      { ruleId: 'factor_signed_nonce_admin_console_only', status: 'evaluated', findings: 1 },
      { ruleId: 'log_push_enrollment_repeated', status: 'skipped', reason, findings: 0 },
      { ruleId: 'log_classic_api_callers', status: 'skipped', reason, findings: 0 },
    ]);
    expect(storedRuns(db, id)).toEqual([
      { rule_id: 'factor_signed_nonce_admin_console_only', status: 'evaluated', reason: null, findings: 1 },
      { rule_id: 'log_classic_api_callers', status: 'skipped', reason, findings: 0 },
      { rule_id: 'log_push_enrollment_repeated', status: 'skipped', reason, findings: 0 },
    ]);
    expect(storedFindings(db, id).map((f) => f.rule_id)).toEqual(['factor_signed_nonce_admin_console_only']);
  });

  it('skips with a reason when a resource was never read, or per-user data was read for nobody', async () => {
    const id = await writeSnapshot(db, { ...small, factors: { '00u1': null, '00u2': null } }, { notRead: ['logs', 'eventHooks'] });
    const results = runRules(db, id, { only: ['log_classic_api_callers', 'eventhook_classic_only_events', 'user_weak_factors_only'] });
    expect(results.map((r) => [r.ruleId, r.status, r.reason])).toEqual([
      ['eventhook_classic_only_events', 'skipped', 'Event hooks not read in this snapshot'],
      ['log_classic_api_callers', 'skipped', 'System Log not read in this snapshot'],
      ['user_weak_factors_only', 'skipped', 'Factor lists not available: not read for any of the 2 users in this snapshot: 500 E0000009 Internal Server Error'],
    ]);
  });

  it('names the crawl error when no user\'s authenticator enrollments could be read', async () => {
    const id = await writeSnapshot(db, { ...small, authenticatorEnrollments: { '00u1': null, '00u2': null } });
    expect(runRules(db, id, { only: ['enrollment_okta_verify_exceeds_push'] })).toEqual([{
      ruleId: 'enrollment_okta_verify_exceeds_push',
      status: 'skipped',
      reason: 'Authenticator enrollments not available: not read for any of the 2 users in this snapshot: 500 E0000009 Internal Server Error',
      findings: 0,
    }]);
  });

  it('a rule whose data the org cannot have is not applicable; data the crawl could not read is skipped', async () => {
    const needs = (id: string, requires: Rule['meta']['requires']): Rule => ({ ...testRule(id, function* () { /* nothing */ }), meta: { ...testRule(id, function* () { /* nothing */ }).meta, requires } });
    const rules = [needs('test_rule_enrollments', ['authenticatorEnrollments']), needs('test_rule_access', ['policies:ACCESS_POLICY']), needs('test_rule_apps', ['apps'])];
    const v1 = await writeSnapshot(db, { ...small, org: { pipeline: 'v1' } }, {
      notAvailable: { apps: { reason: 'no permission (You do not have permission to perform the requested action)', httpStatus: 403, errorCode: 'E0000006' } },
    });
    expect(runRules(db, v1, { rules }).map((r) => [r.ruleId, r.status, r.reason])).toEqual([
      ['test_rule_enrollments', 'not_applicable', expect.stringMatching(/^Authenticator enrollments: none in this org\. Authenticator enrollments are an Identity Engine API/)],
      ['test_rule_access', 'not_applicable', expect.stringMatching(/^ACCESS_POLICY policies: none in this org\. App authentication policies exist only in Identity Engine/)],
      ['test_rule_apps', 'skipped', 'Apps not available: 403 E0000006 no permission (You do not have permission to perform the requested action)'],
    ]);
  });

  it('a rule meant for the other engine is not applicable, saying which engine the org runs', async () => {
    const idx = await writeSnapshot(db, small);
    expect(runRules(db, idx, { only: ['policy_mfa_enroll_email_optional'] })).toEqual([
      { ruleId: 'policy_mfa_enroll_email_optional', status: 'not_applicable', reason: 'Applies to Classic Engine orgs only; this org runs Identity Engine (pipeline idx)', findings: 0 },
    ]);
    const v1 = await writeSnapshot(db, { ...small, org: { pipeline: 'v1' } });
    expect(runRules(db, v1, { only: ['enrollment_okta_verify_exceeds_push'] })).toEqual([
      { ruleId: 'enrollment_okta_verify_exceeds_push', status: 'not_applicable', reason: 'Applies to Identity Engine orgs only; this org runs Classic Engine (pipeline v1)', findings: 0 },
    ]);
    const unknown = await writeSnapshot(db, { ...small, org: { pipeline: null } });
    expect(runRules(db, unknown, { only: ['policy_mfa_enroll_email_optional', 'org_pipeline_classic_engine'] }).map((r) => [r.status, r.reason])).toEqual([
      ['skipped', "Applies to Classic Engine orgs only, and the org's engine is unknown (org metadata was not read)"],
      ['skipped', 'Org metadata (/.well-known/okta-organization) not read in this snapshot'],
    ]);
  });

  it('records a throwing rule as an error, rolls back what it wrote, and runs the others', async () => {
    const id = await writeSnapshot(db, small);
    let calls = 0;
    const good = testRule('test_rule_good', function* (ctx) {
      calls++;
      for (const u of ctx.reader.iterateUsers(ctx.snapshot.id)) {
        yield finding({ ...base.meta, id: 'test_rule_good' }, { subjectType: 'user', subjectId: u.id, userId: u.id, evidence: `user ${u.id}`, details: {} });
      }
    });
    const failing = testRule('test_rule_failing', function* (ctx) {
      for (const u of ctx.reader.iterateUsers(ctx.snapshot.id)) {
        yield finding({ ...base.meta, id: 'test_rule_failing' }, { subjectType: 'user', subjectId: u.id, evidence: 'partial', details: {} });
        throw new Error('cannot parse\nthe policy');
      }
    });
    const wrongId = testRule('test_rule_wrong_id', function* () {
      yield finding(base.meta, { subjectType: 'org', evidence: 'x', details: {} });
    });
    // An earlier successful run of the failing rule must not survive its failed re-run.
    db.prepare(`INSERT INTO findings (snapshot_id, rule_id, severity, subject_type, evidence, details_json) VALUES (?, 'test_rule_failing', 'low', 'org', 'old', '{}')`).run(id);

    const results = runRules(db, id, { rules: [failing, good, wrongId] });
    expect(results).toEqual([
      { ruleId: 'test_rule_failing', status: 'error', reason: 'Rule failed: Error: cannot parse the policy', findings: 0 },
      { ruleId: 'test_rule_good', status: 'evaluated', findings: 2 },
      { ruleId: 'test_rule_wrong_id', status: 'error', reason: 'Rule failed: Error: finding names rule "factor_signed_nonce_admin_console_only"', findings: 0 },
    ]);
    expect(calls).toBe(1);
    expect(storedFindings(db, id).map((f) => `${f.rule_id}:${f.subject_id}`)).toEqual(['test_rule_good:00u1', 'test_rule_good:00u2']);
    expect(storedRuns(db, id).map((r) => `${r.rule_id}:${r.status}:${r.findings}`)).toEqual([
      'test_rule_failing:error:0', 'test_rule_good:evaluated:2', 'test_rule_wrong_id:error:0',
    ]);
    // Writing is possible again afterwards (unsafe mode was switched off and no statement is left open).
    expect(() => db.prepare(`DELETE FROM findings WHERE snapshot_id = ? AND rule_id = 'none'`).run(id)).not.toThrow();
  });

  it('writes many findings in batches while the rule is still reading', async () => {
    const id = await writeSnapshot(db, small);
    const total = FINDING_BATCH * 2 + 500;
    const many = testRule('test_rule_many', function* (ctx) {
      const stmt = ctx.db.prepare<[], { n: number }>(`WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ${total}) SELECT n FROM c`);
      for (const r of stmt.iterate()) {
        yield finding({ ...base.meta, id: 'test_rule_many' }, { subjectType: 'org', subjectId: String(r.n), evidence: `row ${r.n}`, details: { n: r.n } });
      }
    });
    expect(runRules(db, id, { rules: [many] })).toEqual([{ ruleId: 'test_rule_many', status: 'evaluated', findings: total }]);
    expect(db.prepare(`SELECT count(*) AS n, min(subject_id + 0) AS lo, max(subject_id + 0) AS hi FROM findings WHERE snapshot_id = ?`).get(id))
      .toEqual({ n: total, lo: 1, hi: total });
  });

  it('is idempotent: a re-run leaves the same rows, and another snapshot is untouched', async () => {
    const other = await writeSnapshot(db, small);
    const id = await writeSnapshot(db, { ...small, org: { pipeline: 'v1' } });
    runRules(db, other);
    const dump = (): unknown => ({
      findings: db.prepare(`SELECT snapshot_id, rule_id, severity, subject_type, subject_id, user_id, user_login, user_status, evidence, details_json
                            FROM findings ORDER BY snapshot_id, rule_id, subject_id, evidence`).all(),
      runs: db.prepare(`SELECT snapshot_id, rule_id, status, reason, findings FROM rule_runs ORDER BY snapshot_id, rule_id`).all(),
    });
    const first = runRules(db, id);
    const before = dump();
    const second = runRules(db, id);
    expect(second).toEqual(first);
    expect(dump()).toEqual(before);
    expect(first).toHaveLength(RULES.length);
    expect(first.every((r) => r.status !== 'error')).toBe(true);
    expect((db.prepare(`SELECT count(*) AS n FROM findings WHERE snapshot_id = ?`).get(other) as { n: number }).n).toBeGreaterThan(0);
  });

  it("inside a caller's transaction, the results are the caller's to commit or roll back; a failing rule still rolls back alone", async () => {
    const id = await writeSnapshot(db, small);
    const good = testRule('test_rule_good', function* () {
      yield finding({ ...base.meta, id: 'test_rule_good' }, { subjectType: 'org', evidence: 'kept', details: {} });
    });
    const failing = testRule('test_rule_failing', function* () {
      yield finding({ ...base.meta, id: 'test_rule_failing' }, { subjectType: 'org', evidence: 'partial', details: {} });
      throw new Error('broken');
    });
    db.exec('BEGIN');
    expect(runRules(db, id, { rules: [good, failing] }).map((r) => r.status)).toEqual(['evaluated', 'error']);
    expect(storedFindings(db, id).map((f) => f.evidence)).toEqual(['kept']);
    expect(db.inTransaction).toBe(true);
    db.exec('ROLLBACK');
    expect(storedFindings(db, id)).toEqual([]);
    expect(storedRuns(db, id)).toEqual([]);
  });

  it('reads the snapshot through the connection it is given, and writes through db', async () => {
    const id = await writeSnapshot(db, small);
    const read = new Database(env.path, { readonly: true });
    try {
      read.exec('BEGIN');
      read.prepare(`SELECT count(*) FROM factors`).get(); // its read transaction starts here
      db.prepare(`DELETE FROM factors WHERE snapshot_id = ? AND factor_type = 'signed_nonce'`).run(id);
      const only = ['factor_signed_nonce_admin_console_only'];
      expect(runRules(db, id, { only, read })).toEqual([{ ruleId: only[0], status: 'evaluated', findings: 1 }]);
      expect(storedFindings(db, id).map((f) => f.subject_id)).toEqual(['00u1']);
      expect(runRules(db, id, { only })).toEqual([{ ruleId: only[0], status: 'evaluated', findings: 0 }]);
    } finally {
      read.close();
    }
  });

  it('in a thread: writers are held off from the start until the results are committed, which are those runRules writes', async () => {
    const fx = fixtureFromSource(createGeneratedOrg({ users: 2500, seed: 5, pipeline: 'idx', baseUrl: 'https://gen.okta.com', now: new Date('2024-08-01T00:00:00.000Z') }));
    const id = writeSnapshotDirect(db, fx, { startedAt: '2024-08-01T00:00:00.000Z' });
    const other = new Database(env.path, { timeout: 0 });
    const thread = await RulesThread.start(env.path, id);
    try {
      expect(() => other.prepare(`UPDATE snapshots SET tool_version = tool_version`).run()).toThrow(/locked|busy/i);
      const results = await thread.results;
      expect(await thread.othersCommitted()).toBe(false);
      expect(() => other.prepare(`UPDATE snapshots SET tool_version = tool_version`).run()).not.toThrow();
      const stored = storedFindings(db, id);
      expect(stored.length).toBeGreaterThan(0);
      expect(runRules(db, id)).toEqual(results);
      expect(storedFindings(db, id)).toEqual(stored);
    } finally {
      await thread.close();
      other.close();
    }
  });

  it('in a thread: a snapshot that is not there fails the start or the results with the reason', async () => {
    const failed = RulesThread.start(env.path, 999).then(async (t) => {
      try {
        return await t.results;
      } finally {
        await t.close();
      }
    });
    await expect(failed).rejects.toThrow(/Snapshot 999 is not in/);
  });

  it('runs only the rules asked for, and refuses unknown ids', async () => {
    const id = await writeSnapshot(db, small);
    expect(runRules(db, id, { only: ['org_pipeline_classic_engine'] })).toEqual([{ ruleId: 'org_pipeline_classic_engine', status: 'evaluated', findings: 0 }]);
    expect(storedRuns(db, id).map((r) => r.rule_id)).toEqual(['org_pipeline_classic_engine']);
    expect(() => runRules(db, id, { only: ['no_such_rule_here', 'org_pipeline_classic_engine'] })).toThrow(AuditError);
    expect(() => runRules(db, id, { only: ['no_such_rule_here'] })).toThrow('Unknown rule id "no_such_rule_here"; run "oie-audit rules" to list the rule ids.');
    expect(() => runRules(db, 999)).toThrow(/Snapshot 999 is not in/);
  });
});
