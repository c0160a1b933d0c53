/**
 * Okta's rate limiting as the simulator enforces it: per-bucket windows that open at a bucket's
 * first request (at whole-second granularity, as in Okta's "12:00:20–12:01:19" example, not aligned
 * to the minute) and an org-wide concurrency limit. Headers follow Okta: `X-Rate-Limit-Reset` is the
 * window's end in epoch seconds; a concurrency 429 reports Limit and Remaining 0.
 */

/** Okta's published Workforce defaults, per minute. Unpublished endpoints fall under `api_v1`. */
export const PUBLISHED_LIMITS = {
  users_list: 600, // GET /api/v1/users
  user_get: 2000, // GET /api/v1/users/{idOrLogin}
  logs: 120, // /api/v1/logs
  apps: 100, // GET /api/v1/apps (list; /api/v1/apps/{id} has its own, larger bucket)
  api_v1: 1200, // the /api/v1 catch-all ("most other API actions")
  oauth2_token: 600, // /oauth2/v1/token (not in the management table; configurable)
  well_known: 1200, // /.well-known/okta-organization (not in the management table; configurable)
} as const;

/** Endpoint classes whose limits Okta does not publish: they share `api_v1` unless given their own limit. */
export const UNPUBLISHED_BUCKETS = [
  'user_factors',
  'authenticator_enrollments',
  'authenticators',
  'policies',
  'event_hooks',
  'api_tokens',
  'brands',
  'domains',
  'trusted_origins',
  'inline_hooks',
] as const;

export type BucketName = keyof typeof PUBLISHED_LIMITS | (typeof UNPUBLISHED_BUCKETS)[number];
export const BUCKET_NAMES: readonly string[] = [...Object.keys(PUBLISHED_LIMITS), ...UNPUBLISHED_BUCKETS];

export interface RateHeaders {
  limit: number;
  remaining: number;
  resetEpochSeconds: number;
}

export type Admission =
  | { ok: true; bucket: string; headers: RateHeaders; windowStart: number }
  | { ok: false; cause: 'quota' | 'concurrency'; bucket: string; headers: RateHeaders; windowStart: number };

interface Window {
  start: number;
  end: number;
  used: number;
}

export class RateLimits {
  private readonly windows = new Map<string, Window>();
  private readonly limits: Map<string, number>;
  inFlight = 0;

  constructor(
    private readonly windowMs: number,
    overrides: Record<string, number>,
    private readonly concurrencyLimit: number,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = new Map(Object.entries({ ...PUBLISHED_LIMITS, ...overrides }));
  }

  /** The bucket a request counts against: its own if configured, else the catch-all. */
  bucketFor(endpointBucket: string): string {
    return this.limits.has(endpointBucket) ? endpointBucket : 'api_v1';
  }

  limitOf(bucket: string): number {
    return this.limits.get(bucket) ?? PUBLISHED_LIMITS.api_v1;
  }

  /** Decide one request. On success the caller must call `release()` when the response is done. */
  admit(endpointBucket: string): Admission {
    const bucket = this.bucketFor(endpointBucket);
    const limit = this.limitOf(bucket);
    const window = this.currentWindow(bucket);
    if (this.inFlight >= this.concurrencyLimit) {
      const resetEpochSeconds = Math.ceil((this.now() + 1000) / 1000); // only an estimate, as Okta says
      return { ok: false, cause: 'concurrency', bucket, windowStart: window.start, headers: { limit: 0, remaining: 0, resetEpochSeconds } };
    }
    const resetEpochSeconds = Math.ceil(window.end / 1000);
    if (window.used >= limit) {
      return { ok: false, cause: 'quota', bucket, windowStart: window.start, headers: { limit, remaining: 0, resetEpochSeconds } };
    }
    window.used += 1;
    this.inFlight += 1;
    return { ok: true, bucket, windowStart: window.start, headers: { limit, remaining: limit - window.used, resetEpochSeconds } };
  }

  release(): void {
    this.inFlight -= 1;
  }

  private currentWindow(bucket: string): Window {
    const t = this.now();
    const existing = this.windows.get(bucket);
    if (existing && t < existing.end) return existing;
    // Whole-second starts when the window is whole seconds long, so Reset (epoch seconds) is exact.
    const start = this.windowMs % 1000 === 0 ? Math.floor(t / 1000) * 1000 : t;
    const window = { start, end: start + this.windowMs, used: 0 };
    this.windows.set(bucket, window);
    return window;
  }
}

/** Parse `--limit BUCKET=N` values. */
export function parseLimitOverrides(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([a-z0-9_]+)=(\d+)$/.exec(v.trim());
    if (!m || !BUCKET_NAMES.includes(m[1]!) || Number(m[2]) < 1) {
      throw new Error(`--limit ${v}: expected BUCKET=N with N >= 1 and BUCKET one of ${BUCKET_NAMES.join(', ')}`);
    }
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
