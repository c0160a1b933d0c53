import { existsSync, statSync, writeFileSync } from 'node:fs';
import { AuditError } from '../../src/errors.js';
import { dataVersion, openDatabase, openExistingDatabase, pinnedReader } from '../../src/store/db.js';
import { SnapshotWriter } from '../../src/store/snapshot_writer.js';
import { ORG_URL, oktaUser, tempDir } from './helpers.js';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('openDatabase', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { t = tempDir(); });
  afterEach(() => t.cleanup());

  it('creates the file 0600, and its -wal and -shm 0600 after a write, even with a permissive umask', () => {
    const path = t.file('snap.db');
    const old = process.umask(0o000);
    try {
      const db = openDatabase(path);
      const w = new SnapshotWriter(db);
      const id = w.createSnapshot({ orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {} });
      w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com')], null);
      expect(mode(path)).toBe(0o600);
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      db.close();
    } finally {
      process.umask(old);
    }
  });

  it('turns on WAL, foreign keys, synchronous=NORMAL and a busy timeout', () => {
    const db = openDatabase(t.file('p.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    db.close();
  });

  it('foreign keys cascade: deleting a snapshot removes its rows', () => {
    const db = openDatabase(t.file('fk.db'));
    const w = new SnapshotWriter(db);
    const id = w.createSnapshot({ orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {} });
    w.writeUsersPage(id, 'users:all', [oktaUser('00u1', 'a@example.com')], null);
    w.completeUsers(id, [{ userId: '00u1', factors: [{ id: 'sms1', factorType: 'sms' }], enrollments: [], state: 'complete' }]);
    db.prepare('DELETE FROM snapshots WHERE id = ?').run(id);
    expect(db.prepare('SELECT count(*) FROM factors').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM users').pluck().get()).toBe(0);
    db.close();
  });

  it('explains a missing folder and a file that is not a database', () => {
    expect(() => openDatabase(t.file('no/such/dir/a.db'))).toThrow(/folder does not exist; create the folder/);
    const junk = t.file('junk.db');
    writeFileSync(junk, 'this is not sqlite, just text long enough to have a header of sorts.....');
    expect(() => openDatabase(junk)).toThrow(AuditError);
    expect(() => openDatabase(junk)).toThrow(/is not a readable snapshot database/);
  });
});

describe('openExistingDatabase', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { t = tempDir(); });
  afterEach(() => t.cleanup());

  it('refuses a missing file without creating it', () => {
    const path = t.file('missing.db');
    expect(() => openExistingDatabase(path)).toThrow(/does not exist; run a crawl first/);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses an empty file', () => {
    const path = t.file('empty.db');
    writeFileSync(path, '');
    expect(() => openExistingDatabase(path)).toThrow(/is empty/);
  });

  it('opens a database the crawl wrote', () => {
    const path = t.file('ok.db');
    openDatabase(path).close();
    const db = openExistingDatabase(path);
    expect(db.prepare('SELECT count(*) FROM snapshots').pluck().get()).toBe(0);
    db.close();
  });
});

describe('pinnedReader and dataVersion', () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it('a reader pinned while another connection writes sees the commit before; the data version tells other writers from our own', () => {
    const db = openDatabase(t.file('writing.db'));
    const other = openDatabase(t.file('writing.db'));
    try {
      new SnapshotWriter(db).createSnapshot({ orgUrl: ORG_URL, toolVersion: '0.1.0', settings: {} });
      const version = dataVersion(db);
      db.exec('BEGIN IMMEDIATE');
      const reader = pinnedReader(db.name);
      db.prepare(`UPDATE snapshots SET tool_version = 'changed'`).run();
      db.exec('COMMIT');
      expect(reader.prepare(`SELECT tool_version FROM snapshots`).pluck().get()).toBe('0.1.0');
      reader.close();
      expect(dataVersion(db)).toBe(version); // its own commit
      other.prepare(`UPDATE snapshots SET tool_version = 'other'`).run();
      expect(dataVersion(db)).not.toBe(version);
    } finally {
      other.close();
      db.close();
    }
  });
});
