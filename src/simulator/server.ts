/**
 * The simulator's HTTP pipeline. Order per request: collapse `//`; stats endpoint; read-only guard
 * (any non-GET except the token endpoint is refused and counted); rate limit and concurrency;
 * latency; authentication and scope; injected fault; the endpoint; Okta's headers on every answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OrgSource } from './org/types.js';
import { createGeneratedOrg } from './org/generated.js';
import { fixtureOrg, loadFixture } from './org/fixture.js';
import { withDefaults, type SimulatorOptions } from './options.js';
import { RateLimits, type RateHeaders } from './rate_limits.js';
import { FaultInjector, draw } from './faults.js';
import { StatsRecorder, type SimulatorStats } from './stats.js';
import { errors, oktaRequestId, type OktaErrorResponse } from './okta_errors.js';
import { matchRoute } from './routes.js';
import { SimulatorAuth } from './auth.js';
import type { HandlerResult, JsonResponse } from './http_types.js';

export interface SimulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:43210`. */
  readonly url: string;
  readonly token: string;
  readonly source: OrgSource;
  readonly options: SimulatorOptions;
  stats(): SimulatorStats;
  close(): Promise<void>;
}

const TOKEN_PATH = '/oauth2/v1/token';
const DAY_MS = 86_400_000;
const MAX_BODY = 64 * 1024;

export async function startSimulator(partial: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  const options = withDefaults(partial);
  if (options.day !== undefined && (!Number.isSafeInteger(options.day) || options.day < 0)) throw new RangeError(`day must be a whole number >= 0, got ${options.day}`);
  if (options.fixture && (options.day !== undefined || options.upgraded)) throw new RangeError('a fixture has no history: day and upgraded apply to the generated org only');
  // The org's clock: real time, or with `day` 00:00 UTC of that day plus the time since start.
  const started = Date.now();
  const dayZero = options.now?.getTime() ?? Math.floor(started / DAY_MS) * DAY_MS;
  const clock = options.day === undefined ? Date.now : () => dayZero + options.day! * DAY_MS + (Date.now() - started);
  const limits = new RateLimits(options.windowMs, options.limits, options.concurrencyLimit, clock);
  const faults = new FaultInjector(options.faults);
  const stats = new StatsRecorder();
  let baseUrl = '';
  let source: OrgSource | undefined;
  const auth = new SimulatorAuth({
    apiToken: options.token,
    ...(options.tokenScopes ? { apiTokenScopes: options.tokenScopes } : {}),
    clients: options.oauthClients,
    baseUrl: () => baseUrl,
  });
  let seq = 0;

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, errors.internal(), undefined);
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.request();
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/');
    const url = new URL(path + (q < 0 ? '' : raw.slice(q)), baseUrl);

    if (path === '/__simulator/stats' && method === 'GET') {
      sendJson(res, 200, stats.snapshot(), undefined);
      return;
    }
    if (path === TOKEN_PATH && method === 'POST') {
      await admitted(res, 'oauth2_token', async () => {
        const body = await readBody(req);
        const out = await auth.handleTokenRequest({ headers: headerRecord(req), body });
        return { status: out.status, body: out.body, headers: out.headers };
      });
      return;
    }
    if (method !== 'GET') {
      stats.nonGet(method, path);
      req.resume();
      send(res, errors.methodNotAllowed(), undefined);
      return;
    }
    const match = matchRoute(path);
    await admitted(res, match?.route.bucket ?? 'api_v1', async () => {
      if (!match) return errors.notFound(path.slice(0, 200));
      if (match.route.scope !== null) {
        const who = await auth.authenticate({ method, url: url.href, headers: headerRecord(req) });
        if (!who.ok) return errors.invalidToken();
        if (!who.scopes.has(match.route.scope)) return errors.forbidden();
      }
      const fault = faults.decide(method, path + url.search);
      if (fault) {
        stats.fault(fault);
        if (fault === 'reset') return 'reset';
        if (fault === 'slow') await sleep(options.faults.slowMs);
        if (fault === '500') return errors.internal();
        if (fault === '502' || fault === '503') return { status: Number(fault), html: true };
      }
      const result = runHandler(() => match.route.handler({
        source: source!, url, params: match.params, baseUrl, now: options.day === undefined ? (options.now ?? new Date()) : new Date(clock()),
        isDeleted: (id) => faults.isDeleted(id),
      }));
      return fault === 'malformed' && result.status === 200 ? { ...result, malformed: true } : result;
    });
  }

  type Outcome = HandlerResult & { headers?: Record<string, string>; malformed?: boolean } | { status: number; html: true } | 'reset';

  /** Rate-limit the request, hold it for the latency, then answer with the outcome of `work`. */
  async function admitted(res: http.ServerResponse, bucket: string, work: () => Promise<Outcome>): Promise<void> {
    const decision = limits.admit(bucket);
    const limit = limits.limitOf(decision.bucket);
    if (!decision.ok) {
      stats.rejected(decision.bucket, decision.windowStart, limit, decision.cause);
      send(res, errors.rateLimited(), decision.headers);
      return;
    }
    stats.served(bucket, decision.bucket, decision.windowStart, limit);
    stats.concurrency(limits.inFlight, decision.bucket, decision.windowStart, limit);
    let released = false;
    const release = () => { if (!released) { released = true; limits.release(); } };
    res.on('close', release);
    try {
      if (options.latencyMs > 0) {
        seq += 1;
        await sleep(options.latencyMs + Math.floor(draw(options.seed, 'latency', String(seq)) * (options.latencyMs / 2)));
      }
      const outcome = await work();
      if (res.destroyed) return;
      if (outcome === 'reset') { res.socket?.destroy(); return; }
      if ('html' in outcome) {
        stats.status(outcome.status);
        res.writeHead(outcome.status, { 'Content-Type': 'text/html', Date: new Date(clock()).toUTCString(), ...rateHeaders(decision.headers) });
        res.end(`<html><body><h1>${outcome.status} ${http.STATUS_CODES[outcome.status]}</h1></body></html>`);
        return;
      }
      send(res, outcome, decision.headers);
    } finally {
      release();
    }
  }

  function send(res: http.ServerResponse, r: Exclude<Outcome, 'reset' | { html: true }>, rate: RateHeaders | undefined): void {
    const extra = 'headers' in r && r.headers ? r.headers : {};
    const links = 'links' in r ? (r as JsonResponse).links : undefined;
    const malformed = 'malformed' in r && r.malformed === true;
    sendJson(res, r.status, r.body, rate, { ...extra, ...(links ? { Link: links } : {}) }, malformed);
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown, rate: RateHeaders | undefined,
    extra: Record<string, string | string[]> = {}, malformed = false): void {
    stats.status(status);
    let text = JSON.stringify(body);
    if (malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    res.writeHead(status, {
      'Content-Type': 'application/json',
      // Explicit, so that a simulated day's clock is the one clients see.
      Date: new Date(clock()).toUTCString(),
      'Content-Length': Buffer.byteLength(text),
      'X-Okta-Request-Id': oktaRequestId(),
      ...(rate ? rateHeaders(rate) : {}),
      ...extra,
    });
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  try {
    source = makeSource(options, baseUrl, dayZero);
  } catch (e) {
    server.close();
    throw e;
  }

  return {
    url: baseUrl,
    token: options.token,
    source,
    options,
    stats: () => stats.snapshot(),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function makeSource(o: SimulatorOptions, baseUrl: string, dayZero: number): OrgSource {
  if (typeof o.fixture === 'string') return loadFixture(o.fixture);
  if (o.fixture) return fixtureOrg(o.fixture);
  const now = o.day !== undefined ? new Date(dayZero) : o.now;
  return createGeneratedOrg({
    users: o.users, seed: o.seed, pipeline: o.pipeline, baseUrl, ...(now ? { now } : {}),
    ...(o.day !== undefined ? { day: o.day } : {}), ...(o.upgraded ? { upgraded: true } : {}),
  });
}

/** Query parsers throw Okta error bodies (`errorCode`…) for a bad request: answer them as 400s. */
function runHandler(fn: () => HandlerResult): HandlerResult {
  try {
    return fn();
  } catch (e) {
    const err = e as { errorCode?: unknown; errorSummary?: unknown; errorCauses?: { errorSummary: string }[] };
    if (typeof err.errorCode === 'string' && typeof err.errorSummary === 'string') {
      const r: OktaErrorResponse = errors.validation('');
      r.body.errorCode = err.errorCode;
      r.body.errorLink = err.errorCode;
      r.body.errorSummary = err.errorSummary;
      r.body.errorCauses = err.errorCauses ?? [];
      return r;
    }
    throw e;
  }
}

function rateHeaders(r: RateHeaders): Record<string, string> {
  return {
    'X-Rate-Limit-Limit': String(r.limit),
    'X-Rate-Limit-Remaining': String(r.remaining),
    'X-Rate-Limit-Reset': String(r.resetEpochSeconds),
  };
}

function headerRecord(req: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
