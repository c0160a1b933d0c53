/**
 * The request executor every SDK call goes through (API calls and the OAuth token request alike).
 *
 * - Read-only by construction: anything but GET to the org, or POST to the org's token endpoint,
 *   is refused before the network. So is any URL outside the org: a `Link` header pointing
 *   elsewhere must never receive our credentials.
 * - Proactive rate limiting (RateBudget) and a cap on requests in flight that halves on a
 *   concurrency 429 and grows back slowly.
 * - A concurrency 429 is retried after a short jittered pause, a quota 429 after the window's
 *   reset; 5xx, connection errors, timeouts and malformed JSON bodies are retried with capped
 *   exponential backoff and jitter, then surface as errors the crawler records.
 * - Bodies are read here (so a malformed or truncated body is retried like any transient fault)
 *   and handed back to the SDK as a node-fetch Response, as its own executor would.
 */
import okta from '@okta/okta-sdk-nodejs';
import { Response } from 'node-fetch';
import pLimit, { type LimitFunction } from 'p-limit';
import { AuditError } from '../errors.js';
import { RateBudget, routeTemplate, type Clock, type RateHeaders } from './rate_budget.js';

export interface ExecutorSettings {
  orgUrl: string;
  maxShare: number;
  concurrency: number;
  requestTimeoutMs: number;
  /** Retries of 5xx, network errors, timeouts and malformed bodies. */
  maxRetries: number;
  /** First backoff step; doubles per attempt up to `backoffCapMs`. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  clock: Clock;
  random?: () => number;
}

export interface ExecutorMetrics {
  requests: number;
  responses: number;
  retries: number;
  quota429: number;
  concurrency429: number;
  transientFailures: number;
  peakInFlight: number;
  concurrency: number;
}

/** What the SDK passes to `fetch`: node-fetch options plus the URL. */
type SdkRequest = Parameters<okta.RequestExecutor['fetch']>[0];

/** Concurrency 429s are retried without limit on count but not on time: a stuck org is an error. */
const MAX_RATE_WAITS = 50;
const TOKEN_PATH = '/oauth2/v1/token';

export class AuditRequestExecutor extends okta.RequestExecutor {
  readonly budget: RateBudget;
  private readonly limit: LimitFunction;
  private readonly origin: string;
  private readonly random: () => number;
  private inFlight = 0;
  private successesSinceShrink = 0;
  private readonly m: ExecutorMetrics;

  constructor(private readonly s: ExecutorSettings) {
    super();
    this.origin = new URL(s.orgUrl).origin;
    this.budget = new RateBudget(s.maxShare, s.clock);
    this.limit = pLimit(s.concurrency);
    this.random = s.random ?? Math.random;
    this.m = { requests: 0, responses: 0, retries: 0, quota429: 0, concurrency429: 0, transientFailures: 0, peakInFlight: 0, concurrency: s.concurrency };
  }

  metrics(): ExecutorMetrics {
    return { ...this.m, concurrency: this.limit.concurrency };
  }

  override async fetch(request: SdkRequest): Promise<Response> {
    const url = this.guard(request);
    const template = routeTemplate(url.pathname);
    let transient = 0;
    let rateWaits = 0;
    for (;;) {
      const ticket = await this.budget.acquire(template);
      const attempt = await this.limit(() => this.attempt(request));
      this.budget.settle(ticket, attempt.rate, attempt.dateMs);
      if (attempt.kind === 'response') {
        const { response } = attempt;
        if (response.status === 429 && rateWaits < MAX_RATE_WAITS) {
          rateWaits += 1;
          this.m.retries += 1;
          if (attempt.rate && attempt.rate.limit > 0) {
            this.m.quota429 += 1;
            await this.budget.waitForReset(attempt.rate);
          } else {
            this.m.concurrency429 += 1;
            this.shrink();
            await this.s.clock.sleep(100 + this.random() * 400);
          }
          continue;
        }
        if (!isTransientStatus(response.status) || transient >= this.s.maxRetries) {
          this.grow();
          return response;
        }
      } else if (transient >= this.s.maxRetries) {
        throw attempt.error;
      }
      transient += 1;
      this.m.transientFailures += 1;
      this.m.retries += 1;
      await this.s.clock.sleep(this.backoff(transient));
    }
  }

  /** Refuse, before the network, anything that is not a read of this org. */
  private guard(request: SdkRequest): URL {
    let url: URL;
    try {
      url = new URL(request.url ?? '');
    } catch {
      throw new AuditError('ERR_READ_ONLY_VIOLATION', `refused a request to a malformed URL`);
    }
    const method = (request.method ?? 'GET').toUpperCase();
    if (url.origin !== this.origin) {
      throw new AuditError('ERR_READ_ONLY_VIOLATION', `refused a request to ${url.origin}, which is not the configured org ${this.origin}`);
    }
    const tokenRequest = method === 'POST' && url.pathname === TOKEN_PATH;
    if (method !== 'GET' && !tokenRequest) {
      throw new AuditError('ERR_READ_ONLY_VIOLATION', `refused ${method} ${url.pathname}: oie-audit only reads from Okta`);
    }
    return url;
  }

  private async attempt(request: SdkRequest): Promise<Attempt> {
    this.m.requests += 1;
    this.inFlight += 1;
    this.m.peakInFlight = Math.max(this.m.peakInFlight, this.inFlight);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.s.requestTimeoutMs);
    try {
      const res = await super.fetch({ ...request, signal: abort.signal as SdkRequest['signal'] });
      const text = await res.text();
      this.m.responses += 1;
      const rate = rateHeaders(res.headers);
      const dateMs = Date.parse(res.headers.get('date') ?? '');
      const response = new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers, url: res.url });
      if (res.status >= 200 && res.status < 300 && isJson(res.headers.get('content-type'))) {
        const parsed = parse(text);
        if (parsed === MALFORMED) {
          return { kind: 'error', error: new Error(`malformed JSON body from ${new URL(request.url ?? '').pathname}`), rate, dateMs };
        }
        // Parsed once here to catch truncated bodies; the SDK gets that value instead of parsing again.
        response.json = () => Promise.resolve(parsed);
      }
      return { kind: 'response', response, rate, dateMs };
    } catch (e) {
      const reason = abort.signal.aborted ? `no answer within ${this.s.requestTimeoutMs} ms` : (e as Error).message;
      return { kind: 'error', error: new Error(`${new URL(request.url ?? '').pathname}: ${reason}`), rate: undefined, dateMs: undefined };
    } finally {
      clearTimeout(timer);
      this.inFlight -= 1;
    }
  }

  private backoff(attempt: number): number {
    const base = this.s.backoffBaseMs ?? 500;
    const cap = this.s.backoffCapMs ?? 20_000;
    return Math.min(cap, base * 2 ** (attempt - 1)) * (0.5 + this.random() / 2);
  }

  private shrink(): void {
    this.limit.concurrency = Math.max(1, Math.floor(this.limit.concurrency / 2));
    this.successesSinceShrink = 0;
  }

  /** Add one slot back per 50 clean answers, up to the configured cap. */
  private grow(): void {
    if (this.limit.concurrency >= this.s.concurrency) return;
    this.successesSinceShrink += 1;
    if (this.successesSinceShrink >= 50) {
      this.limit.concurrency += 1;
      this.successesSinceShrink = 0;
    }
  }
}

type Attempt =
  | { kind: 'response'; response: Response; rate: RateHeaders | undefined; dateMs: number }
  | { kind: 'error'; error: Error; rate: RateHeaders | undefined; dateMs: number | undefined };

function isTransientStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
}

function rateHeaders(h: { get(name: string): string | null }): RateHeaders | undefined {
  const limit = Number(h.get('x-rate-limit-limit'));
  const remaining = Number(h.get('x-rate-limit-remaining'));
  const reset = Number(h.get('x-rate-limit-reset'));
  if (!h.get('x-rate-limit-limit') || !Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset)) return undefined;
  return { limit, remaining, resetMs: reset * 1000 };
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /\bjson\b/i.test(contentType);
}

const MALFORMED = Symbol('malformed');

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return MALFORMED;
  }
}
