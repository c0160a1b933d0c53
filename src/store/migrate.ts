/**
 * Schema migrations: numbered `migrations/NNNN_name.sql` files applied in order. The schema
 * version is SQLite's `PRAGMA user_version`, bumped inside the same transaction as the file's
 * SQL, so a crash mid-migration leaves the previous version intact.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';
import { AuditError } from '../errors.js';

// Resolves to <package>/migrations from both src/store/ (tests) and dist/store/ (installed).
const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  file: string;
  sql: string;
}

/** The migration files, ordered; throws if numbering has a gap or a duplicate (a packaging bug). */
export function loadMigrations(dir: URL | string = MIGRATIONS_DIR): Migration[] {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (cause) {
    throw new AuditError('ERR_SNAPSHOT', `Schema migrations folder ${path} is missing; reinstall oie-audit.`, { cause });
  }
  const migrations = names
    .filter((name) => FILE_PATTERN.test(name))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 4)), file, sql: readFileSync(join(path, file), 'utf8') }));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new AuditError('ERR_SNAPSHOT', `Schema migration ${m.file} is out of sequence (expected ${String(i + 1).padStart(4, '0')}_…); reinstall oie-audit.`);
    }
  });
  return migrations;
}

export function schemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration above the database's version; returns the versions before and after. */
export function migrate(db: BetterSqlite3.Database, dir?: URL | string): { from: number; to: number } {
  const migrations = loadMigrations(dir);
  const known = migrations.length;
  const from = schemaVersion(db);
  if (from > known) {
    throw new AuditError(
      'ERR_SNAPSHOT',
      `Snapshot database ${db.name} has schema version ${from}, newer than this oie-audit understands (${known}); upgrade oie-audit or use a new database file.`,
    );
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    // IMMEDIATE takes the write lock before re-reading the version, so two processes opening a
    // new file at once cannot both apply the same migration.
    db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      try {
        db.exec(m.sql);
      } catch (cause) {
        throw new AuditError(
          'ERR_SNAPSHOT',
          `Schema migration ${m.file} failed on ${db.name} (${(cause as Error).message}); the database is unchanged at version ${m.version - 1}, report this as a bug.`,
          { cause },
        );
      }
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return { from, to: schemaVersion(db) };
}
