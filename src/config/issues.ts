import type { ZodError } from 'zod';
import { configError, type AuditError } from '../errors.js';
import { knownKeys, SETTINGS, settingPaths } from './schema.js';

type Issue = ZodError['issues'][number];

/** configError, with every part forced onto one line: values and file names can hold newlines. */
export function fail(setting: string, problem: string, fix: string): AuditError {
  const flat = (part: string): string => part.replace(/[\r\n]+/g, ' ');
  return configError(flat(setting), flat(problem), flat(fix));
}

/** Unknown keys first: a misspelt key usually explains the other problems. */
export function firstIssue(issues: readonly Issue[]): Issue | undefined {
  return issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0];
}

/**
 * Rewrites one zod issue as the project's one-line error. `raw` is the merged input (to quote the
 * bad value); `labelOf` maps a dotted setting path to what the user wrote: key path, env var or flag.
 */
export function issueToError(issue: Issue, raw: unknown, labelOf: (path: string) => string): AuditError {
  const keys = issue.path.filter((part): part is string => typeof part === 'string');
  if (issue.code === 'unrecognized_keys') return unknownKey(keys, issue.keys[0] ?? '');

  const path = keys.join('.');
  const value = valueAt(raw, issue.path);
  const meta = SETTINGS[path];
  if (!meta) {
    // A section such as `rateLimit: 5`: only the file can shape sections.
    const children = knownKeys(keys) ?? [];
    return fail(
      path,
      `must be a group of settings (${children.join(', ')}), got ${show(value)}`,
      `Put its settings on their own lines, indented under ${keys.at(-1) ?? path}:`,
    );
  }

  const label = labelOf(path);
  const shown = show(value, meta.secret);
  const hint = meta.choices && typeof value === 'string' ? closest(value, meta.choices) : undefined;
  const fix = hint ? `Did you mean ${hint}? ${meta.fix}` : meta.fix;
  if (typeof issue.path.at(-1) === 'number' && meta.item) return fail(label, meta.item(shown), fix);
  if (issue.code === 'too_small' && (typeof value === 'string' || Array.isArray(value))) {
    return fail(label, 'is empty', fix);
  }
  return fail(label, `must be ${meta.expect}, got ${shown}`, fix);
}

function unknownKey(parent: readonly string[], key: string): AuditError {
  const shownKey = key.length > 32 ? `${key.slice(0, 32)}…` : key;
  const setting = [...parent, shownKey].join('.');
  const problem = 'is not a known setting';
  if (parent.length === 1 && parent[0] === 'okta' && key === 'client') {
    return fail(setting, problem, 'oie-audit does not use the SDK\'s okta.client nesting: put orgUrl, token and the rest directly under okta:');
  }
  const siblings = knownKeys(parent) ?? [];
  const sibling = closest(key, siblings);
  if (sibling) return fail(setting, problem, `Did you mean ${[...parent, sibling].join('.')}?`);
  // Right name, wrong section (or not nested at all): suggest the full path.
  const elsewhere = closest(
    key,
    [...settingPaths(), ...(knownKeys([]) ?? [])].filter((candidate) => candidate !== [...parent, key].join('.')),
    (candidate) => candidate.split('.').at(-1) ?? candidate,
  );
  if (elsewhere) return fail(setting, problem, `Did you mean ${elsewhere}? Settings are nested by section`);
  const where = parent.length === 0 ? 'at the top level' : `under ${parent.join('.')}`;
  return fail(setting, problem, `Known settings ${where}: ${siblings.join(', ')}`);
}

/** The candidate nearest to `input`, ignoring case, `_` and `-`, if it is near enough to be a typo. */
export function closest(
  input: string,
  candidates: readonly string[],
  nameOf: (candidate: string) => string = (candidate) => candidate,
): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  const target = norm(input);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(target, norm(nameOf(candidate)));
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  const limit = Math.max(1, Math.floor(target.length / 3));
  return best && best.distance <= limit ? best.candidate : undefined;
}

/** Edits (insert, delete, substitute, swap neighbours) turning a into b: "xslx" is 1 from "xlsx". */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** A value as it may appear in a message: quoted and shortened, or only its kind if secret. */
export function show(value: unknown, secret = false): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'object') return 'a group of settings';
  if (secret) return typeof value === 'string' ? 'text' : `a ${typeof value}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
