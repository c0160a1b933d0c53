/**
 * Cell values for every report writer. Text that came from Okta (logins, names, device names,
 * user agents, anything from raw JSON) may be hostile, so XLSX and CSV cells both pass through
 * {@link safeText}: it removes characters XML 1.0 forbids, neutralises formula injection (OWASP
 * "CSV Injection": a leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'` in front) and
 * caps the text at Excel's cell limit. Numbers the tool computed stay numbers.
 * @module
 */

/** Excel's hard limit on the characters in one cell. */
export const EXCEL_MAX_CELL_CHARS = 32_767;

/** Excel's limit on rows per sheet, header included. */
export const EXCEL_MAX_ROWS = 1_048_576;

/** What a writer receives from a column: a computed number, a date, text, or nothing. */
export type CellValue = string | number | Date | null | undefined;

// Characters a spreadsheet may read as the start of a formula or DDE payload.
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

// XML 1.0 allows tab, LF, CR and U+0020 upwards, minus the surrogate block (unless paired) and
// U+FFFE/U+FFFF. DEL is allowed but some readers choke on it, so it goes too.
const XML_FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// Cheap first test (no look-around): most text has none of these, emoji pairs only pass here.
const XML_SUSPECT = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Shown in place of a removed character, so a reader sees that something was there. */
export const REPLACEMENT_CHAR = '\uFFFD';

/** The visible ending of a cut cell; says how long the original was. */
export function truncationMarker(originalLength: number): string {
  return ` [… truncated by oie-audit: ${originalLength.toLocaleString('en-US')} characters in total]`;
}

/** True when a spreadsheet could take the text as a formula. */
export function startsLikeFormula(text: string): boolean {
  return text.length > 0 && FORMULA_TRIGGERS.has(text[0]!);
}

/** Replaces each character XML 1.0 cannot carry with U+FFFD. */
export function xmlSafe(text: string): string {
  return XML_SUSPECT.test(text) ? text.replace(XML_FORBIDDEN, REPLACEMENT_CHAR) : text;
}

/**
 * The text as a cell may hold it: XML-safe, a leading `'` if it starts like a formula, and at most
 * `max` characters (the end replaced by a marker that gives the original length).
 */
export function safeText(value: string, max: number = EXCEL_MAX_CELL_CHARS): string {
  let text = xmlSafe(value);
  if (startsLikeFormula(text)) text = `'${text}`;
  if (text.length <= max) return text;
  const marker = truncationMarker(value.length);
  let cut = Math.max(0, max - marker.length);
  // Never leave half of a surrogate pair (an emoji, say) before the marker.
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return text.slice(0, cut) + marker;
}

/**
 * Any value as display text: arrays joined with ", ", a flat object as "key: value" pairs,
 * anything nested as JSON, booleans as Yes/No.
 */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : toText(v))).join(', ');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.every(([, v]) => v === null || typeof v !== 'object')) return entries.map(([k, v]) => `${k}: ${toText(v)}`).join(', ');
  return JSON.stringify(value) ?? '';
}

// Okta and the tool write ISO-8601 UTC; anything else stays text rather than a guessed date.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;
// Excel's date system starts at 1900-01-01 and ends at 9999-12-31.
const EXCEL_MIN_MS = Date.UTC(1900, 2, 1); // before March 1900 Excel's serials are off by its 1900 leap-year bug
const EXCEL_MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, the form Okta and toISOString() write, read without a regular
 * expression or Date.parse: millions of date cells make this a measurable share of a report.
 * Undefined for any other form.
 */
function canonicalMs(v: string): number | undefined {
  if (v.length !== 24 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 ||
    v.charCodeAt(16) !== 58 || v.charCodeAt(19) !== 46 || v.charCodeAt(23) !== 90) return undefined;
  const y = digits(v, 0, 4);
  const mo = digits(v, 5, 2);
  const d = digits(v, 8, 2);
  const h = digits(v, 11, 2);
  const mi = digits(v, 14, 2);
  const s = digits(v, 17, 2);
  const ms = digits(v, 20, 3);
  if (!isCalendarDate(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59 || ms < 0) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

// Date.parse rolls 2023-02-30 over to March instead of rejecting it.
function isCalendarDate(y: number, mo: number, d: number): boolean {
  if (y < 0 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS_IN_MONTH[mo - 1]! + (leap ? 1 : 0);
}

/** An ISO-8601 timestamp as epoch milliseconds, or null if it is not one Excel can show as a date. */
export function timestampMs(value: string): number | null {
  const fast = canonicalMs(value);
  if (fast !== undefined) return fast >= EXCEL_MIN_MS && fast <= EXCEL_MAX_MS ? fast : null;
  if (!ISO_DATE_TIME.test(value) || !isCalendarDate(digits(value, 0, 4), digits(value, 5, 2), digits(value, 8, 2))) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= EXCEL_MIN_MS && ms <= EXCEL_MAX_MS ? ms : null;
}

/** An ISO-8601 timestamp as a Date, or null if the text is not one Excel can show as a date. */
export function parseTimestamp(value: string): Date | null {
  const ms = timestampMs(value);
  return ms === null ? null : new Date(ms);
}

/** Days since 1899-12-30, Excel's serial date; the time of day is the fraction. UTC throughout. */
export function excelSerial(date: Date | number): number {
  return (typeof date === 'number' ? date : date.getTime()) / 86_400_000 + 25_569;
}

/** Text for a CSV cell holding a date: ISO-8601 UTC, which Excel and scripts both read. */
export function isoText(date: Date): string {
  return date.toISOString();
}
