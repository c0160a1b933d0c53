/**
 * Crawl progress: a bar on a terminal (users done/total, requests/s, 429s, ETA), a plain line every
 * `intervalMs` otherwise, nothing with --quiet.
 */
import cliProgress from 'cli-progress';
import type { Logger } from '../log.js';

export interface ProgressState {
  usersDone: number;
  usersTotal: number;
  /** True while users are still being listed, so the total may grow. */
  listing: boolean;
  requestsPerSecond: number;
  rateLimited: number;
  etaSeconds: number | null;
}

export interface Progress {
  update(state: ProgressState): void;
  stop(): void;
}

export function createProgress(opts: { tty: boolean; quiet: boolean; logger: Logger; intervalMs?: number }): Progress {
  if (opts.quiet) return { update: () => undefined, stop: () => undefined };
  if (opts.tty) {
    const bars = new cliProgress.MultiBar({
      format: 'users {value}/{total}{more} | {rps} req/s | 429s {limited} | ETA {eta}',
      hideCursor: true, stream: process.stderr, clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    const bar = bars.create(1, 0, { more: '', rps: '0', limited: 0, eta: '?' });
    return {
      update: (s) => {
        bar.setTotal(Math.max(1, s.usersTotal));
        bar.update(s.usersDone, { more: s.listing ? '+' : '', rps: s.requestsPerSecond.toFixed(1), limited: s.rateLimited, eta: formatEta(s.etaSeconds) });
      },
      stop: () => bars.stop(),
    };
  }
  const every = opts.intervalMs ?? 10_000;
  let last = 0;
  return {
    update: (s) => {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      opts.logger.info({ usersDone: s.usersDone, usersTotal: s.usersTotal, listing: s.listing, requestsPerSecond: Number(s.requestsPerSecond.toFixed(1)), rateLimited: s.rateLimited, etaSeconds: s.etaSeconds },
        `users ${s.usersDone}/${s.usersTotal}${s.listing ? '+' : ''}, ${s.requestsPerSecond.toFixed(1)} req/s, 429s ${s.rateLimited}, ETA ${formatEta(s.etaSeconds)}`);
    },
    stop: () => undefined,
  };
}

/** Route templates every user costs one request each. */
export const PER_USER_TEMPLATES: readonly string[] = ['/api/v1/users/{id}/factors', '/api/v1/users/{id}/authenticator-enrollments'];

export interface BudgetView {
  templates: readonly string[];
  quota: number;
  windowMs: number | undefined;
}

/**
 * Time the remaining users need at the crawl's own budget: per bucket, their requests over the
 * bucket's share per window, times the window length; the slowest bucket decides. Null until a
 * per-user bucket has shown its window length (the first rollover).
 */
export function budgetEtaSeconds(buckets: readonly BudgetView[], remainingUsers: number): number | null {
  let eta: number | null = null;
  for (const b of buckets) {
    const perUser = b.templates.filter((t) => PER_USER_TEMPLATES.includes(t)).length;
    if (perUser === 0) continue;
    if (b.windowMs === undefined || b.quota <= 0) return null;
    const seconds = ((remainingUsers * perUser) / b.quota) * (b.windowMs / 1000);
    eta = Math.max(eta ?? 0, seconds);
  }
  return eta;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
