/**
 * Small helpers shared by rule files: building findings, wording by engine, dates relative to
 * the snapshot, and grouping a sorted row stream without loading it.
 *
 * SQL convention in rules: a correlated lookup of one user's factors writes the type test as
 * `+f.factor_type = …`. The unary plus stops SQLite from choosing the (snapshot_id, factor_type)
 * index, which would scan every factor of that type once per user, and keeps it on the
 * (snapshot_id, user_id) primary key.
 * @module
 */
import type { Pipeline } from '../store/types.js';
import type { Finding, RuleMeta, Severity } from './types.js';

export type FindingInput = Omit<Finding, 'ruleId' | 'severity'> & { severity?: Severity };

/** A finding of `meta`'s rule; severity defaults to the rule's. `f` is completed in place (rules pass a new object). */
export function finding(meta: RuleMeta, f: FindingInput): Finding {
  return Object.assign(f, { ruleId: meta.id, severity: f.severity ?? meta.severity });
}

/** Picks the wording (or value) for the snapshot's engine; unknown falls back to `unknown`. */
export function byEngine<T>(pipeline: Pipeline | null, choices: { v1: T; idx: T; unknown: T }): T {
  return pipeline === 'v1' ? choices.v1 : pipeline === 'idx' ? choices.idx : choices.unknown;
}

/** Whole days from an Okta timestamp to the snapshot's start; null when absent or unparseable. */
export function daysBefore(iso: string | null | undefined, now: Date): number | null {
  if (iso === null || iso === undefined) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return Math.floor((now.getTime() - t) / 86_400_000);
}

/** "3 push factors", "1 push factor". */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  // Below 1,000 there is no separator to place: no call into the locale data (millions of findings).
  return `${Number.isInteger(n) && n >= 0 && n < 1000 ? String(n) : n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** "a, b and c"; long lists end with "and N more" so evidence stays one readable sentence. */
export function listText(items: readonly string[], max = 8): string {
  if (items.length === 0) return '';
  const shown = items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : [...items];
  if (shown.length === 1) return shown[0] as string;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

export function quoted(s: string | null | undefined): string {
  return s === null || s === undefined ? '(no name)' : `"${s}"`;
}

/** JSON text from SQLite (json_group_array, raw_json); a broken value reads as `fallback`. */
export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * A CTE `several (factor_type, user_id)`: the users holding two factors or more of one of
 * `types`, found in the factors_by_type_user index alone (the snapshot is the `@snapshot`
 * parameter). A rule about users with several push factors starts from it (`FROM several s CROSS
 * JOIN factors f`: CROSS JOIN keeps that order, which SQLite would otherwise turn round into a
 * scan of every factor), so it reads the factor rows of those users only.
 */
export function severalFactorsOfType(types: readonly string[]): string {
  return `several AS (
        SELECT factor_type, user_id FROM factors
        WHERE snapshot_id = @snapshot AND factor_type IN (${types.map((t) => `'${t}'`).join(', ')})
        GROUP BY factor_type, user_id HAVING count(*) >= 2
      )`;
}

/** Consecutive rows with the same key, for streams sorted by that key: one group in memory at a time. */
export function* groupConsecutive<T>(rows: Iterable<T>, key: (row: T) => string): Generator<T[]> {
  let group: T[] = [];
  let current: string | undefined;
  for (const row of rows) {
    const k = key(row);
    if (group.length > 0 && k !== current) {
      yield group;
      group = [];
    }
    current = k;
    group.push(row);
  }
  if (group.length > 0) yield group;
}

/** Crawl scope recorded in `snapshots.settings_json` by the crawler. */
export interface CrawlScope {
  usersSearch: string | null;
  logsSince: string | null;
  logsUntil: string | null;
}

export function crawlScope(settingsJson: string): CrawlScope {
  const s = parseJson<{ scope?: { usersSearch?: unknown; logsSince?: unknown; logsUntil?: unknown } }>(settingsJson, {}).scope ?? {};
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return { usersSearch: str(s.usersSearch), logsSince: str(s.logsSince), logsUntil: str(s.logsUntil) };
}

/** Users in these statuses never activated or were reset: Okta lists no factor for them. */
export const NO_FACTOR_STATUSES: readonly string[] = ['STAGED', 'PROVISIONED', 'DEPROVISIONED'];

/** Okta's "non-browser" test from the integration guides: browsers all send `Mozilla/…`. */
export function isBrowserUserAgent(ua: string | null | undefined): boolean {
  return typeof ua === 'string' && ua.startsWith('Mozilla/');
}
