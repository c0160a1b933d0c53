/**
 * The Okta client: the SDK's `Client` (auth, DPoP, user agent) over our executor, read as raw JSON.
 * The SDK's typed models drop fields the audit needs (unknown properties, push `profile.keys`,
 * Classic `settings.factors`) and `listAuthenticatorEnrollments` returns `{}`, so lists go through
 * the SDK's `Collection` over `client.http` and single objects through `client.http.http`.
 */
import okta from '@okta/okta-sdk-nodejs';
import { AuditRequestExecutor, type ExecutorSettings } from './executor.js';
import { systemClock } from './clock.js';
import type { Clock } from './rate_budget.js';

export type OktaAuth =
  | { mode: 'SSWS'; token: string }
  | { mode: 'PrivateKey'; clientId: string; scopes: string[]; privateKey: string; keyId?: string | undefined };

export interface ClientSettings {
  orgUrl: string;
  auth: OktaAuth;
  maxShare: number;
  concurrency: number;
  requestTimeoutMs: number;
  maxRetries: number;
  userAgent?: string;
  clock?: Clock;
  backoffBaseMs?: number;
}

export type JsonObject = Record<string, unknown>;

export interface Page {
  /** The URL this page was read from (a resume point). */
  url: string;
  items: JsonObject[];
  /** The `rel="next"` URL, or null on the last page. */
  next: string | null;
}

export class OktaReader {
  readonly client: okta.Client;
  readonly executor: AuditRequestExecutor;
  readonly orgUrl: string;

  constructor(s: ClientSettings) {
    this.orgUrl = s.orgUrl.replace(/\/+$/, '');
    const exec: ExecutorSettings = {
      orgUrl: this.orgUrl, maxShare: s.maxShare, concurrency: s.concurrency, requestTimeoutMs: s.requestTimeoutMs,
      maxRetries: s.maxRetries, clock: s.clock ?? systemClock,
      ...(s.backoffBaseMs !== undefined ? { backoffBaseMs: s.backoffBaseMs } : {}),
    };
    this.executor = new AuditRequestExecutor(exec);
    // Every setting is passed, '' where unused: the SDK merges ~/.okta/okta.yaml, ./okta.yaml and
    // OKTA_CLIENT_* under what it is given, and would otherwise fill the gaps from them.
    const common = { orgUrl: this.orgUrl, cacheMiddleware: null, requestExecutor: this.executor, userAgent: s.userAgent ?? 'oie-audit' };
    this.client = s.auth.mode === 'SSWS'
      ? new okta.Client({ ...common, authorizationMode: 'SSWS', token: s.auth.token, clientId: '', privateKey: '', keyId: '' })
      : new okta.Client({
        ...common, authorizationMode: 'PrivateKey', token: '', clientId: s.auth.clientId, scopes: s.auth.scopes,
        privateKey: s.auth.privateKey, keyId: s.auth.keyId ?? '',
      });
  }

  /**
   * The org's clock: the `Date` of its answer to the (unauthenticated) org metadata. The System
   * Log window is measured on it, so a skewed local clock neither misses nor repeats events.
   */
  async serverTime(): Promise<Date> {
    const res = await this.client.http.http(this.url('/.well-known/okta-organization'), { method: 'GET', headers: { Accept: 'application/json' } });
    const date = Date.parse(res.headers.get('date') ?? '');
    await res.text();
    return Number.isFinite(date) ? new Date(date) : new Date();
  }

  /** One object as served. */
  async getJson(path: string): Promise<unknown> {
    const res = await this.client.http.http(this.url(path), { method: 'GET', headers: { Accept: 'application/json' } });
    return res.json();
  }

  /**
   * Pages of raw JSON, following `Link: rel="next"` as Okta serves it. A `next` that names the
   * page just read (a polling log query, or a broken server) would be followed forever: it fails.
   */
  async *pages(pathOrUrl: string): AsyncGenerator<Page> {
    const collection = new okta.Collection<JsonObject>(this.client.http, this.url(pathOrUrl), {} as never,
      { method: 'GET', headers: { Accept: 'application/json' } });
    while (collection.nextUri) {
      const url = collection.nextUri;
      const items = await collection.getNextPage();
      const next = collection.nextUri ?? null;
      if (next === url) throw new Error(`${new URL(url).pathname}: the next page link names the page just read; stopped instead of reading it forever`);
      yield { url, items: Array.isArray(items) ? items : [], next };
    }
  }

  private url(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.orgUrl}${pathOrUrl}`;
  }
}
