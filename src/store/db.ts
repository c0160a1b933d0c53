/**
 * Opening the snapshot database. The file holds user logins, device names and System Log
 * entries, so it is created owner-only (0600) and its WAL side files are kept the same.
 * @module
 */
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AuditError } from '../errors.js';
import { migrate } from './migrate.js';

export type Db = Database.Database;

const PRIVATE_MODE = 0o600;
const BUSY_TIMEOUT_MS = 5000;

/** Opens (creating if absent) a snapshot database for writing and brings its schema up to date. */
export function openDatabase(path: string): Db {
  if (!isMemory(path)) createPrivateFile(path);
  return prepare(path, () => new Database(path));
}

/** Opens a database that must already exist (report, audit): never creates a file. */
export function openExistingDatabase(path: string): Db {
  if (!isMemory(path)) {
    if (!existsSync(path)) {
      throw new AuditError('ERR_SNAPSHOT', `Snapshot database ${path} does not exist; run a crawl first or give the path of an existing snapshot database.`);
    }
    if (statSync(path).size === 0) {
      throw new AuditError('ERR_SNAPSHOT', `Snapshot database ${path} is empty; run a crawl first or give the path of an existing snapshot database.`);
    }
  }
  return prepare(path, () => new Database(path, { fileMustExist: true }));
}

/** Another connection to a database this process has opened already (schema up to date). */
export function openAnotherConnection(path: string): Db {
  return prepare(path, () => new Database(path, { fileMustExist: true }), false);
}

function prepare(path: string, open: () => Db, migrating = true): Db {
  let db: Db | undefined;
  try {
    db = open();
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL lets the report read while a crawl writes; NORMAL is durable across a process crash
    // (only an OS crash can lose the last commits, which resume then re-fetches).
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    if (!isMemory(path)) keepSideFilesPrivate(path);
    if (migrating) migrate(db);
    return db;
  } catch (err) {
    db?.close();
    throw toAuditError(err, path);
  }
}

function createPrivateFile(path: string): void {
  try {
    // 'wx' creates only if absent; an existing file keeps the mode its owner gave it.
    closeSync(openSync(path, 'wx', PRIVATE_MODE));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code === 'ENOENT') {
      throw new AuditError('ERR_SNAPSHOT', `Cannot create snapshot database ${path}: its folder does not exist; create the folder or choose another database path.`, { cause: err });
    }
    throw new AuditError('ERR_SNAPSHOT', `Cannot create snapshot database ${path} (${code ?? (err as Error).message}); choose a writable database path.`, { cause: err });
  }
}

function keepSideFilesPrivate(path: string): void {
  // SQLite gives new -wal/-shm files the database file's mode; this also fixes ones left by
  // another tool. Failure (a file owned by someone else) is not worth refusing to open over.
  for (const suffix of ['-wal', '-shm']) {
    try {
      if (existsSync(path + suffix)) chmodSync(path + suffix, PRIVATE_MODE);
    } catch {
      /* see above */
    }
  }
}

function toAuditError(err: unknown, path: string): unknown {
  if (err instanceof AuditError) return err;
  const code = (err as { code?: unknown }).code;
  const detail = (err as Error).message;
  switch (code) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new AuditError('ERR_SNAPSHOT', `${path} is not a readable snapshot database (${detail}); choose another database path or move the file away.`, { cause: err });
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new AuditError('ERR_SNAPSHOT', `Snapshot database ${path} is locked by another process; wait for the other oie-audit run to finish.`, { cause: err });
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
      return new AuditError('ERR_SNAPSHOT', `Cannot open snapshot database ${path} (${detail}); check the file and its folder are readable and writable by you.`, { cause: err });
    default:
      return err;
  }
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

/** Whether other connections can read what `db` reads: a file, and no transaction of a caller's. */
export function shareable(db: Db): boolean {
  return !isMemory(db.name) && !db.memory && !db.inTransaction;
}

/**
 * Copies into the database file what its write-ahead log holds and no reader still needs, now
 * rather than when the last connection closes.
 */
export function checkpoint(path: string): void {
  const db = openAnotherConnection(path);
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    db.close();
  }
}

/** A read-only connection to the file whose read transaction has started: it reads the last commit. */
export function pinnedReader(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.exec('BEGIN');
  db.prepare('SELECT count(*) FROM sqlite_master').get(); // the read transaction starts here
  return db;
}

/** Changes whenever another connection commits to the database (SQLite's data_version). */
export function dataVersion(db: Db): number {
  return db.pragma('data_version', { simple: true }) as number;
}

/**
 * Holds other writers off the database file (a write lock that writes nothing) until the
 * returned release is called, so that connections which open their read transactions meanwhile
 * all see the same commit. Undefined when that is not possible (an in-memory database, or a file
 * this process may not write): callers then read through one connection.
 */
export function holdWriters(db: Db): (() => void) | undefined {
  if (!shareable(db)) return undefined;
  let lock: Db | undefined;
  try {
    lock = new Database(db.name, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    lock.exec('BEGIN IMMEDIATE');
  } catch {
    lock?.close();
    return undefined;
  }
  const held = lock;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      held.exec('ROLLBACK');
    } catch {
      /* closing the connection releases the lock all the same */
    } finally {
      held.close();
    }
  };
}
