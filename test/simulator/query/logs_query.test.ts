import type { LogEvent } from '../../../src/simulator/org/types.js';
import { QueryError, parseLogsQuery, type LogsQuery } from '../../../src/simulator/query/logs_query.js';

const NOW = new Date('2025-06-30T12:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

function query(params: Record<string, string>): LogsQuery {
  return parseLogsQuery(new URLSearchParams(params), NOW);
}

function queryError(params: Record<string, string>): QueryError {
  try {
    query(params);
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(params)} to be rejected`);
}

function event(uuid: string, eventType: string, extra: Partial<LogEvent> = {}): LogEvent {
  return {
    uuid,
    published: '2025-06-29T10:00:00.000Z',
    eventType,
    version: '0',
    severity: 'INFO',
    displayMessage: 'User login to Okta',
    actor: { id: '00uA', type: 'User', alternateId: 'john.doe@example.com', displayName: 'John Doe' },
    client: { ipAddress: '10.0.0.1', geographicalContext: { city: 'San Francisco', country: 'United States' } },
    outcome: { result: 'SUCCESS', reason: null },
    debugContext: { debugData: { requestUri: '/idp/idx/authenticators/poll', url: '/idp/idx/authenticators/poll?x=1' } },
    transaction: { type: 'WEB', id: 'XOxBw-2JIRnCFd0gG0GjHAAABjY', detail: { requestApiTokenId: '00T94e3cn9kSEO3c51s5' } },
    target: [
      { id: 'pfd1', type: 'AuthenticatorEnrollment', displayName: 'Okta Verify' },
      { id: '0oa1', type: 'AppInstance', displayName: 'Okta Admin Console' },
    ],
    ...extra,
  };
}

const EVENTS: LogEvent[] = [
  event('e1', 'user.session.start'),
  event('e2', 'user.authentication.auth_via_mfa', {
    actor: { id: '00uB', type: 'User', alternateId: 'ann.lee@example.com', displayName: 'Ann Lee' },
    outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
    debugContext: { debugData: { requestUri: '/api/v1/authn/factors/opf1/verify' } },
  }),
  event('e3', 'user.mfa.factor.activate', {
    debugContext: { debugData: { requestUri: '/IDP/IDX/challenge/answer' } },
    target: [{ id: '00uA', type: 'User' }],
  }),
  event('e4', 'system.push.send_factor_verify_push', { displayMessage: 'Send push verify notification' }),
];

function uuids(params: Record<string, string>): string[] {
  const q = query(params);
  return EVENTS.filter((e) => q.matches(e)).map((e) => e.uuid);
}

describe('defaults', () => {
  test('no parameters: a polling query over the last 7 days, 100 per page, ascending', () => {
    const q = query({});
    expect(q.since).toEqual(new Date(NOW.getTime() - 7 * DAY));
    expect(q.until).toBeUndefined();
    expect(q).toMatchObject({ bounded: false, polling: true, limit: 100, sortOrder: 'ASCENDING', keywords: [] });
    expect(q.after).toBeUndefined();
    expect(EVENTS.every((e) => q.matches(e))).toBe(true);
  });

  test('since defaults to 7 days before until; until makes the query bounded', () => {
    const q = query({ until: '2025-06-20T00:00:00Z' });
    expect(q.until).toEqual(new Date('2025-06-20T00:00:00Z'));
    expect(q.since).toEqual(new Date('2025-06-13T00:00:00Z'));
    expect(q).toMatchObject({ bounded: true, polling: false });
  });

  test('since and until are ISO-8601 with any offset', () => {
    const q = query({ since: '2025-06-01T02:00:00.000+02:00', until: '2025-06-02T00:00:00.000Z' });
    expect(q.since).toEqual(new Date('2025-06-01T00:00:00.000Z'));
    expect(q.bounded).toBe(true);
  });

  test('DESCENDING without until is neither polling nor bounded', () => {
    expect(query({ sortOrder: 'DESCENDING' })).toMatchObject({ sortOrder: 'DESCENDING', polling: false, bounded: false });
  });

  test('empty parameters count as absent', () => {
    expect(query({ since: '', until: '', limit: '', sortOrder: '', filter: '', q: '', after: '' })).toMatchObject({
      until: undefined, limit: 100, sortOrder: 'ASCENDING', polling: true,
    });
  });
});

describe('retention', () => {
  test('a since between 90 and 180 days ago succeeds but starts at the 90-day retention floor', () => {
    const q = query({ since: new Date(NOW.getTime() - 120 * DAY).toISOString() });
    expect(q.since).toEqual(new Date(NOW.getTime() - 90 * DAY));
  });

  test('a since exactly 180 days ago is accepted', () => {
    expect(() => query({ since: new Date(NOW.getTime() - 180 * DAY).toISOString() })).not.toThrow();
  });

  test('a since over 180 days ago is refused', () => {
    const err = queryError({ since: new Date(NOW.getTime() - 181 * DAY).toISOString() });
    expect(err.errorCode).toBe('E0000053');
    expect(err.errorSummary).toBe('Invalid parameter: The since parameter is over 180 days prior to the current day.');
  });

  test('an old until with a defaulted since is not refused, only floored', () => {
    const q = query({ until: new Date(NOW.getTime() - 200 * DAY).toISOString() });
    expect(q.since).toEqual(new Date(NOW.getTime() - 90 * DAY));
  });
});

describe('since, until and after', () => {
  test.each(['since', 'until'] as const)('a bad %s names the parameter twice, as Okta does', (name) => {
    for (const bad of ['foobar', '01-01-2017', '2017-02-30T00:00:00Z', '1719748800']) {
      const err = queryError({ [name]: bad });
      expect(err.errorCode).toBe('E0000001');
      expect(err.errorSummary).toBe(
        `Api validation failed: '${name}': The date format in your query is not recognized. Please enter dates using ISO8601 string format. '${name}': must be a valid date-time or empty.`,
      );
      expect(err.errorCauses).toEqual([
        { errorSummary: `${name}: The date format in your query is not recognized. Please enter dates using ISO8601 string format.` },
        { errorSummary: `${name}: must be a valid date-time or empty.` },
      ]);
    }
  });

  test('after is passed through, and may come with since as in Okta\'s own next links', () => {
    expect(query({ after: '1627500044869_1' }).after).toBe('1627500044869_1');
    const q = query({ after: '1627500044869_1', since: '2025-06-01T00:00:00Z' });
    expect(q.after).toBe('1627500044869_1');
    expect(q.since).toEqual(new Date('2025-06-01T00:00:00Z'));
  });
});

describe('limit and sortOrder', () => {
  test.each<[string, number]>([['0', 0], ['1', 1], ['1000', 1000], [' 250 ', 250]])('limit=%j → %d', (limit, expected) => {
    expect(query({ limit }).limit).toBe(expected);
  });

  test.each(['1001', '5000', '-1', 'ten', '1.5', '1e2', '99999999999999999999'])('limit=%j is refused', (limit) => {
    const err = queryError({ limit });
    expect(err.errorCode).toBe('E0000001');
    expect(err.errorSummary).toMatch(/^Api validation failed: 'limit'/);
  });

  test.each(['ascending', 'ASC', 'UP'])('sortOrder=%j is refused', (sortOrder) => {
    const err = queryError({ sortOrder });
    expect(err.errorCode).toBe('E0000001');
    expect(err.errorSummary).toMatch(/'sortOrder'/);
  });
});

describe('filter', () => {
  test.each<[string, string[]]>([
    ['eventType eq "user.session.start"', ['e1']],
    ['eventType eq "user.mfa.factor.activate" or eventType eq "system.push.send_factor_verify_push" or eventType eq "nope"', ['e3', 'e4']],
    ['debugContext.debugData.requestUri sw "/idp/idx/"', ['e1', 'e3', 'e4']],
    ['actor.id eq "00uB"', ['e2']],
    ['outcome.result eq "FAILURE"', ['e2']],
    ['outcome.result eq "failure"', ['e2']],
    ['eventType sw "user." and outcome.result eq "SUCCESS"', ['e1', 'e3']],
    ['(eventType eq "user.session.start" or eventType eq "user.mfa.factor.activate") and debugContext.debugData.requestUri sw "/idp/idx/"', ['e1', 'e3']],
    ['target.id eq "00uA"', ['e3']],
    ['target.id eq "0oa1" and target.type eq "AuthenticatorEnrollment"', ['e1', 'e2', 'e4']],
    ['actor.id ne "00uA"', ['e2']],
    ['eventType co "factor"', ['e3', 'e4']],
    ['eventType ew "verify_push"', ['e4']],
    ['transaction.detail.requestApiTokenId eq "00T94e3cn9kSEO3c51s5"', ['e1', 'e2', 'e3', 'e4']],
    ['outcome.reason pr', ['e2']],
    ['not (eventType sw "user.")', ['e4']],
    ['severity eq "INFO" and client.geographicalContext.city eq "san francisco"', ['e1', 'e2', 'e3', 'e4']],
  ])('%s', (filter, expected) => {
    expect(uuids({ filter })).toEqual(expected);
  });

  test('a malformed filter is E0000053 with the expression and the position', () => {
    const err = queryError({ filter: 'display_message eqq "Create okta user"' });
    expect(err.errorCode).toBe('E0000053');
    expect(err.errorSummary).toBe(
      "Invalid filter 'display_message eqq \"Create okta user\"': Unrecognized attribute operator 'eqq' at position 16. Expected: eq,ne,co,sw,ew,pr,gt,ge,lt,le",
    );
  });

  test.each<[string, RegExp]>([
    ['eventType eq "x" and', /at position 20/],
    ['eventType eq "x', /Unterminated string starting at position 13/],
    ['(eventType eq "x"', /Missing '\)'/],
    ['eventType eq x', /Expected a value after 'eq' at position 13/],
    ['target[type eq "User"].id eq "x"', /Expected an attribute name at position 0/],
  ])('rejects %s', (filter, detail) => {
    const err = queryError({ filter });
    expect(err.errorCode).toBe('E0000053');
    expect(err.errorSummary).toMatch(/^Invalid filter '/);
    expect(err.errorSummary).toMatch(detail);
  });

  test.each(['debugContext.debugData.url', 'debugContext.debugData.requestUri'])('co on %s is an unsupported combination', (field) => {
    const err = queryError({ filter: `eventType eq "x" or ${field} co "/oauth/"` });
    expect(err.errorCode).toBe('E0000031');
    expect(err.errorSummary).toBe(
      `The supplied combination of operator and field is not currently supported. Operator: co, Field: ${field}`,
    );
  });

  test('published cannot be filtered', () => {
    const err = queryError({ filter: 'published gt "2025-06-01T00:00:00Z"' });
    expect(err.errorCode).toBe('E0000053');
    expect(err.errorSummary).toMatch(/'published' at position 0 cannot be filtered; use since and until/);
  });

  test('an unknown field is refused', () => {
    const err = queryError({ filter: 'eventType eq "x" and event_type eq "user.session.start"' });
    expect(err.errorCode).toBe('E0000053');
    expect(err.errorSummary).toBe('field is not valid: event_type');
  });

  test('hostile filters fail fast', () => {
    const t = performance.now();
    expect(queryError({ filter: `eventType eq "${'a'.repeat(1_000_000)}"` }).errorSummary).toMatch(/too long/);
    expect(queryError({ filter: `${'('.repeat(1000)}eventType eq "x"${')'.repeat(1000)}` }).errorSummary).toMatch(/nested too deeply/);
    expect(queryError({ filter: `eventType eq "${'\\'.repeat(3000)}` }).errorSummary).toMatch(/Unterminated string/);
    expect(performance.now() - t).toBeLessThan(500);
  });

  test('the echoed filter is clipped', () => {
    const err = queryError({ filter: `eventType eqq "${'a'.repeat(3000)}"` });
    expect(err.errorSummary.length).toBeLessThan(400);
  });
});

describe('q', () => {
  test.each<[string, string[]]>([
    ['San Francisco', ['e1', 'e2', 'e3', 'e4']],
    ['john doe', ['e1', 'e3', 'e4']],
    ['JOHN.DOE@EXAMPLE.COM', ['e1', 'e3', 'e4']],
    ['ann.lee@example.com failure', ['e2']],
    ['push', ['e4']],
    ['XOxBw', ['e1', 'e2', 'e3', 'e4']],
    ['2JIRnCFd0gG0GjHAAABjY', ['e1', 'e2', 'e3', 'e4']],
    ['XOxBw-2JIRnCFd0gG0GjHAAABjY', ['e1', 'e2', 'e3', 'e4']],
    ['user.session.start', ['e1']],
    ['opf1 verify', ['e2']],
    ['Franc', []],
    ['john nobody', []],
    ['  john   doe  ', ['e1', 'e3', 'e4']],
  ])('%j', (q, expected) => {
    expect(uuids({ q })).toEqual(expected);
  });

  test('combines with filter', () => {
    expect(uuids({ q: 'john', filter: 'eventType sw "user."' })).toEqual(['e1', 'e3']);
  });

  test('keywords are kept lower-cased', () => {
    expect(query({ q: 'San  Francisco' }).keywords).toEqual(['san', 'francisco']);
  });

  test('a keyword over 40 characters is refused with Okta\'s message', () => {
    expect(() => query({ q: 'a'.repeat(40) })).not.toThrow();
    const err = queryError({ q: `ok ${'a'.repeat(41)}` });
    expect(err.errorCode).toBe('E0000001');
    expect(err.errorSummary).toBe(
      "Api validation failed: 'q': Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields.",
    );
  });

  test('more than 10 keywords are refused', () => {
    expect(() => query({ q: Array(10).fill('k').join(' ') })).not.toThrow();
    const err = queryError({ q: Array(11).fill('k').join(' ') });
    expect(err.errorCode).toBe('E0000001');
    expect(err.errorSummary).toMatch(/^Api validation failed: 'q'/);
  });

  test('matching a deep event is not recursive', () => {
    let deep: Record<string, unknown> = { leaf: 'needle' };
    for (let i = 0; i < 50_000; i++) deep = { d: deep };
    const q = query({ q: 'needle' });
    expect(q.matches(event('deep', 'x', { debugContext: deep }))).toBe(true);
  });
});
