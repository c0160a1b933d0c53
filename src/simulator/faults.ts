/**
 * Seeded, reproducible fault injection (`--faults`). Each decision hashes (seed, request, attempt
 * number of that same request), so a run's faults do not depend on how concurrent requests
 * interleave, and a retried request gets a fresh draw.
 */
import { createHash } from 'node:crypto';

export type FaultKind = '500' | '502' | '503' | 'reset' | 'slow' | 'malformed';

export interface FaultSpec {
  rates: Partial<Record<FaultKind, number>>;
  /** Share of users deleted mid-crawl: listed, but 404 on their own URL and sub-resources. */
  deleted: number;
  /** How long a `slow` response is held, longer than a sane client timeout. */
  slowMs: number;
  seed: number;
}

export const NO_FAULTS: FaultSpec = { rates: {}, deleted: 0, slowMs: 35_000, seed: 1 };
const KINDS: readonly FaultKind[] = ['500', '502', '503', 'reset', 'slow', 'malformed'];

/** `500=0.01,502=0.01,503=0.01,reset=0.01,slow=0.005,malformed=0.01,deleted=0.002,slowMs=35000,seed=7` */
export function parseFaultSpec(spec: string): FaultSpec {
  const out: FaultSpec = { ...NO_FAULTS, rates: {} };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, raw] = part.split('=');
    const value = Number(raw);
    if (!key || raw === undefined || !Number.isFinite(value) || value < 0) {
      throw new Error(`--faults: "${part}" is not KEY=NUMBER (keys: ${KINDS.join(', ')}, deleted, slowMs, seed)`);
    }
    if (key === 'seed') out.seed = value;
    else if (key === 'slowMs') out.slowMs = value;
    else if (key === 'deleted' || (KINDS as readonly string[]).includes(key)) {
      if (value > 1) throw new Error(`--faults: ${key}=${raw} is a rate and must be between 0 and 1`);
      if (key === 'deleted') out.deleted = value;
      else out.rates[key as FaultKind] = value;
    } else {
      throw new Error(`--faults: unknown key "${key}" (keys: ${KINDS.join(', ')}, deleted, slowMs, seed)`);
    }
  }
  const total = Object.values(out.rates).reduce((a, b) => a + b, 0);
  if (total > 1) throw new Error('--faults: the fault rates add up to more than 1');
  return out;
}

/** A uniform draw in [0,1) from the seed and the given parts. */
export function draw(seed: number, ...parts: string[]): number {
  const h = createHash('sha256').update(`${seed}\u0000${parts.join('\u0000')}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

export class FaultInjector {
  private readonly attempts = new Map<string, number>();
  constructor(readonly spec: FaultSpec) {}

  get active(): boolean {
    return this.spec.deleted > 0 || Object.values(this.spec.rates).some((r) => r > 0);
  }

  /** The fault for this request, if any. */
  decide(method: string, pathAndQuery: string): FaultKind | undefined {
    if (!this.active) return undefined;
    const key = `${method} ${pathAndQuery}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    let u = draw(this.spec.seed, key, String(attempt));
    for (const kind of KINDS) {
      const rate = this.spec.rates[kind] ?? 0;
      if (u < rate) return kind;
      u -= rate;
    }
    return undefined;
  }

  isDeleted(userId: string): boolean {
    return this.spec.deleted > 0 && draw(this.spec.seed, 'deleted', userId) < this.spec.deleted;
  }
}
