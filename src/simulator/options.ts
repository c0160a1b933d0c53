/** Simulator settings, shared by `oie-audit simulate`, `oie-audit demo` and the tests. */
import { randomBytes } from 'node:crypto';
import type { FixtureFile, Pipeline } from './org/types.js';
import { NO_FAULTS, type FaultSpec } from './faults.js';
import type { OAuthClientConfig } from './auth.js';

export interface SimulatorOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  users: number;
  seed: number;
  pipeline: Pipeline;
  /** A fixture file path or its parsed content; replaces the generated org. */
  fixture?: string | FixtureFile;
  /** The API token (`SSWS <token>`) the org accepts. */
  token: string;
  /** Scopes the API token's admin role carries; all read scopes by default. */
  tokenScopes?: string[];
  oauthClients: OAuthClientConfig[];
  /** Rate-limit window length: 60,000 ms as at Okta; shorter to compress time for benchmarks. */
  windowMs: number;
  /** Per-bucket limits replacing the published defaults (`--limit BUCKET=N`). */
  limits: Record<string, number>;
  concurrencyLimit: number;
  /** Fixed latency added to every response, plus a seeded jitter of up to half of it. */
  latencyMs: number;
  faults: FaultSpec;
  /** The org's "now" (log window, dates); default the current time. With `day`: day 0's start. */
  now?: Date;
  /**
   * Serve the generated org as it is this many days after day 0 (its history of changes), on a
   * clock that starts at 00:00 UTC of that day: Date headers, rate-limit resets, the log's present.
   */
  day?: number;
  /** Serve the Classic org (pipeline v1) as its upgrade to Identity Engine left it. */
  upgraded?: boolean;
}

/** Okta API tokens are `00` followed by 40 url-safe characters. */
export function newApiToken(): string {
  return `00${randomBytes(30).toString('base64url').slice(0, 40)}`;
}

export function withDefaults(opts: Partial<SimulatorOptions>): SimulatorOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    users: 1000,
    seed: 1,
    pipeline: 'idx',
    token: newApiToken(),
    oauthClients: [],
    windowMs: 60_000,
    limits: {},
    concurrencyLimit: 75,
    latencyMs: 0,
    faults: NO_FAULTS,
    ...opts,
  };
}
