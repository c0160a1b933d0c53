/** The real clock; tests of timing logic inject their own. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './rate_budget.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined).catch(() => undefined),
};
