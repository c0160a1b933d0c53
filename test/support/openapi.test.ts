import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KNOWN_SPEC_ERRORS,
  SPEC_PATHS,
  loadSpec,
  missingKnownErrorLocations,
  responseExamplesFor,
  responseSchemaFor,
  specLocation,
  validateResponse,
  validateSchema,
  type OpenApiSpec,
} from './openapi.js';

const spec = loadSpec();
if (!spec) {
  console.log(`Skipping Okta OpenAPI spec tests: no spec at ${specLocation()} (set OIE_AUDIT_OPENAPI to its path).`);
}
const withSpec = spec ? describe : describe.skip;
// Only reached inside `withSpec` blocks, which are skipped when the spec is absent.
const theSpec = (): OpenApiSpec => spec as OpenApiSpec;

type Adjust = (value: unknown) => unknown;

// Deep copy with every `key: number` of the given keys turned into a string.
const numbersToStrings = (keys: string[]): Adjust => (v) =>
  JSON.parse(JSON.stringify(v), (key, value: unknown) => (keys.includes(key) && typeof value === 'number' ? String(value) : value));

// The single-policy examples are templates: placeholders stand where timestamps and enum values go.
const fillPolicyTemplate: Adjust = (v) => [
  JSON.parse(JSON.stringify(v), (key, value: unknown) => {
    if ((key === 'created' || key === 'lastUpdated') && value === (key === 'created' ? 'createdDate' : 'lastUpdated')) {
      return '2024-01-02T03:04:05.000Z';
    }
    if (key === 'provider' && value === 'provider') return 'OKTA';
    if (key === 'minNumber' && value === null) return 1;
    return value;
  }),
];

/**
 * Defects in the spec's *examples* (not in its schemas, and not in the API): each is either
 * adjusted before validation or skipped, and a test below checks the defect is still there.
 */
const EXAMPLE_DEFECTS: Record<string, { reason: string; adjust: Adjust | 'skip' }> = {
  ...Object.fromEntries(
    ['password', 'mfa-enroll', 'idp-discovery', 'profile-enrollment'].map((name) => [
      `${SPEC_PATHS.policies} 200 ${name}`,
      {
        reason:
          'single-policy template shared with GET /policies/{policyId} (the list returns an array), with ' +
          'placeholders "createdDate"/"lastUpdated" for timestamps, "provider" for authProvider.provider and ' +
          'null for complexity.minNumber',
        adjust: fillPolicyTemplate,
      },
    ]),
  ),
  [`${SPEC_PATHS.logs} 200 LogTargetChangeDetails`]: {
    reason: "a fragment of one event's target.changeDetails, not a list of events",
    adjust: 'skip',
  },
  [`${SPEC_PATHS.logs} 200 ListLogs`]: {
    reason: 'version and postalCode written as numbers; Okta (and the schema) use strings, e.g. "version": "0"',
    adjust: numbersToStrings(['version', 'postalCode']),
  },
  [`${SPEC_PATHS.logs} 200 ListLogsWithAdditionalSecurityContext`]: {
    reason: 'a single event (the list returns an array), with the same numeric version and postalCode as ListLogs',
    adjust: (v) => [numbersToStrings(['version', 'postalCode'])(v)],
  },
};

/** Operations whose 200 response the spec gives no example for: the simulator's bodies are validated against the schema alone. */
const NO_200_EXAMPLE = new Set<string>([SPEC_PATHS.signInPageCustomized, SPEC_PATHS.domains]);

function documentedStatuses(s: OpenApiSpec, path: string): number[] {
  const op = s.paths[path]?.['get'] as { responses?: Record<string, unknown> } | undefined;
  return Object.keys(op?.responses ?? {})
    .map(Number)
    .filter((n) => Number.isInteger(n));
}

describe('SPEC_PATHS', () => {
  test('names each path exactly as written, with its parameters', () => {
    expect(SPEC_PATHS.user).toBe('/api/v1/users/{userId}');
    expect(SPEC_PATHS.userFactor).toBe('/api/v1/users/{userId}/factors/{factorId}');
    expect(SPEC_PATHS.policyRules).toBe('/api/v1/policies/{policyId}/rules');
  });

  (spec ? test : test.skip)('every entry is a GET operation in the spec', () => {
    for (const path of Object.values(SPEC_PATHS)) expect([path, typeof theSpec().paths[path]?.['get']]).toEqual([path, 'object']);
  });
});

withSpec("the spec's own response examples validate", () => {
  const cases: Array<[string, string, number, string]> = [];
  if (spec) {
    for (const [key, path] of Object.entries(SPEC_PATHS)) {
      for (const status of documentedStatuses(spec, path)) {
        for (const ex of responseExamplesFor(spec, 'get', path, status)) cases.push([key, path, status, ex.name]);
      }
    }
  }

  test('every operation has a 200 example and error examples are included', () => {
    for (const [key, path] of Object.entries(SPEC_PATHS)) {
      expect([key, cases.some((c) => c[1] === path && c[2] === 200)]).toEqual([key, !NO_200_EXAMPLE.has(path)]);
    }
    expect(cases.some((c) => c[2] === 429)).toBe(true);
    expect(cases.some((c) => c[2] === 404)).toBe(true);
  });

  test.each(cases)('%s: GET %s %i [%s]', (_key, path, status, name) => {
    const example = responseExamplesFor(theSpec(), 'get', path, status).find((e) => e.name === name);
    const defect = EXAMPLE_DEFECTS[`${path} ${status} ${name}`];
    if (defect?.adjust === 'skip') return;
    const body = defect ? defect.adjust(example?.value) : example?.value;
    expect(validateResponse(theSpec(), 'get', path, status, body).errors).toEqual([]);
  });

  test.each(Object.entries(EXAMPLE_DEFECTS))('example defect still present: %s (%#)', (key, defect) => {
    const [path = '', status = '', ...rest] = key.split(' ');
    const example = responseExamplesFor(theSpec(), 'get', path, Number(status)).find((e) => e.name === rest.join(' '));
    expect(example).toBeDefined();
    expect(defect.reason).not.toBe('');
    expect(validateResponse(theSpec(), 'get', path, Number(status), example?.value).valid).toBe(false);
  });
});

withSpec('KNOWN_SPEC_ERRORS', () => {
  test('every entry gives a reason and names places that exist in the spec', () => {
    for (const e of KNOWN_SPEC_ERRORS) expect(e.reason.length).toBeGreaterThan(20);
    expect(missingKnownErrorLocations(theSpec())).toEqual([]);
  });

  test('authenticator-enrollments: the spec still declares a single object, the API returns an array', () => {
    const path = SPEC_PATHS.userAuthenticatorEnrollments;
    expect(responseSchemaFor(theSpec(), 'get', path, 200)).toEqual({ $ref: '#/components/schemas/AuthenticatorEnrollment' });
    const [example] = responseExamplesFor(theSpec(), 'get', path, 200);
    expect(Array.isArray(example?.value)).toBe(true);
    const single = (example?.value as unknown[])[0];
    expect(validateResponse(theSpec(), 'get', path, 200, single).errors).toEqual([
      `GET ${path} 200: body must be array (got ${JSON.stringify(single).slice(0, 77)}...)`,
    ]);
  });

  test('the repaired duration pattern still rejects non-durations', () => {
    const token = { name: 't', tokenWindow: 'P30D' };
    expect(validateResponse(theSpec(), 'get', SPEC_PATHS.apiTokens, 200, [token]).valid).toBe(true);
    for (const bad of ['P', 'PT', '30D', 'P1DT']) {
      expect([bad, validateResponse(theSpec(), 'get', SPEC_PATHS.apiTokens, 200, [{ ...token, tokenWindow: bad }]).valid]).toEqual([bad, false]);
    }
  });
});

withSpec('broken bodies fail with a useful message', () => {
  const user = {
    id: '00u1abcd',
    status: 'ACTIVE',
    created: '2024-01-02T03:04:05.000Z',
    profile: { login: 'a@example.com', email: 'a@example.com', firstName: 'A', lastName: 'B', mobilePhone: null },
    credentials: { provider: { type: 'OKTA', name: 'OKTA' } },
  };
  const smsFactor = {
    id: 'mbl1abcd',
    factorType: 'sms',
    provider: 'OKTA',
    vendorName: 'OKTA',
    status: 'ACTIVE',
    created: '2024-01-02T03:04:05.000Z',
    lastUpdated: '2024-01-02T03:04:05.000Z',
    profile: { phoneNumber: '+15554151337' },
  };

  test('a well-formed user and factor pass (baseline for the cases below)', () => {
    expect(validateResponse(theSpec(), 'get', SPEC_PATHS.user, 200, user).errors).toEqual([]);
    expect(validateResponse(theSpec(), 'get', SPEC_PATHS.userFactors, 200, [smsFactor]).errors).toEqual([]);
  });

  test('user status as a number', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.user, 200, { ...user, status: 42 });
    expect(r.valid).toBe(false);
    expect(r.errors).toContain(`GET ${SPEC_PATHS.user} 200: body/status must be string (got 42)`);
  });

  test('user status outside the enum, and null where the spec does not allow it', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.users, 200, [user, { ...user, status: 'ENABLED' }]);
    expect(r.errors.join('\n')).toMatch(/body\/1\/status must be equal to one of the allowed values: .*"LOCKED_OUT".* \(got "ENABLED"\)/);
    expect(validateResponse(theSpec(), 'get', SPEC_PATHS.user, 200, { ...user, status: null }).valid).toBe(false);
  });

  test('factor provider wrong for its factorType (checked through the discriminator)', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.userFactors, 200, [{ ...smsFactor, provider: 'GOOGLE' }]);
    expect(r.errors.join('\n')).toMatch(/body\/0\/provider must be equal to one of the allowed values: "OKTA" \(got "GOOGLE"\)/);
  });

  test('factor subtype profile with wrong types', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.userFactor, 200, { ...smsFactor, profile: { phoneNumber: 15554151337 } });
    expect(r.errors).toContain(`GET ${SPEC_PATHS.userFactor} 200: body/profile/phoneNumber must be string (got 15554151337)`);
  });

  test('unknown factorType and wrong status', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.userFactors, 200, [{ ...smsFactor, factorType: 'smss', status: 'ON' }]);
    expect(r.errors.join('\n')).toMatch(/body\/0\/factorType must be equal to one of the allowed values/);
    expect(r.errors.join('\n')).toMatch(/body\/0\/status must be equal to one of the allowed values/);
  });

  test('Okta FastPass (signed_nonce) factors have no subtype in the spec and validate against UserFactor', () => {
    const fastPass = {
      ...smsFactor,
      id: 'crp1abcd',
      factorType: 'signed_nonce',
      lastVerified: '2024-02-03T04:05:06.000Z',
      profile: { deviceType: 'SmartPhone_IPhone', keys: [{ kty: 'EC', use: 'sig', kid: 'default' }], name: 'iPhone', platform: 'IOS' },
    };
    expect(validateResponse(theSpec(), 'get', SPEC_PATHS.userFactors, 200, [fastPass]).errors).toEqual([]);
  });

  test('policy missing a required property', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.policies, 200, [{ id: 'p1', type: 'PASSWORD', status: 'ACTIVE' }]);
    expect(r.errors).toContain(`GET ${SPEC_PATHS.policies} 200: body/0 must have required property 'name'`);
  });

  test('error body with wrong types', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.user, 404, { errorCode: 404, errorSummary: 'Not found', errorCauses: 'none' });
    expect(r.errors).toEqual([
      `GET ${SPEC_PATHS.user} 404: body/errorCauses must be array (got "none")`,
      `GET ${SPEC_PATHS.user} 404: body/errorCode must be string (got 404)`,
    ]);
    expect(validateSchema(theSpec(), 'ModelError', { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorCauses: [] }).valid).toBe(true);
    expect(validateSchema(theSpec(), 'ModelError', { errorSummary: ['x'] }).errors).toEqual(['schema ModelError: body/errorSummary must be string (got ["x"])']);
  });

  test('authenticator enrollments as a single object', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.userAuthenticatorEnrollments, 200, { id: 'x', type: 'email' });
    expect(r.errors).toEqual([`GET ${SPEC_PATHS.userAuthenticatorEnrollments} 200: body must be array (got {"id":"x","type":"email"})`]);
  });

  test('org metadata with an unknown pipeline', () => {
    const r = validateResponse(theSpec(), 'get', SPEC_PATHS.orgMetadata, 200, { id: '00o1', pipeline: 'v2' });
    expect(r.errors).toEqual([`GET ${SPEC_PATHS.orgMetadata} 200: body/pipeline must be equal to one of the allowed values: "idx", "v1" (got "v2")`]);
  });

  test('undocumented statuses and operations are reported, not passed', () => {
    expect(validateResponse(theSpec(), 'get', SPEC_PATHS.users, 500, {}).errors).toEqual([
      `GET ${SPEC_PATHS.users} 500: status not documented for this operation`,
    ]);
    expect(validateResponse(theSpec(), 'get', '/api/v1/nope', 200, {}).valid).toBe(false);
  });
});

withSpec('lookups', () => {
  test('responseSchemaFor finds schemas through $ref responses and tolerates other parameter names', () => {
    expect(responseSchemaFor(theSpec(), 'get', SPEC_PATHS.userFactor, 200)).toEqual({ $ref: '#/components/schemas/UserFactor' });
    expect(responseSchemaFor(theSpec(), 'get', '/api/v1/users/{id}', 200)).toEqual({ $ref: '#/components/schemas/UserGetSingleton' });
    expect(responseSchemaFor(theSpec(), 'get', SPEC_PATHS.users, 429)).toEqual({ $ref: '#/components/schemas/ModelError' });
    expect(responseSchemaFor(theSpec(), 'get', SPEC_PATHS.users, 418)).toBeNull();
    expect(responseSchemaFor(theSpec(), 'get', '/api/v1/nope', 200)).toBeNull();
  });

  test('loadSpec parses once', () => {
    expect(loadSpec()).toBe(spec);
  });
});

describe('loadSpec location and version handling', () => {
  const saved = process.env['OIE_AUDIT_OPENAPI'];
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'oie-audit-openapi-'));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env['OIE_AUDIT_OPENAPI'];
    else process.env['OIE_AUDIT_OPENAPI'] = saved;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('returns null when the file is absent', () => {
    process.env['OIE_AUDIT_OPENAPI'] = join(dir, 'missing.yaml');
    expect(specLocation()).toBe(join(dir, 'missing.yaml'));
    expect(loadSpec()).toBeNull();
  });

  test('rejects documents that are not OpenAPI 3.0/3.1', () => {
    const file = join(dir, 'swagger.yaml');
    writeFileSync(file, 'swagger: "2.0"\npaths: {}\n');
    process.env['OIE_AUDIT_OPENAPI'] = file;
    expect(() => loadSpec()).toThrow(/unsupported OpenAPI version \(swagger 2.0\)/);
  });
});

// Small hand-written specs exercise the translation itself; they need no spec file.
describe('schema translation', () => {
  const components = {
    schemas: {
      Pet: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { type: 'string', enum: ['cat', 'dog', 'fish'] }, name: { type: 'string', nullable: true } },
        discriminator: { propertyName: 'kind', mapping: { cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog' } },
      },
      Cat: { allOf: [{ $ref: '#/components/schemas/Pet' }, { type: 'object', properties: { lives: { type: 'integer', maximum: 9 } } }] },
      Dog: { allOf: [{ $ref: '#/components/schemas/Pet' }, { type: 'object', required: ['good'], properties: { good: { type: 'boolean' } } }] },
      Circle: { type: 'object', required: ['r'], properties: { kind: { type: 'string' }, r: { type: 'number' } } },
      Square: { type: 'object', required: ['side'], properties: { kind: { type: 'string' }, side: { type: 'number' } } },
      Secret: { type: 'object', required: ['id', 'password'], properties: { id: { type: 'string' }, password: { type: 'string', writeOnly: true } } },
    },
  };
  const ok = (schema: object) => ({ responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } } });
  const spec30 = {
    openapi: '3.0.3',
    paths: {
      '/pets': { get: ok({ type: 'array', items: { $ref: '#/components/schemas/Pet' } }) },
      '/shapes': {
        get: ok({
          oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }],
          discriminator: { propertyName: 'kind', mapping: { round: '#/components/schemas/Circle' } },
        }),
      },
      '/secret': { get: ok({ $ref: '#/components/schemas/Secret' }) },
      '/gone': { get: { responses: { '204': { description: 'no content' } } } },
    },
    components,
  } as unknown as OpenApiSpec;

  test('inheritance-style discriminator validates the mapped subtype, and unmapped values the base only', () => {
    expect(validateResponse(spec30, 'get', '/pets', 200, [{ kind: 'cat', lives: 9, name: null }, { kind: 'dog', good: true }, { kind: 'fish' }]).errors).toEqual([]);
    const r = validateResponse(spec30, 'get', '/pets', 200, [{ kind: 'cat', lives: 10 }, { kind: 'dog' }, { kind: 'cow' }]);
    expect(r.errors).toEqual([
      'GET /pets 200: body/0/lives must be <= 9 (got 10)',
      "GET /pets 200: body/1 must have required property 'good'",
      'GET /pets 200: body/2/kind must be equal to one of the allowed values: "cat", "dog", "fish" (got "cow")',
    ]);
  });

  test('oneOf + discriminator picks the alternative by value (mapped or by schema name)', () => {
    expect(validateResponse(spec30, 'get', '/shapes', 200, { kind: 'round', r: 1 }).valid).toBe(true);
    expect(validateResponse(spec30, 'get', '/shapes', 200, { kind: 'Square', side: 2 }).valid).toBe(true);
    // Matches both alternatives, which plain oneOf would reject.
    expect(validateResponse(spec30, 'get', '/shapes', 200, { kind: 'round', r: 1, side: 2 }).valid).toBe(true);
    expect(validateResponse(spec30, 'get', '/shapes', 200, { kind: 'Square', r: 1 }).errors).toEqual([
      "GET /shapes 200: body must have required property 'side'",
    ]);
    expect(validateResponse(spec30, 'get', '/shapes', 200, { r: 1 }).errors).toEqual(["GET /shapes 200: body must have required property 'kind'"]);
    expect(validateResponse(spec30, 'get', '/shapes', 200, { kind: 'hex' }).errors).toEqual([
      'GET /shapes 200: body/kind must be equal to one of the allowed values: "round", "Square" (got "hex")',
    ]);
  });

  test('writeOnly properties are not required in responses; bodiless responses accept no body', () => {
    expect(validateResponse(spec30, 'get', '/secret', 200, { id: 'x' }).valid).toBe(true);
    expect(validateResponse(spec30, 'get', '/secret', 200, {}).valid).toBe(false);
    expect(validateResponse(spec30, 'get', '/gone', 204, undefined).valid).toBe(true);
    expect(validateResponse(spec30, 'get', '/gone', 204, { x: 1 }).valid).toBe(false);
  });

  test('OpenAPI 3.1 documents use JSON Schema 2020-12 semantics', () => {
    const spec31 = {
      openapi: '3.1.0',
      paths: { '/things': { get: ok({ type: 'array', items: { type: ['string', 'null'] } }) } },
      components: { schemas: {} },
    } as unknown as OpenApiSpec;
    expect(validateResponse(spec31, 'get', '/things', 200, ['a', null]).valid).toBe(true);
    expect(validateResponse(spec31, 'get', '/things', 200, [1]).errors).toEqual(['GET /things 200: body/0 must be string or null (got 1)']);
  });
});
