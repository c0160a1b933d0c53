import type { OktaUser, UserStatus } from '../../../src/simulator/org/types.js';
import { QueryError, parseUsersQuery, type UsersQuery } from '../../../src/simulator/query/users_query.js';

function user(id: string, status: UserStatus, lastUpdated: string, first: string, last: string, extra: Record<string, unknown> = {}): OktaUser {
  const email = `${first}.${last}@example.com`.toLowerCase();
  return {
    id,
    status,
    created: '2023-01-01T00:00:00.000Z',
    lastUpdated,
    type: { id: 'oty1' },
    profile: { login: email, email, firstName: first, lastName: last, ...extra },
  };
}

const USERS: OktaUser[] = [
  user('00u1', 'ACTIVE', '2024-01-10T00:00:00.000Z', 'Isaac', 'Brock', { department: 'Engineering' }),
  user('00u2', 'STAGED', '2024-02-10T00:00:00.000Z', 'Eric', 'Judy', { department: 'Sales' }),
  user('00u3', 'DEPROVISIONED', '2024-03-10T00:00:00.000Z', 'Isabel', 'Gone', { department: 'Engineering' }),
  user('00u4', 'LOCKED_OUT', '2024-04-10T00:00:00.000Z', 'Brock', 'Samson', { cities: ['Oslo', 'Lima'] }),
];

function query(params: Record<string, string>): UsersQuery {
  return parseUsersQuery(new URLSearchParams(params));
}

function ids(params: Record<string, string>): string[] {
  const q = query(params);
  return USERS.filter((u) => q.matches(u)).map((u) => u.id);
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

describe('DEPROVISIONED users', () => {
  test('a plain list omits them', () => {
    expect(ids({})).toEqual(['00u1', '00u2', '00u4']);
    expect(query({}).includesDeprovisioned).toBe(false);
  });

  test('q omits them', () => {
    expect(ids({ q: 'isa' })).toEqual(['00u1']);
    expect(query({ q: 'isa' }).includesDeprovisioned).toBe(false);
  });

  test('search and filter return them without naming the status', () => {
    expect(ids({ search: 'profile.department eq "Engineering"' })).toEqual(['00u1', '00u3']);
    expect(ids({ filter: 'lastUpdated gt "2024-02-01T00:00:00.000Z"' })).toEqual(['00u2', '00u3', '00u4']);
    expect(query({ search: 'status pr' }).includesDeprovisioned).toBe(true);
    expect(query({ filter: 'status eq "ACTIVE"' }).includesDeprovisioned).toBe(true);
  });

  test('search and filter can ask for them by status', () => {
    expect(ids({ filter: 'status eq "DEPROVISIONED"' })).toEqual(['00u3']);
    expect(ids({ search: 'status eq "DEPROVISIONED"' })).toEqual(['00u3']);
    expect(ids({ search: 'status pr' })).toEqual(['00u1', '00u2', '00u3', '00u4']);
  });
});

describe('search', () => {
  test.each<[string, string[]]>([
    ['profile.department eq "engineering"', ['00u1', '00u3']],
    ['profile.lastName sw "br"', ['00u1']],
    ['profile.email co "JUDY"', ['00u2']],
    ['profile.login co "brock"', ['00u1', '00u4']],
    ['profile.cities eq "lima"', ['00u4']],
    ['status lt "STAGED" or status gt "STAGED"', ['00u1', '00u3', '00u4']],
    ['lastUpdated ge "2024-02-10T01:00:00+01:00" and lastUpdated lt "2024-04-01"', ['00u2', '00u3']],
    ['created lt "2024-01-01T00:00:00.000Z"', ['00u1', '00u2', '00u3', '00u4']],
    ['type.id eq "oty1" and id eq "00u2"', ['00u2']],
    ['profile.department eq "Engineering" and (created lt "2022-01-01T00:00:00.000Z" or status eq "ACTIVE")', ['00u1']],
    ['profile.cities pr', ['00u4']],
  ])('%s', (search, expected) => {
    expect(ids({ search })).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ['status ne "STAGED"', /Unrecognized attribute operator 'ne' at position 7\. Expected: eq,sw,co,pr,gt,ge,lt,le/],
    ['profile.login ew ".com"', /Unrecognized attribute operator 'ew'/],
    ['profile.department co "Eng"', /Operator 'co' at position 0 is only supported on profile\.firstName/],
    ['id co "00u"', /Operator 'co' at position 0 is only supported/],
    ['lastLogin gt "2024-01-01T00:00:00.000Z"', /Attribute 'lastLogin' at position 0 cannot be searched/],
    ['credentials.provider.type eq "OKTA"', /Attribute 'credentials\.provider\.type' at position 0 cannot be searched/],
    ['not (status eq "ACTIVE")', /'not' at position 0 is not supported/],
    ['status eq "ACTIVE" and', /Expected an attribute name at position 22/],
    ['status eq "ACTIVE', /Unterminated string starting at position 10/],
  ])('rejects %s', (search, cause) => {
    const err = queryError({ search });
    expect(err.errorCode).toBe('E0000031');
    expect(err.errorSummary).toBe('Invalid search criteria.');
    expect(err.errorCauses[0]!.errorSummary).toMatch(cause);
  });
});

describe('filter', () => {
  test.each<[string, string[]]>([
    ['status eq "LOCKED_OUT"', ['00u4']],
    ['status eq "ACTIVE" or status eq "STAGED"', ['00u1', '00u2']],
    ['id eq "00u2"', ['00u2']],
    ['profile.login eq "isaac.brock@example.com"', ['00u1']],
    ['profile.email eq "eric.judy@example.com"', ['00u2']],
    ['profile.firstName eq "Brock"', ['00u4']],
    ['profile.lastName eq "Brock"', ['00u1']],
    ['lastUpdated gt "2024-02-10T00:00:00.000Z"', ['00u3', '00u4']],
    ['lastUpdated ge "2024-02-10T00:00:00.000Z"', ['00u2', '00u3', '00u4']],
    ['lastUpdated lt "2024-02-10T00:00:00.000Z"', ['00u1']],
    ['lastUpdated le "2024-02-10T00:00:00.000Z"', ['00u1', '00u2']],
    ['lastUpdated eq "2024-02-10T01:00:00.000+01:00"', ['00u2']],
    ['lastUpdated gt "2024-01-01T00:00:00.000Z" and (status eq "LOCKED_OUT" or status eq "RECOVERY")', ['00u4']],
  ])('%s', (filter, expected) => {
    expect(ids({ filter })).toEqual(expected);
  });

  test('values are case-sensitive, operators are not', () => {
    expect(ids({ filter: 'status eq "active"' })).toEqual([]);
    expect(ids({ filter: 'profile.firstName eq "isaac"' })).toEqual([]);
    expect(ids({ filter: 'status EQ "ACTIVE"' })).toEqual(['00u1']);
  });

  test.each<[string, RegExp]>([
    ['profile.department eq "Sales"', /Attribute 'profile\.department' at position 0 cannot be filtered/],
    ['created gt "2024-01-01T00:00:00.000Z"', /Attribute 'created' at position 0 cannot be filtered/],
    ['type.id eq "oty1"', /Attribute 'type\.id' at position 0 cannot be filtered/],
    ['status pr', /Unrecognized attribute operator 'pr'/],
    ['status ne "ACTIVE"', /Unrecognized attribute operator 'ne' at position 7\. Expected: eq,gt,ge,lt,le/],
    ['profile.login sw "isaac"', /Unrecognized attribute operator 'sw'/],
    ['profile.email co "example"', /Unrecognized attribute operator 'co'/],
    ['status gt "ACTIVE"', /Operator 'gt' at position 0 is only supported on lastUpdated/],
    ['id eq "00u1" and profile.lastName lt "Z"', /Operator 'lt' at position 17 is only supported on lastUpdated/],
    ['not (status eq "ACTIVE")', /'not' at position 0 is not supported/],
    ['(status eq "ACTIVE"', /Missing '\)'/],
  ])('rejects %s', (filter, cause) => {
    const err = queryError({ filter });
    expect(err.errorCode).toBe('E0000031');
    expect(err.errorSummary).toBe('Invalid search criteria.');
    expect(err.errorCauses[0]!.errorSummary).toMatch(cause);
  });

  test('a date attribute compared with a non-date is an invalid date', () => {
    const err = queryError({ filter: 'lastUpdated gt "yesterday"' });
    expect(err.errorCode).toBe('E0000030');
    expect(err.errorSummary).toMatch(/^Bad request\. Invalid date\./);
    expect(queryError({ search: 'created lt "2024-13-01"' }).errorCode).toBe('E0000030');
  });
});

describe('q', () => {
  test('is a case-insensitive prefix of firstName, lastName or email', () => {
    expect(ids({ q: 'BROCK' })).toEqual(['00u1', '00u4']);
    expect(ids({ q: 'eric.j' })).toEqual(['00u2']);
    expect(ids({ q: 'rock' })).toEqual([]);
    expect(ids({ q: 'Engineering' })).toEqual([]);
  });

  test('defaults to 10 results and does not paginate', () => {
    expect(query({ q: 'a' })).toMatchObject({ mode: 'q', limit: 10, paginated: false });
    expect(query({ q: 'a', limit: '50' }).limit).toBe(50);
  });

  test('an empty parameter is ignored', () => {
    expect(query({ q: '', search: '  ' })).toMatchObject({ mode: 'list', limit: 200 });
  });
});

describe('combinations', () => {
  test.each([
    [{ search: 'status pr', filter: 'status eq "ACTIVE"' }],
    [{ q: 'a', filter: 'status eq "ACTIVE"' }],
    [{ q: 'a', search: 'status pr' }],
  ])('%j is refused', (params) => {
    const err = queryError(params);
    expect(err.errorCode).toBe('E0000033');
    expect(err.errorSummary).toBe("Bad request. Can't specify a search query and filter in the same request.");
  });
});

describe('limit', () => {
  test.each<[Record<string, string>, number]>([
    [{}, 200],
    [{ limit: '' }, 200],
    [{ limit: '1' }, 1],
    [{ limit: '37' }, 37],
    [{ limit: '200' }, 200],
    [{ limit: '201' }, 200],
    [{ limit: '100000' }, 200],
    [{ limit: '9999999999999999999999' }, 200],
    [{ search: 'status pr', limit: '500' }, 200],
    [{ filter: 'status eq "ACTIVE"' }, 200],
  ])('%j → %d', (params, limit) => {
    expect(query(params).limit).toBe(limit);
  });

  test.each(['0', '-1', 'abc', '1.5', '1e3', '0x10', ' 5 0'])('limit=%j is refused', (limit) => {
    const err = queryError({ limit });
    expect(err.errorCode).toBe('E0000001');
    expect(err.errorSummary).toBe('Api validation failed: limit');
  });
});

test('modes and pagination', () => {
  expect(query({})).toMatchObject({ mode: 'list', paginated: true });
  expect(query({ search: 'status pr' })).toMatchObject({ mode: 'search', paginated: true });
  expect(query({ filter: 'id eq "x"' })).toMatchObject({ mode: 'filter', paginated: true });
});
