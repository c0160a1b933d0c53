import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AuditError } from '../../src/errors.js';
import { openDatabase } from '../../src/store/db.js';
import { loadMigrations, migrate, schemaVersion } from '../../src/store/migrate.js';
import { tempDir } from './helpers.js';

describe('migrations', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => { t = tempDir(); });
  afterEach(() => t.cleanup());

  function migrationsDir(files: Record<string, string>): string {
    const dir = t.file('migrations');
    mkdirSync(dir);
    for (const [name, sql] of Object.entries(files)) writeFileSync(`${dir}/${name}`, sql);
    return dir;
  }

  it('ships 0001 and sets user_version to the newest migration', () => {
    const known = loadMigrations();
    expect(known.map((m) => m.file)).toContain('0001_snapshot.sql');
    const db = openDatabase(t.file('a.db'));
    expect(schemaVersion(db)).toBe(known.length);
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['snapshots', 'users', 'factors', 'log_events', 'crawl_progress', 'crawl_errors']));
    db.close();
  });

  it('applies files in numeric order, each with its version', () => {
    const dir = migrationsDir({
      '0002_second.sql': 'INSERT INTO trail VALUES (2);',
      '0001_first.sql': 'CREATE TABLE trail (n INTEGER);',
      '0003_third.sql': 'INSERT INTO trail VALUES (3);',
      'README.md': 'not a migration',
    });
    const db = new Database(t.file('order.db'));
    expect(migrate(db, dir)).toEqual({ from: 0, to: 3 });
    expect(db.prepare('SELECT n FROM trail').pluck().all()).toEqual([2, 3]);
    db.close();
  });

  it('0003 carries a version-2 database forward: not applicable data and rules, enrollment device names', () => {
    const all = loadMigrations();
    const db = new Database(t.file('v2.db'));
    db.pragma('foreign_keys = ON');
    const upTo2 = migrationsDir(Object.fromEntries(all.filter((m) => m.version <= 2).map((m) => [m.file, m.sql])));
    migrate(db, upTo2);
    db.exec(`INSERT INTO snapshots (id, started_at, org_url, tool_version, settings_json, pipeline, status) VALUES (1, '2026-01-01T00:00:00.000Z', 'https://a.okta.com', '0.1.0', '{}', 'v1', 'complete');
      INSERT INTO users (snapshot_id, id, login, crawl_state, raw_json) VALUES (1, '00u1', 'a@example.com', 'complete', '{}');
      INSERT INTO authenticator_enrollments (snapshot_id, user_id, id, key, nickname, raw_json) VALUES
        (1, '00u1', 'pfd1', 'okta_verify', NULL, '{"profile":{"name":"Pixel 8"}}'), (1, '00u1', 'sms1', 'phone_number', 'Work phone', '{"profile":{}}');
      INSERT INTO org_resources (snapshot_id, resource, state, reason, http_status, error_code) VALUES
        (1, 'authenticators', 'not_available', 'feature not enabled', 401, 'E0000015'),
        (1, 'authenticatorEnrollments', 'not_available', 'Classic Engine org (pipeline v1): the authenticator-enrollments API is Identity Engine only', NULL, NULL),
        (1, 'logs', 'not_available', 'no permission', 403, 'E0000006');
      INSERT INTO rule_runs (snapshot_id, rule_id, status, reason, findings, evaluated_at) VALUES
        (1, 'a_b_c', 'skipped', 'Applies to Identity Engine orgs only; this org runs Classic Engine (pipeline v1)', 0, 'x'),
        (1, 'd_e_f', 'skipped', 'System Log not available: 403 E0000006', 0, 'x');`);
    expect(migrate(db)).toEqual({ from: 2, to: all.length });
    expect(db.prepare(`SELECT resource, state FROM org_resources ORDER BY resource`).all()).toEqual([
      { resource: 'authenticatorEnrollments', state: 'not_applicable' },
      { resource: 'authenticators', state: 'not_applicable' },
      { resource: 'logs', state: 'not_available' },
    ]);
    expect(db.prepare(`SELECT rule_id, status FROM rule_runs ORDER BY rule_id`).all()).toEqual([
      { rule_id: 'a_b_c', status: 'not_applicable' }, { rule_id: 'd_e_f', status: 'skipped' },
    ]);
    expect(db.prepare(`SELECT id, device_name FROM authenticator_enrollments ORDER BY id`).all()).toEqual([
      { id: 'pfd1', device_name: 'Pixel 8' }, { id: 'sms1', device_name: 'Work phone' },
    ]);
    expect(db.prepare(`SELECT org_resources_not_applicable, org_resources_not_available FROM v_coverage`).get()).toEqual({ org_resources_not_applicable: 2, org_resources_not_available: 1 });
    db.close();
  });

  it('re-opening is a no-op', () => {
    const path = t.file('b.db');
    const first = openDatabase(path);
    const schema = first.prepare('SELECT sql FROM sqlite_schema ORDER BY name').pluck().all();
    first.close();
    const again = openDatabase(path);
    expect(migrate(again)).toEqual({ from: loadMigrations().length, to: loadMigrations().length });
    expect(again.prepare('SELECT sql FROM sqlite_schema ORDER BY name').pluck().all()).toEqual(schema);
    again.close();
  });

  it('refuses a database from a newer oie-audit', () => {
    const path = t.file('newer.db');
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => openDatabase(path)).toThrow(AuditError);
    try {
      openDatabase(path);
    } catch (err) {
      expect((err as AuditError).code).toBe('ERR_SNAPSHOT');
      expect((err as AuditError).message).toMatch(/version 99, newer than this oie-audit understands \(\d+\); upgrade oie-audit/);
    }
  });

  it('a failing migration leaves the database at the previous version with nothing applied', () => {
    const dir = migrationsDir({
      '0001_ok.sql': 'CREATE TABLE a (n INTEGER);',
      '0002_bad.sql': 'CREATE TABLE b (n INTEGER); INSERT INTO missing VALUES (1);',
    });
    const db = new Database(t.file('bad.db'));
    expect(() => migrate(db, dir)).toThrow(/0002_bad\.sql failed .*unchanged at version 1/);
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare(`SELECT count(*) FROM sqlite_schema WHERE name = 'b'`).pluck().get()).toBe(0);
    db.close();
  });

  it('rejects a gap in the numbering', () => {
    const dir = migrationsDir({ '0001_a.sql': 'SELECT 1;', '0003_c.sql': 'SELECT 1;' });
    expect(() => loadMigrations(dir)).toThrow(/0003_c\.sql is out of sequence/);
  });

  it('the shipped folder sits beside src/ and is what the package publishes', () => {
    expect(existsSync(new URL('../../migrations/0001_snapshot.sql', import.meta.url))).toBe(true);
  });
});
