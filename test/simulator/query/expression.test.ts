import {
  ExpressionError,
  QueryError,
  comparisons,
  evaluate,
  parseExpression,
  parseIsoInstant,
  resolvePath,
  type Expression,
} from '../../../src/simulator/query/expression.js';

function parseError(text: string, options = {}): ExpressionError {
  try {
    parseExpression(text, options);
  } catch (err) {
    if (err instanceof ExpressionError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parseExpression: valid expressions', () => {
  const valid: [string, Expression][] = [
    ['status eq "ACTIVE"', { kind: 'compare', path: 'status', op: 'eq', value: 'ACTIVE', position: 0 }],
    ['status EQ "ACTIVE"', { kind: 'compare', path: 'status', op: 'eq', value: 'ACTIVE', position: 0 }],
    ['  profile.login   sw "a"', { kind: 'compare', path: 'profile.login', op: 'sw', value: 'a', position: 2 }],
    ['debugContext.debugData.requestUri sw "/idp/idx/"',
      { kind: 'compare', path: 'debugContext.debugData.requestUri', op: 'sw', value: '/idp/idx/', position: 0 }],
    ['profile.nick eq "say \\"hi\\" \\\\ \\u00e9"', { kind: 'compare', path: 'profile.nick', op: 'eq', value: 'say "hi" \\ é', position: 0 }],
    ['n ge -1.5e2', { kind: 'compare', path: 'n', op: 'ge', value: -150, position: 0 }],
    ['flag eq TRUE', { kind: 'compare', path: 'flag', op: 'eq', value: true, position: 0 }],
    ['flag eq false', { kind: 'compare', path: 'flag', op: 'eq', value: false, position: 0 }],
    ['x eq Null', { kind: 'compare', path: 'x', op: 'eq', value: null, position: 0 }],
    ['profile.mobilePhone pr', { kind: 'present', path: 'profile.mobilePhone', position: 0 }],
    ['a eq "1"and b eq"2"', {
      kind: 'and', children: [
        { kind: 'compare', path: 'a', op: 'eq', value: '1', position: 0 },
        { kind: 'compare', path: 'b', op: 'eq', value: '2', position: 12 },
      ],
    }],
    ['a eq 1 or b eq 2 and c eq 3', {
      kind: 'or', children: [
        { kind: 'compare', path: 'a', op: 'eq', value: 1, position: 0 },
        { kind: 'and', children: [
          { kind: 'compare', path: 'b', op: 'eq', value: 2, position: 10 },
          { kind: 'compare', path: 'c', op: 'eq', value: 3, position: 21 },
        ] },
      ],
    }],
    ['(a eq 1 OR b eq 2) AnD c eq 3', {
      kind: 'and', children: [
        { kind: 'or', children: [
          { kind: 'compare', path: 'a', op: 'eq', value: 1, position: 1 },
          { kind: 'compare', path: 'b', op: 'eq', value: 2, position: 11 },
        ] },
        { kind: 'compare', path: 'c', op: 'eq', value: 3, position: 23 },
      ],
    }],
    ['not (a eq 1)', { kind: 'not', child: { kind: 'compare', path: 'a', op: 'eq', value: 1, position: 5 } }],
    ['NOT(a pr)', { kind: 'not', child: { kind: 'present', path: 'a', position: 4 } }],
  ];
  test.each(valid)('%s', (text, ast) => {
    expect(parseExpression(text)).toEqual(ast);
  });

  test('every operator is accepted by default, in any case', () => {
    for (const op of ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'sw', 'co', 'ew']) {
      expect(parseExpression(`a ${op.toUpperCase()} "x"`)).toMatchObject({ op });
    }
  });
});

describe('parseExpression: invalid expressions name the position and what was expected', () => {
  const invalid: [string, RegExp][] = [
    // Okta's own example (System Log query guide): 0-based position of the operator.
    ['display_message eqq "Create okta user"', /^Unrecognized attribute operator 'eqq' at position 16\. Expected: eq,ne,co,sw,ew,pr,gt,ge,lt,le$/],
    ['', /^Expression is empty/],
    ['   ', /^Expression is empty/],
    ['status', /^Expected an attribute operator at position 6 but found end of input/],
    ['status eq', /^Expected a value after 'eq' at position 9 but found end of input/],
    ['status eq ACTIVE', /^Expected a value after 'eq' at position 10 but found 'ACTIVE'/],
    ['status eq "ACTIVE', /^Unterminated string starting at position 10/],
    ['status eq "bad \\x escape"', /^Invalid escape '\\x' at position 15/],
    ['status eq "\\u12"', /^Invalid \\u escape at position 11/],
    ['eq "x"', /^Expected an attribute operator at position 3 but found string "x"/],
    ['"x" eq "y"', /^Expected an attribute name at position 0 but found string "x"/],
    ['1abc eq "x"', /^Expected an attribute name at position 0 but found '1abc'/],
    ['a..b eq "x"', /^Expected an attribute name at position 0 but found 'a\.\.b'/],
    ['a. eq "x"', /^Expected an attribute name at position 0/],
    ['a eq "x" and', /^Expected an attribute name at position 12 but found end of input/],
    ['a eq "x" or or b eq "y"', /^Expected an attribute name at position 12 but found 'or'/],
    ['a eq "x" b eq "y"', /^Unexpected 'b' at position 9\. Expected: and, or, end of input/],
    ['(a eq "x"', /^Missing '\)' for '\(' at position 0: found end of input at position 9/],
    ['((a eq "x")', /^Missing '\)' for '\(' at position 0/],
    ['a eq "x")', /^Unbalanced '\)' at position 8/],
    ['()', /^Expected an attribute name at position 1 but found '\)'/],
    ['a eq 01', /^Expected a value after 'eq' at position 5 but found '01'/],
    ['a pr "x"', /^Unexpected string "x" at position 5/],
    ['a eq "x\ny"', /^Unescaped control character in string at position 7/],
  ];
  test.each(invalid)('%j', (text, message) => {
    expect(parseError(text).message).toMatch(message);
  });

  test('the error carries the position', () => {
    expect(parseError('status eqq "x"').position).toBe(7);
  });

  test('operators can be restricted per endpoint', () => {
    const err = parseError('status ne "ACTIVE"', { operators: ['eq', 'gt'] });
    expect(err.message).toBe("Unrecognized attribute operator 'ne' at position 7. Expected: eq,gt");
  });

  test('not can be switched off', () => {
    expect(parseError('not (a eq 1)', { allowNot: false }).message).toMatch(/'not' at position 0 is not supported/);
  });

  test('an attribute called "not" is still an attribute', () => {
    expect(parseExpression('not eq "x"')).toMatchObject({ kind: 'compare', path: 'not' });
  });
});

describe('hostile input fails fast', () => {
  function timed(fn: () => void): number {
    const t = performance.now();
    fn();
    return performance.now() - t;
  }

  test('a very long expression is refused before tokenizing', () => {
    const text = `a eq "${'x'.repeat(5_000_000)}"`;
    let err: unknown;
    const ms = timed(() => { try { parseExpression(text); } catch (e) { err = e; } });
    expect(err).toBeInstanceOf(ExpressionError);
    expect((err as Error).message).toMatch(/too long: 5000007 characters, at most 4096/);
    expect(ms).toBeLessThan(200);
  });

  test('deep nesting is refused at the cap, without a stack overflow', () => {
    const text = `${'('.repeat(2000)}a eq 1${')'.repeat(2000)}`;
    const err = parseError(text);
    expect(err.message).toMatch(/nested too deeply at position 32: more than 32 levels/);
    expect(() => parseExpression(`${'('.repeat(32)}a eq 1${')'.repeat(32)}`)).not.toThrow();
    expect(parseError(`${'not('.repeat(500)}a eq 1${')'.repeat(500)}`).message).toMatch(/nested too deeply/);
  });

  test('unbalanced quotes and parentheses are plain errors', () => {
    expect(parseError(`a eq "${'\\"'.repeat(1000)}`).message).toMatch(/Unterminated string starting at position 5/);
    expect(parseError('('.repeat(20)).message).toMatch(/Expected an attribute name at position 20/);
    expect(parseError(')'.repeat(4000)).message).toMatch(/Expected an attribute name at position 0/);
  });

  test('a long flat or-chain parses into one node and evaluates quickly', () => {
    const terms = Array.from({ length: 300 }, (_, i) => `e eq ${i}`);
    const text = terms.join(' or ');
    expect(text.length).toBeLessThanOrEqual(4096);
    let expr: Expression | undefined;
    const ms = timed(() => { expr = parseExpression(text); });
    expect(expr).toMatchObject({ kind: 'or' });
    expect((expr as { children: unknown[] }).children).toHaveLength(300);
    expect(evaluate(expr!, { e: 299 })).toBe(true);
    expect(evaluate(expr!, { e: 300 })).toBe(false);
    expect(ms).toBeLessThan(200);
  });

  test('a long error word is clipped in the message', () => {
    const msg = parseError(`a ${'z'.repeat(3000)} "x"`).message;
    expect(msg.length).toBeLessThan(200);
  });

  test('prototype properties are not reachable', () => {
    expect(evaluate(parseExpression('__proto__ pr'), {})).toBe(false);
    expect(evaluate(parseExpression('constructor.name eq "Object"'), {})).toBe(false);
    expect(resolvePath({ a: { b: 1 } }, 'a.toString')).toEqual([]);
  });
});

describe('evaluate', () => {
  const user = {
    id: '00u1',
    status: 'ACTIVE',
    lastUpdated: '2024-03-01T10:00:00.000Z',
    profile: { login: 'Isaac.Brock@example.com', firstName: 'Isaac', tags: ['Blue', 'green'], empty: '', none: null, age: 41 },
  };
  const ev = (text: string, obj: unknown = user, caseInsensitive = true) =>
    evaluate(parseExpression(text), obj, { caseInsensitive });

  test.each([
    ['status eq "ACTIVE"', true],
    ['status eq "active"', true],
    ['status eq "ACT"', false],
    ['status ne "ACTIVE"', false],
    ['status ne "STAGED"', true],
    ['profile.login sw "isaac."', true],
    ['profile.login sw "brock"', false],
    ['profile.login co "BROCK@"', true],
    ['profile.login ew ".COM"', true],
    ['profile.login ew "example"', false],
    ['profile.tags eq "blue"', true],
    ['profile.tags eq "red"', false],
    ['profile.tags sw "gr"', true],
    ['profile.age gt 40', true],
    ['profile.age le 40', false],
    ['profile.age eq "41"', false],
    ['profile.age gt "40"', false],
    ['profile.firstName pr', true],
    ['profile.empty pr', false],
    ['profile.none pr', false],
    ['profile.missing pr', false],
    ['profile.tags pr', true],
    ['profile pr', true],
    ['profile.none eq null', true],
    ['profile.missing eq null', true],
    ['profile.firstName eq null', false],
    ['status lt "STAGED" or status gt "STAGED"', true],
    ['not (status eq "ACTIVE")', false],
  ])('%s → %s', (text, expected) => {
    expect(ev(text)).toBe(expected);
  });

  test('case-sensitive mode compares strings exactly', () => {
    expect(ev('status eq "active"', user, false)).toBe(false);
    expect(ev('status eq "ACTIVE"', user, false)).toBe(true);
    expect(ev('profile.login sw "isaac"', user, false)).toBe(false);
  });

  test('timestamps are compared as instants, not as text', () => {
    // Lexically "…T11:30:00+02:00" > "…T10:00:00.000Z", but it is 09:30Z: earlier.
    expect(ev('lastUpdated gt "2024-03-01T11:30:00+02:00"')).toBe(true);
    expect(ev('lastUpdated lt "2024-03-01T11:30:00+02:00"')).toBe(false);
    expect(ev('lastUpdated eq "2024-03-01T12:00:00.000+02:00"')).toBe(true);
    expect(ev('lastUpdated ge "2024-03-01T10:00:00Z"')).toBe(true);
    expect(ev('lastUpdated le "2024-03-01T10:00:00Z"')).toBe(true);
    expect(ev('lastUpdated gt "2024-03-01T10:00:00.001Z"')).toBe(false);
    expect(ev('lastUpdated lt "2024-03-02"')).toBe(true);
    // Not a date on one side: compared as text ("2024-…" < "3"), not as the year 3.
    expect(ev('lastUpdated lt "3"')).toBe(true);
  });

  test('and binds tighter than or', () => {
    const obj = { a: 1, b: 0, c: 0 };
    expect(ev('a eq 1 or b eq 1 and c eq 1', obj)).toBe(true); // a or (b and c)
    expect(ev('(a eq 1 or b eq 1) and c eq 1', obj)).toBe(false);
    expect(ev('b eq 1 and c eq 1 or a eq 1', obj)).toBe(true);
    expect(ev('b eq 1 and (c eq 1 or a eq 1)', obj)).toBe(false);
  });

  test('paths through arrays reach every element (log event targets)', () => {
    const event = { target: [{ id: 'u1', type: 'User' }, { id: 'app1', type: 'AppInstance' }] };
    expect(ev('target.id eq "app1"', event)).toBe(true);
    expect(ev('target.id eq "u1" and target.type eq "AppInstance"', event)).toBe(true);
    expect(ev('target.id eq "nope"', event)).toBe(false);
    expect(ev('target.id ne "app1"', event)).toBe(false);
  });

  test('comparisons lists every leaf in source order', () => {
    const leaves = comparisons(parseExpression('(a eq 1 or not(b pr)) and c sw "x"'));
    expect(leaves.map((l) => l.path)).toEqual(['a', 'b', 'c']);
  });
});

describe('parseIsoInstant', () => {
  test.each([
    ['2024-03-01T10:00:00.000Z', Date.UTC(2024, 2, 1, 10)],
    ['2024-03-01T10:00:00Z', Date.UTC(2024, 2, 1, 10)],
    ['2024-03-01T10:00Z', Date.UTC(2024, 2, 1, 10)],
    ['2024-03-01T12:00:00+02:00', Date.UTC(2024, 2, 1, 10)],
    ['2024-03-01T05:00:00-0500', Date.UTC(2024, 2, 1, 10)],
    ['2024-03-01T10:00:00.123456Z', Date.UTC(2024, 2, 1, 10, 0, 0, 123)],
    ['2024-03-01', Date.UTC(2024, 2, 1)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('%s', (text, ms) => {
    expect(parseIsoInstant(text)).toBe(ms);
  });

  test.each(['2024', 'March 7, 2024', '2024-13-01', '2023-02-29', '2024-03-01T24:00:00Z', '2024-03-01T10:00:00+2', '', 'x'])(
    'rejects %j',
    (text) => {
      expect(parseIsoInstant(text)).toBeUndefined();
    },
  );
});

describe('QueryError', () => {
  test('becomes an Okta 400 error body', () => {
    const r = new QueryError('E0000031', 'Invalid search criteria.', ['detail']).toOktaError();
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      errorCode: 'E0000031',
      errorSummary: 'Invalid search criteria.',
      errorLink: 'E0000031',
      errorCauses: [{ errorSummary: 'detail' }],
    });
    expect(r.body.errorId).toMatch(/^oae/);
  });
});
