/**
 * Rows of a large result as objects, built here from better-sqlite3's raw arrays: a third faster
 * than its own objects (measured on 500,000 findings: 2.3 s against 3.3 s), which it builds
 * property by property in C++. Same names as its objects: a repeated column name keeps the last.
 * @module
 */
import type Database from 'better-sqlite3';

export function* objectRows<T>(stmt: Database.Statement, ...params: unknown[]): Generator<T> {
  const names = stmt.columns().map((c) => c.name);
  for (const values of stmt.raw(true).iterate(...params) as IterableIterator<unknown[]>) {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    yield row as T;
  }
}
