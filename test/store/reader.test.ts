import { AuditError } from '../../src/errors.js';
import { type Db, openDatabase, openExistingDatabase } from '../../src/store/db.js';
import { parseRaw, SnapshotReader } from '../../src/store/snapshot_reader.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import type { UserResult } from '../../src/store/types.js';
import { logEvent, ORG_URL, oktaUser, pushFactor, signedNonceFactor, smsFactor, tempDir } from './helpers.js';

describe('SnapshotReader', () => {
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let r: SnapshotReader;
  let id: number;

  beforeAll(() => {
    t = tempDir();
    const path = t.file('r.db');
    const wdb = openDatabase(path);
    const w = new SnapshotWriter(wdb);
    id = w.createSnapshot({ orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {} });
    w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com'), oktaUser('00u2', 'b@example.com', 'SUSPENDED'), oktaUser('00u3', 'c@example.com')], null);
    w.completeUsers(id, [
      { userId: '00u1', factors: [pushFactor('opf1', 'A'), signedNonceFactor('snf1', 'A'), smsFactor('sms1')], enrollments: [], state: 'complete' },
      { userId: '00u2', factors: [pushFactor('opf2', 'B', 'PENDING_ACTIVATION')], enrollments: [], state: 'failed', errors: [{ endpoint: '/api/v1/users/00u2/authenticator-enrollments', kind: 'failed', httpStatus: 500, message: 'x' }] },
    ]);
    w.writeLogEvents(id, 'logs:all', [
      logEvent('e2', 'user.session.start', '/api/v1/authn', { published: '2024-08-02T00:00:00.000Z' }),
      logEvent('e1', 'user.mfa.factor.activate', '/api/v1/users/00u1/factors', { published: '2024-08-01T00:00:00.000Z' }),
      logEvent('e3', 'user.session.start', '/api/v1/authn_x%', { published: '2024-08-03T00:00:00.000Z' }),
    ], null);
    w.finishSnapshot(id, 'complete', {});
    wdb.close();
    db = openExistingDatabase(path);
    r = new SnapshotReader(db);
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('getSnapshot by id and latest; explains an unknown id', () => {
    expect(r.getSnapshot('latest').id).toBe(id);
    expect(r.getSnapshot(id).status).toBe('complete');
    expect(() => r.getSnapshot(42)).toThrow(AuditError);
    expect(() => r.getSnapshot(42)).toThrow(/Snapshot 42 is not in .*pass one of their ids/);
  });

  it('filters users, factors, enrollments and log events', () => {
    expect([...r.iterateUsers(id)].map((u) => u.id)).toEqual(['00u1', '00u2', '00u3']);
    expect([...r.iterateUsers(id, { status: 'SUSPENDED' })].map((u) => u.id)).toEqual(['00u2']);
    expect([...r.iterateUsers(id, { crawlState: ['pending', 'failed'] })].map((u) => u.id)).toEqual(['00u2', '00u3']);
    expect([...r.iterateFactors(id, { factorType: ['push', 'signed_nonce'] })].map((f) => f.id)).toEqual(['opf1', 'snf1', 'opf2']);
    expect([...r.iterateFactors(id, { factorType: 'push', status: 'ACTIVE' })].map((f) => f.id)).toEqual(['opf1']);
    expect([...r.iterateFactors(id, { userId: '00u2' })].map((f) => f.id)).toEqual(['opf2']);
    expect([...r.iterateEnrollments(id)]).toEqual([]);
    expect([...r.iterateLogEvents(id)].map((e) => e.uuid)).toEqual(['e1', 'e2', 'e3']);
    expect([...r.iterateLogEvents(id, { eventType: 'user.session.start' })].map((e) => e.uuid)).toEqual(['e2', 'e3']);
    expect([...r.iterateLogEvents(id, { requestUriPrefix: '/api/v1/authn_x%' })].map((e) => e.uuid)).toEqual(['e3']);
    expect([...r.iterateLogEvents(id, { since: '2024-08-02T00:00:00.000Z', until: '2024-08-03T00:00:00.000Z' })].map((e) => e.uuid)).toEqual(['e2']);
    expect([...r.crawlErrors(id, { scope: 'user' })].map((e) => [e.subject, e.kind])).toEqual([['00u2', 'failed']]);
    expect(parseRaw<{ profile: { login: string } }>(r.userById(id, '00u1')!).profile.login).toBe('a@example.com');
  });

  it('allows lookups while an iterator is open', () => {
    const logins: string[] = [];
    for (const f of r.iterateFactors(id, { factorType: 'push' })) logins.push(r.userById(id, f.user_id)!.login!);
    expect(logins).toEqual(['a@example.com', 'b@example.com']);
  });

  it('coverage() matches the writer', () => {
    expect(r.coverage(id).users).toEqual({ total: 3, pending: 1, complete: 1, deleted: 0, failed: 1 });
  });
});

describe('SnapshotReader streaming', () => {
  const USERS = 1000;
  const PER_USER = 100;
  let t: ReturnType<typeof tempDir>;
  let db: Db;
  let id: number;

  beforeAll(() => {
    t = tempDir();
    db = openDatabase(t.file('big.db'));
    const w = new SnapshotWriter(db);
    id = w.createSnapshot({ orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {} });
    const ids = Array.from({ length: USERS }, (_, i) => `00u${String(i).padStart(6, '0')}`);
    w.writeUsersPage(id, 'users:all', ids.map((u) => oktaUser(u, `${u}@example.com`)), null);
    const padding = 'x'.repeat(1000);
    for (let b = 0; b < USERS; b += 100) {
      const batch: UserResult[] = ids.slice(b, b + 100).map((u) => ({
        userId: u,
        factors: Array.from({ length: PER_USER }, (_, j) => ({ ...pushFactor(`opf${u}_${j}`, `device ${j}`), padding })),
        enrollments: [],
        state: 'complete',
      }));
      w.completeUsers(id, batch);
    }
  });
  afterAll(() => {
    db.close();
    t.cleanup();
  });

  it('iterates 100k factor rows (~130 MB of JSON) with a roughly flat heap', () => {
    const r = new SnapshotReader(db);
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let rows = 0;
    let bytes = 0;
    for (const f of r.iterateFactors(id)) {
      rows += 1;
      bytes += f.raw_json.length;
      if (rows % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(rows).toBe(USERS * PER_USER);
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
    // Loading the table would need at least `bytes` of heap; streaming stays within young-generation churn.
    expect(peak - before).toBeLessThan(bytes / 3);
  });
});
