/**
 * What the simulator saw, for tests (in-process) and for `GET /__simulator/stats`: per bucket and
 * per window the requests served, the peak concurrency, 429s by cause; and every non-GET attempt
 * on a management path, which the audit must never send.
 */
export interface WindowStats {
  windowStart: string;
  limit: number;
  requests: number;
  peakConcurrency: number;
  rejectedQuota: number;
  rejectedConcurrency: number;
}

export interface SimulatorStats {
  totalRequests: number;
  peakConcurrency: number;
  byStatus: Record<string, number>;
  faults: Record<string, number>;
  nonGetAttempts: { count: number; recent: { method: string; path: string }[] };
  buckets: Record<string, { limit: number; windows: WindowStats[] }>;
  /** Requests admitted per endpoint class (a route's own bucket name, e.g. user_factors), whichever bucket they counted against. */
  byEndpoint: Record<string, number>;
}

export class StatsRecorder {
  private totalRequests = 0;
  private peakConcurrency = 0;
  private readonly byStatus = new Map<number, number>();
  private readonly faults = new Map<string, number>();
  private nonGetCount = 0;
  private readonly nonGetRecent: { method: string; path: string }[] = [];
  private readonly buckets = new Map<string, { limit: number; windows: Map<number, WindowStats> }>();
  private readonly byEndpoint = new Map<string, number>();

  request(): void {
    this.totalRequests += 1;
  }

  concurrency(inFlight: number, bucket: string, windowStart: number, limit: number): void {
    this.peakConcurrency = Math.max(this.peakConcurrency, inFlight);
    const w = this.window(bucket, windowStart, limit);
    w.peakConcurrency = Math.max(w.peakConcurrency, inFlight);
  }

  served(endpoint: string, bucket: string, windowStart: number, limit: number): void {
    this.window(bucket, windowStart, limit).requests += 1;
    this.byEndpoint.set(endpoint, (this.byEndpoint.get(endpoint) ?? 0) + 1);
  }

  rejected(bucket: string, windowStart: number, limit: number, cause: 'quota' | 'concurrency'): void {
    const w = this.window(bucket, windowStart, limit);
    if (cause === 'quota') w.rejectedQuota += 1;
    else w.rejectedConcurrency += 1;
  }

  status(code: number): void {
    this.byStatus.set(code, (this.byStatus.get(code) ?? 0) + 1);
  }

  fault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  nonGet(method: string, path: string): void {
    this.nonGetCount += 1;
    if (this.nonGetRecent.length < 100) this.nonGetRecent.push({ method, path });
  }

  snapshot(): SimulatorStats {
    const buckets: SimulatorStats['buckets'] = {};
    for (const [name, b] of this.buckets) {
      buckets[name] = { limit: b.limit, windows: [...b.windows.values()].map((w) => ({ ...w })) };
    }
    return {
      totalRequests: this.totalRequests,
      peakConcurrency: this.peakConcurrency,
      byStatus: Object.fromEntries([...this.byStatus].map(([k, v]) => [String(k), v])),
      faults: Object.fromEntries(this.faults),
      nonGetAttempts: { count: this.nonGetCount, recent: [...this.nonGetRecent] },
      buckets,
      byEndpoint: Object.fromEntries(this.byEndpoint),
    };
  }

  private window(bucket: string, windowStart: number, limit: number): WindowStats {
    let b = this.buckets.get(bucket);
    if (!b) this.buckets.set(bucket, (b = { limit, windows: new Map() }));
    let w = b.windows.get(windowStart);
    if (!w) {
      w = { windowStart: new Date(windowStart).toISOString(), limit, requests: 0, peakConcurrency: 0, rejectedQuota: 0, rejectedConcurrency: 0 };
      b.windows.set(windowStart, w);
    }
    return w;
  }
}
