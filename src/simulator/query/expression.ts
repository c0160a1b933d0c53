/**
 * Okta's SCIM-like filter language, shared by `/api/v1/users` (`search`, `filter`) and
 * `/api/v1/logs` (`filter`): `attr op "value"` joined by `and` / `or`, grouped with `()`.
 *
 * Sources: Okta "Core Okta API" Filter/Operators (okta-developer-docs `reference/core-okta-api`),
 * the `listUsers` / `listLogEvents` parameter descriptions in the management spec, and the System
 * Log query guide (`reference/system-log-query`, section Errors).
 * - Attribute names are case-sensitive; operators and keywords are not.
 * - Literals are JSON strings, numbers, `true` / `false` / `null`.
 * - `and` binds tighter than `or`; parentheses group.
 * - `not (…)` is listed as a logical operator in the core docs. Users `filter` rejects it
 *   (spec), so callers switch it off per endpoint.
 * - Positions are 0-based, as in Okta's own message: `display_message eqq "…"` reports
 *   "Unrecognized attribute operator 'eqq' at position 16".
 * The tokenizer is a single left-to-right scan (no regular expressions run on the input) and the
 * parser is recursive only through parentheses, whose depth is capped.
 */
import { oktaError, type OktaErrorResponse } from '../okta_errors.js';

export type Operator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'sw' | 'co' | 'ew' | 'pr';
export const ALL_OPERATORS: readonly Operator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'pr', 'gt', 'ge', 'lt', 'le'];

export type Literal = string | number | boolean | null;

export type Expression =
  | { kind: 'compare'; path: string; op: Operator; value: Literal; position: number }
  | { kind: 'present'; path: string; position: number }
  | { kind: 'and'; children: Expression[] }
  | { kind: 'or'; children: Expression[] }
  | { kind: 'not'; child: Expression };

export interface ParseOptions {
  /** Operators the endpoint accepts; any other is "Unrecognized attribute operator". */
  operators?: readonly Operator[];
  allowNot?: boolean;
  /** Okta only says an overly long or complex query "can result in an error"; these caps are ours. */
  maxLength?: number;
  maxDepth?: number;
}

export const DEFAULT_MAX_LENGTH = 4096;
export const DEFAULT_MAX_DEPTH = 32;

/** A malformed expression. `position` is a 0-based offset into the text. */
export class ExpressionError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'ExpressionError';
    this.position = position;
  }
}

/** A request Okta would answer with 400; carries Okta's error code and summary. */
export class QueryError extends Error {
  readonly status = 400;
  readonly errorCode: string;
  readonly errorSummary: string;
  readonly errorCauses: { errorSummary: string }[];
  constructor(errorCode: string, errorSummary: string, causes: string[] = []) {
    super(`${errorCode}: ${errorSummary}`);
    this.name = 'QueryError';
    this.errorCode = errorCode;
    this.errorSummary = errorSummary;
    this.errorCauses = causes.map((c) => ({ errorSummary: c }));
  }
  toOktaError(): OktaErrorResponse {
    return oktaError(this.status, this.errorCode, this.errorSummary, this.errorCauses.map((c) => c.errorSummary));
  }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

type Token =
  | { type: 'lparen' | 'rparen' | 'end'; pos: number }
  | { type: 'word'; text: string; pos: number }
  | { type: 'string'; value: string; pos: number };

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Anything up to a space, parenthesis or quote is one word: attribute, operator, keyword or number. */
function isWordChar(c: string): boolean {
  return !isSpace(c) && c !== '(' && c !== ')' && c !== '"';
}

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function describe(t: Token): string {
  switch (t.type) {
    case 'end': return 'end of input';
    case 'lparen': return "'('";
    case 'rparen': return "')'";
    case 'word': return `'${clip(t.text)}'`;
    case 'string': return `string "${clip(t.value)}"`;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) { i++; continue; }
    if (c === '(') { tokens.push({ type: 'lparen', pos: i }); i++; continue; }
    if (c === ')') { tokens.push({ type: 'rparen', pos: i }); i++; continue; }
    if (c === '"') {
      const [value, next] = readString(text, i);
      tokens.push({ type: 'string', value, pos: i });
      i = next;
      continue;
    }
    const start = i;
    while (i < text.length && isWordChar(text[i]!)) i++;
    tokens.push({ type: 'word', text: text.slice(start, i), pos: start });
  }
  tokens.push({ type: 'end', pos: text.length });
  return tokens;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A JSON string literal ("String literals must be valid JSON strings", core docs). */
function readString(text: string, start: number): [string, number] {
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return [out, i + 1];
    if (c === '\\') {
      const e = text[i + 1];
      if (e === undefined) break;
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new ExpressionError(`Invalid \\u escape at position ${i}. Expected: 4 hex digits`, i);
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const simple = SIMPLE_ESCAPES[e];
      if (simple === undefined) {
        throw new ExpressionError(`Invalid escape '\\${e}' at position ${i}. Expected: one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`, i);
      }
      out += simple;
      i += 2;
      continue;
    }
    if (c < ' ') {
      throw new ExpressionError(`Unescaped control character in string at position ${i}`, i);
    }
    out += c;
    i++;
  }
  throw new ExpressionError(`Unterminated string starting at position ${start}. Expected: closing '"'`, start);
}

// ---------------------------------------------------------------------------------------------
// Parser

/** Dotted attribute path: identifier segments of letters, digits, `_` and `$`. */
function isAttributePath(s: string): boolean {
  if (s.length === 0) return false;
  let segmentStart = true;
  for (const c of s) {
    if (c === '.') {
      if (segmentStart) return false;
      segmentStart = true;
      continue;
    }
    const letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$';
    const digit = c >= '0' && c <= '9';
    if (segmentStart ? !letter : !(letter || digit)) return false;
    segmentStart = false;
  }
  return !segmentStart;
}

const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

class Parser {
  private index = 0;
  private depth = 0;
  private readonly operators: readonly Operator[];
  private readonly allowNot: boolean;
  private readonly maxDepth: number;

  constructor(private readonly tokens: Token[], options: ParseOptions) {
    this.operators = options.operators ?? ALL_OPERATORS;
    this.allowNot = options.allowNot ?? true;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  parse(): Expression {
    const expr = this.orExpr();
    const t = this.peek();
    if (t.type !== 'end') {
      const expected = t.type === 'rparen' ? "Unbalanced ')'" : `Unexpected ${describe(t)}`;
      throw new ExpressionError(`${expected} at position ${t.pos}. Expected: and, or, end of input`, t.pos);
    }
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  private isKeyword(t: Token, keyword: string): boolean {
    return t.type === 'word' && t.text.toLowerCase() === keyword;
  }

  // Lists are built flat so `a or b or … ` (thousands of terms) never nests the AST deeply.
  private orExpr(): Expression {
    const children = [this.andExpr()];
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      children.push(this.andExpr());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private andExpr(): Expression {
    const children = [this.term()];
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      children.push(this.term());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private term(): Expression {
    const t = this.peek();
    if (t.type === 'lparen') return this.group();
    if (this.isKeyword(t, 'not') && this.tokens[this.index + 1]?.type === 'lparen') {
      if (!this.allowNot) {
        throw new ExpressionError(`Logical operator 'not' at position ${t.pos} is not supported. Expected: and, or`, t.pos);
      }
      this.next();
      return { kind: 'not', child: this.group() };
    }
    return this.comparison();
  }

  private group(): Expression {
    const open = this.next();
    if (++this.depth > this.maxDepth) {
      throw new ExpressionError(`Expression nested too deeply at position ${open.pos}: more than ${this.maxDepth} levels`, open.pos);
    }
    const inner = this.orExpr();
    const close = this.next();
    if (close.type !== 'rparen') {
      throw new ExpressionError(
        `Missing ')' for '(' at position ${open.pos}: found ${describe(close)} at position ${close.pos}. Expected: and, or, ')'`,
        close.pos,
      );
    }
    this.depth--;
    return inner;
  }

  private comparison(): Expression {
    const attr = this.next();
    // `and` / `or` here mean a term is missing, not an attribute with that name.
    const reserved = attr.type === 'word' && (this.isKeyword(attr, 'and') || this.isKeyword(attr, 'or'));
    if (attr.type !== 'word' || reserved || !isAttributePath(attr.text)) {
      throw new ExpressionError(`Expected an attribute name at position ${attr.pos} but found ${describe(attr)}`, attr.pos);
    }
    const opToken = this.next();
    if (opToken.type !== 'word') {
      throw new ExpressionError(
        `Expected an attribute operator at position ${opToken.pos} but found ${describe(opToken)}. Expected: ${this.operators.join(',')}`,
        opToken.pos,
      );
    }
    const op = opToken.text.toLowerCase() as Operator;
    if (!this.operators.includes(op)) {
      throw new ExpressionError(
        `Unrecognized attribute operator '${clip(opToken.text)}' at position ${opToken.pos}. Expected: ${this.operators.join(',')}`,
        opToken.pos,
      );
    }
    if (op === 'pr') return { kind: 'present', path: attr.text, position: attr.pos };
    return { kind: 'compare', path: attr.text, op, value: this.literal(op), position: attr.pos };
  }

  private literal(op: Operator): Literal {
    const t = this.next();
    if (t.type === 'string') return t.value;
    if (t.type === 'word') {
      const lower = t.text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (lower === 'null') return null;
      if (JSON_NUMBER.test(t.text)) return Number(t.text);
    }
    throw new ExpressionError(
      `Expected a value after '${op}' at position ${t.pos} but found ${describe(t)}. Expected: a quoted string, a number, true, false or null`,
      t.pos,
    );
  }
}

/** Parse an expression; throws ExpressionError naming the position and what was expected. */
export function parseExpression(text: string, options: ParseOptions = {}): Expression {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (text.length > maxLength) {
    throw new ExpressionError(`Expression is too long: ${text.length} characters, at most ${maxLength} allowed`, maxLength);
  }
  if (text.trim() === '') throw new ExpressionError('Expression is empty. Expected: attribute operator value', 0);
  return new Parser(tokenize(text), options).parse();
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface EvaluateOptions {
  /** Users `search` compares string values case-insensitively, users `filter` does not (spec). */
  caseInsensitive?: boolean;
}

/**
 * Every value at `path`. Arrays met on the way are flattened, so `target.id` reaches each
 * element of a log event's `target[]` (SCIM multi-valued semantics: any element may match).
 */
export function resolvePath(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const segment of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      for (const item of Array.isArray(value) ? value : [value]) {
        // Own properties only: `__proto__` or `constructor` in a query must not reach prototypes.
        if (item !== null && typeof item === 'object' && Object.hasOwn(item, segment)) {
          next.push((item as Record<string, unknown>)[segment]);
        }
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

// Both sides must look like ISO-8601 before they are compared as instants; Date.parse alone would
// also accept "2024" or "March 7". Fixed-shape pattern: no nested quantifiers, no backtracking.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds since the epoch for an ISO-8601 date or date-time, else undefined. */
export function parseIsoInstant(text: string): number | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number((frac + '000').slice(0, 3));
  let offset = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits[0] === '-' ? -1 : 1;
    offset = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2023-02-30 over into March; reject it instead.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return utc - offset * 60_000;
}

function compareOrdered(a: unknown, b: Literal, caseInsensitive: boolean): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a !== 'string' || typeof b !== 'string') return undefined;
  const ta = parseIsoInstant(a);
  const tb = ta === undefined ? undefined : parseIsoInstant(b);
  if (ta !== undefined && tb !== undefined) return ta - tb;
  const x = caseInsensitive ? a.toLowerCase() : a;
  const y = caseInsensitive ? b.toLowerCase() : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

function equals(a: unknown, b: Literal, caseInsensitive: boolean): boolean {
  if (b === null) return a === null;
  if (typeof a === 'string' && typeof b === 'string') return compareOrdered(a, b, caseInsensitive) === 0;
  return a === b;
}

function matchesOne(a: unknown, op: Operator, b: Literal, ci: boolean): boolean {
  switch (op) {
    case 'eq': return equals(a, b, ci);
    case 'ne': return !equals(a, b, ci);
    case 'sw': case 'co': case 'ew': {
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      const x = ci ? a.toLowerCase() : a;
      const y = ci ? b.toLowerCase() : b;
      return op === 'sw' ? x.startsWith(y) : op === 'ew' ? x.endsWith(y) : x.includes(y);
    }
    case 'gt': case 'ge': case 'lt': case 'le': {
      const c = compareOrdered(a, b, ci);
      if (c === undefined) return false;
      return op === 'gt' ? c > 0 : op === 'ge' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
    case 'pr': return isPresent(a);
  }
}

/** SCIM `pr`: a non-empty value, or a non-empty node for complex attributes. */
function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(isPresent);
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** True when `obj` satisfies `expr`. Iterative over and/or lists; recursion depth is the parse depth. */
export function evaluate(expr: Expression, obj: unknown, options: EvaluateOptions = {}): boolean {
  const ci = options.caseInsensitive ?? true;
  switch (expr.kind) {
    case 'and': return expr.children.every((c) => evaluate(c, obj, options));
    case 'or': return expr.children.some((c) => evaluate(c, obj, options));
    case 'not': return !evaluate(expr.child, obj, options);
    case 'present': return resolvePath(obj, expr.path).some(isPresent);
    case 'compare': {
      const values = resolvePath(obj, expr.path);
      if (expr.op === 'ne') return !values.some((v) => equals(v, expr.value, ci));
      if (values.length === 0) return expr.op === 'eq' && expr.value === null;
      return values.some((v) => matchesOne(v, expr.op, expr.value, ci));
    }
  }
}

/** Every comparison in the tree, for endpoint rules that restrict attributes or operators. */
export function comparisons(expr: Expression): Extract<Expression, { kind: 'compare' | 'present' }>[] {
  const out: Extract<Expression, { kind: 'compare' | 'present' }>[] = [];
  const stack: Expression[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.kind === 'compare' || e.kind === 'present') out.push(e);
    else if (e.kind === 'not') stack.push(e.child);
    else stack.push(...e.children);
  }
  return out.sort((a, b) => a.position - b.position);
}
