/**
 * Stateless, seeded randomness for the generated org. Every value is a pure function of
 * (seed, index, salt...), so user i of a 1,000,000-user org can be derived on demand, in any
 * order, without generating the users before it.
 */

const TWO_32 = 4294967296;
// Bound once: under a vm context (jest) each global lookup such as `Math` costs about 0.5 µs,
// which would dominate every derivation.
const { floor, imul } = Math;

function mixWord(h: number, k: number): number {
  k = imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit hash of the seed and the parts (murmur3-style mixing). Numbers are mixed by value
 * (integers up to 2^53 keep their high bits); strings by UTF-16 code unit. Hot paths should pass
 * numeric salts: a string part costs one mixing step per character.
 */
export function hash32(seed: number, ...parts: ReadonlyArray<number | string>): number {
  let h = mixWord(0x9747b28c, seed >>> 0);
  h = mixWord(h, floor(seed / TWO_32) >>> 0);
  for (const p of parts) {
    if (typeof p === 'number') {
      h = mixWord(h, p >>> 0);
      if (p >= TWO_32 || p < 0) h = mixWord(h, floor(p / TWO_32) >>> 0);
    } else {
      for (let i = 0; i < p.length; i++) h = mixWord(h, p.charCodeAt(i));
      h = mixWord(h, p.length | 0x80000000);
    }
  }
  return finish(h);
}

/** A hash as a float in [0, 1). */
export function unit(h: number): number {
  return h / TWO_32;
}

/** True with probability p. */
export function chance(p: number, h: number): boolean {
  return unit(h) < p;
}

/** An integer in [lo, hi], both inclusive. */
export function intBetween(lo: number, hi: number, h: number): number {
  return lo + floor(unit(h) * (hi - lo + 1));
}

export function pick<T>(items: readonly T[], h: number): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[floor(unit(h) * items.length)] as T;
}

/** Picks by integer weights (e.g. basis points); the weights need not sum to anything in particular. */
export function weighted<T>(table: ReadonlyArray<readonly [T, number]>, h: number): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let x = unit(h) * total;
  for (const [value, w] of table) {
    if (x < w) return value;
    x -= w;
  }
  const last = table[table.length - 1];
  if (!last) throw new Error('weighted pick from an empty table');
  return last[0];
}

/** Okta's id alphabet, in ASCII order so that fixed-width encodings sort like the numbers. */
export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `n` as exactly `width` base-62 digits (most significant first). */
export function toBase62(n: number, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = BASE62[n % 62] + out;
    n = floor(n / 62);
  }
  return out;
}

/** Inverse of toBase62; NaN if a character is outside the alphabet. */
export function fromBase62(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = BASE62.indexOf(s.charAt(i));
    if (d < 0) return NaN;
    n = n * 62 + d;
  }
  return n;
}

/** A further 32-bit hash from a hash and a counter (cheaper than rehashing all the parts). */
export function rehash(h: number, k: number): number {
  return finish(mixWord(h, k));
}

/** `len` pseudo-random base-62 characters derived from the seed and parts (5 per 32-bit hash). */
export function randomChars(len: number, seed: number, ...parts: ReadonlyArray<number | string>): string {
  const h0 = hash32(seed, ...parts);
  let out = '';
  for (let block = 0; out.length < len; block++) {
    let h = rehash(h0, block);
    for (let j = 0; j < 5 && out.length < len; j++) {
      out += BASE62[h % 62];
      h = floor(h / 62);
    }
  }
  return out;
}

/** `len` pseudo-random base64url characters (key material, secrets). */
export function randomBase64Url(len: number, seed: number, ...parts: ReadonlyArray<number | string>): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const h0 = hash32(seed, ...parts);
  let out = '';
  for (let block = 0; out.length < len; block++) {
    let h = rehash(h0, block);
    for (let j = 0; j < 5 && out.length < len; j++) {
      out += alphabet[h & 63];
      h >>>= 6;
    }
  }
  return out;
}
