/** What every part of the generated org derives from, plus the helpers they share. */
import type { Pipeline } from './types.js';
import { randomChars } from './random.js';

// Bound once (see random.ts: global lookups are slow under vm contexts).
const { floor } = Math;

export interface GenContext {
  readonly users: number;
  readonly seed: number;
  readonly pipeline: Pipeline;
  /** Without a trailing slash. */
  readonly baseUrl: string;
  /** Epoch ms; every generated date is strictly before it (day 0: later days' changes come after). */
  readonly nowMs: number;
  /** A Classic org (pipeline v1) served after its upgrade: same users and factors, Identity Engine APIs. */
  readonly upgraded?: boolean;
}

/** The engine the org runs now: an upgraded Classic org serves Identity Engine. */
export function servedPipeline(ctx: GenContext): Pipeline {
  return ctx.upgraded === true ? 'idx' : ctx.pipeline;
}

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/**
 * Same output as `new Date(ms).toISOString()` for years 1970–9999, several times faster; user
 * iteration formats six dates per user, which made Date the main cost of a 1,000,000-user crawl.
 */
export function iso(ms: number): string {
  const days = floor(ms / DAY);
  let rem = ms - days * DAY;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  const z = days + 719468;
  const era = floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
  const mp = floor((5 * doy + 2) / 153);
  const d = doy - floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const h = floor(rem / HOUR);
  rem -= h * HOUR;
  const mi = floor(rem / MINUTE);
  rem -= mi * MINUTE;
  const s = floor(rem / 1000);
  return `${y}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}.${pad3(rem - s * 1000)}Z`;
}

/** A 20-character Okta-style id: the 3-character prefix Okta uses for the object kind, then 17 derived characters. */
export function oktaId(ctx: GenContext, prefix: string, ...parts: ReadonlyArray<number | string>): string {
  return prefix + randomChars(20 - prefix.length, ctx.seed, prefix, ...parts);
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A HAL link as Okta writes it, with `hints.allow` when methods are given. */
export function link(href: string, ...allow: Method[]): { href: string; hints?: { allow: Method[] } } {
  return allow.length > 0 ? { href, hints: { allow } } : { href };
}
