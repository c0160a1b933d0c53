/**
 * Proactive rate limiting: the crawl spends at most `maxShare` of every Okta rate-limit bucket per
 * window, so production sign-ins keep the rest. Nothing is hard-coded: each bucket's Limit,
 * Remaining and Reset are learned from response headers.
 *
 * Okta does not name buckets in its answers. Requests are grouped by route template
 * (`/api/v1/users/{id}/factors`); templates whose answers report the same Limit and the same Reset
 * are one bucket (two buckets opening in the same second with equal limits would be merged too:
 * that only makes the crawl more careful). A template's first request is a probe, sent alone.
 *
 * Budget per window: our own requests ≤ floor(maxShare × Limit), and we never drive Remaining below
 * the share we leave to others (which also protects production when other clients are busy).
 * Requests still in flight when a window ends are counted in both windows.
 */

export interface RateHeaders {
  limit: number;
  remaining: number;
  /** Window end, epoch ms (from `X-Rate-Limit-Reset` seconds). */
  resetMs: number;
}

export interface Ticket {
  readonly template: string;
  /** Undefined for a probe: the bucket is learned from its answer. */
  readonly bucket: Bucket | undefined;
}

interface Bucket {
  limit: number;
  /** End of the window we last saw, in server time; undefined right after a rollover. */
  resetMs: number | undefined;
  /** End of the last window we rolled over from: later answers from it are ignored. */
  endedMs: number;
  /** Lowest Remaining seen in the current window; undefined until its first answer. */
  remaining: number | undefined;
  /** Our requests sent in the current window. */
  used: number;
  inFlight: number;
  templates: Set<string>;
  /** Shortest gap seen between two windows' ends: the window length once the bucket has rolled over. */
  windowMs: number | undefined;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export class RateBudget {
  private readonly byTemplate = new Map<string, Bucket>();
  private readonly probing = new Map<string, Promise<void>>();
  private readonly probeDone = new Map<string, () => void>();
  private waiters: (() => void)[] = [];
  /** Lower bound of (server clock − local clock), from `Date` headers; waits err on the late side. */
  private serverOffsetMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxShare: number, private readonly clock: Clock) {}

  /** Resolves when a request for `template` may be sent without exceeding the budget. */
  async acquire(template: string): Promise<Ticket> {
    for (;;) {
      const bucket = this.byTemplate.get(template);
      if (!bucket) {
        const pending = this.probing.get(template);
        if (pending) {
          await pending;
          continue;
        }
        this.probing.set(template, new Promise<void>((resolve) => this.probeDone.set(template, resolve)));
        return { template, bucket: undefined };
      }
      const waitMs = this.tryTake(bucket);
      if (waitMs === 0) return { template, bucket };
      await this.waitForChange(waitMs);
    }
  }

  /** Record the answer to a ticket's request (`headers` undefined when there was none). */
  settle(ticket: Ticket, headers: RateHeaders | undefined, dateHeaderMs?: number): void {
    if (dateHeaderMs !== undefined && Number.isFinite(dateHeaderMs)) {
      this.serverOffsetMs = Math.max(this.serverOffsetMs, dateHeaderMs - this.clock.now());
    }
    let bucket = ticket.bucket;
    if (bucket) bucket.inFlight -= 1;
    // A concurrency 429 reports Limit 0: it says nothing about the per-minute bucket.
    if (headers && headers.limit > 0) {
      if (!bucket) bucket = this.adopt(ticket.template, headers);
      this.observe(bucket, headers);
    }
    const done = this.probeDone.get(ticket.template);
    if (!ticket.bucket && done) {
      this.probing.delete(ticket.template);
      this.probeDone.delete(ticket.template);
      done();
    }
    this.wake();
  }

  /** Wait until the window of the bucket that answered with `headers` has ended (a quota 429). */
  async waitForReset(headers: RateHeaders): Promise<void> {
    const ms = headers.resetMs - this.serverNow();
    if (ms > 0) await this.clock.sleep(ms);
  }

  /** The learned buckets, for progress and ETA. */
  buckets(): { templates: string[]; limit: number; quota: number; used: number; resetMs: number | undefined; windowMs: number | undefined }[] {
    return [...new Set(this.byTemplate.values())].map((b) => ({
      templates: [...b.templates], limit: b.limit, quota: this.quota(b), used: b.used, resetMs: b.resetMs, windowMs: b.windowMs,
    }));
  }

  /** Share of a bucket we may use per window, at least one request. */
  quota(bucket: { limit: number }): number {
    return Math.max(1, Math.floor(this.maxShare * bucket.limit));
  }

  private serverNow(): number {
    const offset = Number.isFinite(this.serverOffsetMs) ? this.serverOffsetMs : 0;
    return this.clock.now() + offset;
  }

  /** 0 if a request was taken from the bucket, else how long to wait at most before trying again. */
  private tryTake(b: Bucket): number {
    this.rollOver(b);
    const quota = this.quota(b);
    const leftForOthers = b.limit - quota;
    const serverRoom = b.remaining === undefined || b.remaining - b.inFlight > leftForOthers;
    if (b.used < quota && serverRoom) {
      b.used += 1;
      b.inFlight += 1;
      return 0;
    }
    // Out of budget: wait for the window to end, or for an answer that tells us more.
    if (b.resetMs !== undefined) return Math.max(1, b.resetMs - this.serverNow());
    return b.inFlight > 0 ? 1000 : 50;
  }

  /** Once a bucket's window has ended: a new count, in which what is still in flight may land. */
  private rollOver(b: Bucket): void {
    if (b.resetMs === undefined || this.serverNow() < b.resetMs) return;
    b.endedMs = b.resetMs;
    b.used = b.inFlight;
    b.remaining = undefined;
    b.resetMs = undefined;
  }

  private adopt(template: string, h: RateHeaders): Bucket {
    for (const b of new Set(this.byTemplate.values())) {
      this.rollOver(b);
      // Same Limit and Reset; or a bucket between windows, answered from a later one: the first
      // answer of a new window must not make a second bucket (that would spend the share twice).
      if (b.limit === h.limit && (b.resetMs === h.resetMs || (b.resetMs === undefined && h.resetMs > b.endedMs))) {
        b.templates.add(template);
        b.used += 1; // the probe counted in this window
        this.byTemplate.set(template, b);
        return b;
      }
    }
    const b: Bucket = { limit: h.limit, resetMs: h.resetMs, endedMs: 0, remaining: undefined, used: 1, inFlight: 0, templates: new Set([template]), windowMs: undefined };
    this.byTemplate.set(template, b);
    return b;
  }

  private observe(b: Bucket, h: RateHeaders): void {
    if (h.resetMs <= b.endedMs) return; // a late answer from a window that is over
    if (b.resetMs === undefined || h.resetMs > b.resetMs) {
      const previousEnd = b.resetMs ?? (b.endedMs > 0 ? b.endedMs : undefined);
      if (previousEnd !== undefined) b.windowMs = Math.min(b.windowMs ?? Number.POSITIVE_INFINITY, h.resetMs - previousEnd);
      b.limit = h.limit;
      b.resetMs = h.resetMs;
      b.remaining = h.remaining;
    } else if (h.resetMs === b.resetMs) {
      b.remaining = Math.min(b.remaining ?? h.remaining, h.remaining);
    }
    // An answer from an earlier window (resetMs smaller) says nothing about this one.
  }

  private waitForChange(maxMs: number): Promise<void> {
    const abort = new AbortController();
    this.waiters.push(() => abort.abort());
    return this.clock.sleep(maxMs, abort.signal);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** Route template of a URL path: id-like segments (they carry digits, `@` or escapes) become `{id}`. */
export function routeTemplate(pathname: string): string {
  return pathname
    .replace(/\/{2,}/g, '/')
    .split('/')
    .map((seg) => (/^v\d+$|^oauth2$/.test(seg) || !/[\d@%]/.test(seg) ? seg : '{id}'))
    .join('/');
}
