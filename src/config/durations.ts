const DAY_MS = 24 * 60 * 60 * 1000;

export type Problem = { ok: false; problem: string; fix: string };
export type SinceResult = { ok: true; date: Date; days?: number } | Problem;

const DAYS = /^(\d+)d$/i;
// Date, or date and time with optional seconds, fraction and zone. Stricter than Date.parse,
// which would accept "March 7" and pick a year.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Parses a System Log start: `Nd` (N days before `now`) or an ISO date/date-time. A date or a
 * time without a zone is taken as UTC so the same config gives the same window on any machine.
 */
export function parseLogsSince(input: string, now: Date, maxDays: number): SinceResult {
  const value = input.trim();
  const fix = `Use e.g. 30d or ${isoDay(new Date(now.getTime() - 30 * DAY_MS))}, at most ${maxDays} days back`;

  const days = DAYS.exec(value);
  if (days) {
    const n = Number(days[1]);
    if (n < 1) return { ok: false, problem: `${quote(value)} is an empty window`, fix: 'Use at least 1d' };
    if (n > maxDays) {
      return {
        ok: false,
        problem: `${quote(value)} is more than ${maxDays} days back, beyond what the System Log keeps`,
        fix: `Use at most ${maxDays}d`,
      };
    }
    return { ok: true, date: new Date(now.getTime() - n * DAY_MS), days: n };
  }

  const iso = ISO.exec(value);
  if (!iso) {
    return { ok: false, problem: `${quote(value)} is neither a number of days like 30d nor an ISO date`, fix };
  }
  const [, y, mo, d, h, mi, , zone] = iso;
  const normalized = h === undefined ? `${value}T00:00:00Z` : zone === undefined ? `${value}Z` : value;
  const date = new Date(normalized);
  // Date rolls 2025-02-30 over to March; reject instead of guessing.
  const calendarOk =
    !Number.isNaN(date.getTime()) &&
    new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).toISOString().startsWith(`${y}-${mo}-${d}`) &&
    Number(h ?? 0) < 24 &&
    Number(mi ?? 0) < 60;
  if (!calendarOk) return { ok: false, problem: `${quote(value)} is not a valid date`, fix };
  if (date.getTime() > now.getTime()) return { ok: false, problem: `${quote(value)} is in the future`, fix };
  if (date.getTime() < now.getTime() - maxDays * DAY_MS) {
    return {
      ok: false,
      problem: `${quote(value)} is more than ${maxDays} days back, beyond what the System Log keeps`,
      fix: `Use a date on or after ${isoDay(new Date(now.getTime() - (maxDays - 1) * DAY_MS))}, or ${maxDays}d`,
    };
  }
  return { ok: true, date };
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}
