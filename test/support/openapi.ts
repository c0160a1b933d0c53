// Test support: validate JSON response bodies produced by the Okta org simulator against
// Okta's management OpenAPI spec (okta-sdk-nodejs, Apache-2.0), kept outside the repo at
// ../shared/okta-openapi/management.yaml or wherever OIE_AUDIT_OPENAPI points.
//
// The spec is OpenAPI 3.0 (3.1 is handled too), whose Schema Objects are not plain JSON Schema,
// so component schemas are translated once per spec before Ajv sees them:
//   - `nullable: true` becomes an explicit null branch;
//   - `discriminator` is turned into "if the property equals V then validate the mapped schema",
//     because Ajv's own discriminator support does not cover this spec's inheritance style
//     (base schema carries the mapping; each subtype is `allOf: [base, ...]`);
//   - keywords that are not validation keywords (x-*, example, readOnly, ...) are dropped;
//   - unknown `format` names (the spec has free-text ones) are not enforced;
//   - additional properties stay allowed unless the spec itself says otherwise.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OpenApiSpec {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}

export interface SpecExample {
  name: string;
  value: unknown;
}

type Json = Record<string, unknown>;

/**
 * Path templates exactly as the spec writes them, for the operations the simulator serves.
 * Note the single-user path uses `{userId}` but accepts an ID, a login or a login shortname
 * (parameter `pathId_userId`); the factor and enrollment paths take a user ID only.
 */
export const SPEC_PATHS = {
  users: '/api/v1/users',
  user: '/api/v1/users/{userId}',
  userFactors: '/api/v1/users/{userId}/factors',
  userFactor: '/api/v1/users/{userId}/factors/{factorId}',
  userFactorCatalog: '/api/v1/users/{userId}/factors/catalog',
  userFactorQuestions: '/api/v1/users/{userId}/factors/questions',
  userAuthenticatorEnrollments: '/api/v1/users/{userId}/authenticator-enrollments',
  authenticators: '/api/v1/authenticators',
  policies: '/api/v1/policies',
  policyRules: '/api/v1/policies/{policyId}/rules',
  logs: '/api/v1/logs',
  eventHooks: '/api/v1/eventHooks',
  apiTokens: '/api/v1/api-tokens',
  apps: '/api/v1/apps',
  brands: '/api/v1/brands',
  signInPageCustomized: '/api/v1/brands/{brandId}/pages/sign-in/customized',
  domains: '/api/v1/domains',
  trustedOrigins: '/api/v1/trustedOrigins',
  inlineHooks: '/api/v1/inlineHooks',
  orgMetadata: '/.well-known/okta-organization',
} as const;

export type SpecPath = (typeof SPEC_PATHS)[keyof typeof SPEC_PATHS];

/**
 * A place where the spec disagrees with what Okta returns, and how validation compensates.
 * `at` names a component schema, optionally followed by a JSON pointer into it as written in the
 * spec (`'AccessPolicyRule/allOf/1/properties/conditions'`); a final `*` means every entry there.
 */
export type KnownSpecError =
  | {
      /** The operation returns a JSON array of the schema the spec declares for it. */
      kind: 'responseIsArray';
      method: HttpMethod;
      path: string;
      status: number;
      reason: string;
    }
  | { kind: 'nullable'; at: string[]; reason: string }
  /** Values accepted besides whatever the schema at `at` accepts. */
  | { kind: 'allowValues'; at: string[]; values: unknown[]; reason: string }
  | { kind: 'notRequired'; at: string[]; properties: string[]; reason: string }
  /** Keywords replaced (`set`) or dropped (`remove`) on the schema at `at`. */
  | { kind: 'override'; at: string[]; set?: Record<string, unknown>; remove?: string[]; reason: string };

export const KNOWN_SPEC_ERRORS: readonly KnownSpecError[] = [
  {
    kind: 'responseIsArray',
    method: 'get',
    path: '/api/v1/users/{userId}/authenticator-enrollments',
    status: 200,
    reason:
      'The 200 body is typed as a single AuthenticatorEnrollment, but the operation lists enrollments and ' +
      "Okta returns an array (so does the spec's own example AuthenticatorEnrollmentResponseListAll).",
  },
  {
    kind: 'notRequired',
    at: ['AuthenticatorProfile'],
    properties: ['phoneNumber'],
    reason:
      'AuthenticatorEnrollment.profile depends on the enrollment type; only phone enrollments carry phoneNumber ' +
      '(AuthenticatorEnrollmentResponseListAll: email has {email}, password has no profile).',
  },
  {
    kind: 'override',
    at: ['UserFactorSMSProfile/properties/phoneNumber', 'UserFactorCallProfile/properties/phoneNumber'],
    remove: ['pattern'],
    reason:
      'The E.164 pattern describes what enrollment should send; factor responses in the spec\'s own examples ' +
      '(ListFactorsResults, FactorResponseSms) return "+1-555-415-1337".',
  },
  {
    kind: 'override',
    at: ['UserFactorSupported/properties/_embedded'],
    set: { additionalProperties: { anyOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] } },
    reason:
      "The factor catalog's sms entry embeds the user's enrolled phones as an array (`_embedded.phones`, " +
      'SupportedFactorResults); the spec only allows objects there.',
  },
  {
    kind: 'override',
    at: ['TimeDuration'],
    set: { pattern: '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$' },
    reason:
      "The ISO 8601 duration pattern's lookaheads were turned into non-capturing groups (`(?:$)`, `(?:\\d)`), so " +
      'it rejects every real duration; api-tokens return tokenWindow "P30D" / "PT5M" (ApiTokenListMetadataResponse).',
  },
  {
    kind: 'allowValues',
    at: ['UserProfile/properties/secondEmail'],
    values: [''],
    reason:
      'An unset secondary email can come back as "" (ListUsersSearchResponse); minLength/email format only bind input.',
  },
  {
    kind: 'nullable',
    at: [
      'AccessPolicyRule/allOf/1/properties/conditions',
      'EntityRiskPolicyRule/allOf/1/properties/conditions',
      'PostAuthSessionPolicyRule/allOf/1/properties/conditions',
      'SessionViolationDetectionPolicyRule/allOf/1/properties/conditions',
    ],
    reason: 'Default (system) rules are returned with `conditions: null` (list-all-*-policy-rule-response examples).',
  },
  {
    kind: 'notRequired',
    at: ['PolicyPeopleCondition'],
    properties: ['groups'],
    reason:
      'Rules come back with `people: {users: {exclude: []}}` only (sign-on, password and post-auth-session ' +
      'rule list examples); Okta omits the empty parts.',
  },
  {
    kind: 'notRequired',
    at: ['UserCondition'],
    properties: ['include'],
    reason: 'Same examples: `users` carries only `exclude`.',
  },
  {
    kind: 'allowValues',
    at: ['IdpPolicyRuleActionProvider/properties/type'],
    values: ['OKTA', 'AgentlessDSSO', 'IWA'],
    reason:
      "The property's own description names OKTA, AgentlessDSSO and IWA, but it reuses IdentityProviderType, " +
      'which lacks them; the default IdP discovery rule routes to {type: "OKTA"}.',
  },
  {
    kind: 'notRequired',
    at: ['UserIdentifierPolicyRuleCondition'],
    properties: ['type'],
    reason: 'The default IdP discovery rule returns `userIdentifier: {patterns: []}` without a type.',
  },
  {
    kind: 'nullable',
    at: [
      'ProfileEnrollmentPolicyRuleAction/properties/preRegistrationInlineHooks',
      'ProfileEnrollmentPolicyRuleAction/properties/targetGroupIds',
    ],
    reason: 'The default profile enrollment rule returns these as null (list-all-profile-enrollment-policy-rule-response).',
  },
  {
    kind: 'notRequired',
    at: ['RiskScorePolicyRuleCondition'],
    properties: ['level'],
    reason:
      'Session violation detection rules carry only `minRiskLevel` (as its description says) and no `level`.',
  },
  {
    kind: 'nullable',
    at: [
      'LogEvent/properties/*', 'LogActor/properties/*', 'LogAuthenticationContext/properties/*',
      'LogIssuer/properties/*', 'LogClient/properties/*', 'LogGeographicalContext/properties/*',
      'LogGeolocation/properties/*', 'LogUserAgent/properties/*', 'LogDebugContext/properties/*',
      'LogOutcome/properties/*', 'LogRequest/properties/*', 'LogIpAddress/properties/*', 'LogIpDetails/properties/*',
      'LogSecurityContext/properties/*', 'LogRisk/properties/*', 'LogUserBehavior/properties/*',
      'LogTarget/properties/*', 'LogTransaction/properties/*',
    ],
    reason:
      'System Log events serialise absent values as null almost everywhere (ListLogs: detailEntry, ' +
      'credentialType, interface, issuer, outcome.reason, client.id, ...); the spec marks none of them nullable.',
  },
  {
    kind: 'nullable',
    at: [
      'ApplicationAccessibility/properties/errorRedirectUrl', 'ApplicationAccessibility/properties/loginRedirectUrl',
      'ApplicationSettingsNotificationsVpn/properties/helpUrl', 'ApplicationSettingsNotificationsVpn/properties/message',
      'SamlApplicationSettingsSignOn/properties/defaultRelayState', 'SamlApplicationSettingsSignOn/properties/audienceOverride',
      'SamlApplicationSettingsSignOn/properties/destinationOverride', 'SamlApplicationSettingsSignOn/properties/recipientOverride',
      'SamlApplicationSettingsSignOn/properties/ssoAcsUrlOverride',
    ],
    reason: "Unset app settings are null in every one of the spec's own listApplications examples (ResponseExample1-4).",
  },
  {
    kind: 'notRequired',
    at: ['SamlApplicationSettingsSignOn'],
    properties: [
      'allowMultipleAcsEndpoints', 'assertionSigned', 'audience', 'authnContextClassRef', 'destination', 'digestAlgorithm', 'honorForceAuthn',
      'idpIssuer', 'recipient', 'requestCompressed', 'responseSigned', 'signatureAlgorithm', 'ssoAcsUrl', 'subjectNameIdFormat', 'subjectNameIdTemplate',
    ],
    reason: 'The required list describes what creating a custom SAML app must send; catalog SAML apps in the spec\'s own list examples carry only defaultRelayState and overrides.',
  },
  {
    kind: 'nullable',
    at: ['Brand/properties/customPrivacyPolicyUrl', 'DefaultApp/properties/appInstanceId', 'DefaultApp/properties/appLinkName', 'DefaultApp/properties/classicApplicationUri'],
    reason: "A brand without a privacy policy or default app returns null here (the spec's own ListBrandsResponse example).",
  },
  {
    kind: 'nullable',
    at: ['InlineHookOAuthBasicConfig/properties/scope'],
    reason: "An OAuth inline hook without scopes returns scope null (the spec's own InlineHooktMgmtListAllexample).",
  },
];

const SPEC_ID = 'https://oie-audit.invalid/okta-management.json';
const SCHEMA_PREFIX = '#/components/schemas/';
const BASE_SUFFIX = '__base';
// Set by KNOWN_SPEC_ERRORS fixes: the schema also accepts null, whatever the spec's OpenAPI version.
const NULLABLE_MARK = 'x-oie-audit-nullable';

// ---------------------------------------------------------------------------------------------
// Loading

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the spec is expected: $OIE_AUDIT_OPENAPI, else ../shared/okta-openapi/management.yaml from the repo. */
export function specLocation(): string {
  const fromEnv = process.env['OIE_AUDIT_OPENAPI'];
  if (fromEnv) return isAbsolute(fromEnv) ? fromEnv : resolve(REPO_ROOT, fromEnv);
  return resolve(REPO_ROOT, '..', 'shared', 'okta-openapi', 'management.yaml');
}

const loaded = new Map<string, OpenApiSpec | null>();

/**
 * Parse the spec once per process (per location); `null` when the file is absent. Parsing the 3.4 MB YAML takes
 * seconds, so a JSON copy is kept under node_modules/.cache/oie-audit keyed by path, size and
 * mtime (JSON.parse of it is ~30x faster); any cache problem just falls back to YAML.
 */
export function loadSpec(): OpenApiSpec | null {
  const file = specLocation();
  const cached = loaded.get(file);
  if (cached !== undefined) return cached;
  let stat;
  try {
    stat = statSync(file);
  } catch {
    // Not remembered: the file may appear later in the same process.
    return null;
  }
  const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'oie-audit');
  const prefix = `${basename(file)}.${createHash('sha1').update(file).digest('hex').slice(0, 10)}.`;
  const cacheFile = join(cacheDir, `${prefix}${stat.size}.${Math.trunc(stat.mtimeMs)}.json`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(cacheFile, 'utf8'));
  } catch {
    doc = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: -1 });
    writeCache(cacheDir, prefix, cacheFile, doc);
  }
  const spec = checkVersion(doc, file);
  loaded.set(file, spec);
  return spec;
}

function writeCache(dir: string, prefix: string, target: string, doc: unknown): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const old of readdirSync(dir)) {
      if (old.startsWith(prefix) && join(dir, old) !== target) unlinkSync(join(dir, old));
    }
    // Write-then-rename so a parallel Jest worker never reads a half-written file.
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc));
    renameSync(tmp, target);
  } catch {
    // The cache is only an optimisation.
  }
}

function checkVersion(doc: unknown, file: string): OpenApiSpec {
  if (!isObject(doc)) throw new Error(`${file}: not an OpenAPI document`);
  const version = doc['openapi'];
  if (typeof version !== 'string' || !/^3\.[01]\./.test(version)) {
    const found = typeof doc['swagger'] === 'string' ? `swagger ${doc['swagger']}` : String(version);
    throw new Error(`${file}: unsupported OpenAPI version (${found}); expected 3.0.x or 3.1.x`);
  }
  if (!isObject(doc['paths'])) throw new Error(`${file}: spec has no paths`);
  return doc as OpenApiSpec;
}

// ---------------------------------------------------------------------------------------------
// Looking things up in the spec

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pointerGet(root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return root;
  let node = root;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Follow `$ref`s (local ones only) until a non-reference object is reached. */
export function deref(spec: OpenApiSpec, node: unknown): unknown {
  for (let hops = 0; isObject(node) && typeof node['$ref'] === 'string'; hops++) {
    const ref = node['$ref'];
    if (!ref.startsWith('#') || hops > 20) throw new Error(`cannot resolve $ref ${ref}`);
    node = pointerGet(spec, ref.slice(1));
  }
  return node;
}

function findOperation(spec: OpenApiSpec, method: HttpMethod, pathTemplate: string): { path: string; op: Json } | null {
  let path: string | undefined = pathTemplate in spec.paths ? pathTemplate : undefined;
  if (path === undefined) {
    // Tolerate other parameter names ('{id}' for '{userId}') when the shape is unambiguous.
    const shape = (p: string): string => p.replace(/\{[^}]*\}/g, '{}');
    const candidates = Object.keys(spec.paths).filter((p) => shape(p) === shape(pathTemplate));
    if (candidates.length === 1) path = candidates[0];
  }
  if (path === undefined) return null;
  const op = spec.paths[path]?.[method];
  return isObject(op) ? { path, op } : null;
}

function responseObject(spec: OpenApiSpec, op: Json, status: number): Json | null {
  const responses = op['responses'];
  if (!isObject(responses)) return null;
  const key = String(status);
  const candidates = [key, `${key[0]}XX`, `${key[0]}xx`, 'default'];
  for (const k of candidates) {
    if (k in responses) {
      const res = deref(spec, responses[k]);
      return isObject(res) ? res : null;
    }
  }
  return null;
}

function jsonMediaType(res: Json): Json | null {
  const content = res['content'];
  if (!isObject(content)) return null;
  const key =
    Object.keys(content).find((k) => /^application\/json\b/i.test(k)) ??
    Object.keys(content).find((k) => /[/+]json\b/i.test(k));
  const media = key === undefined ? undefined : content[key];
  return isObject(media) ? media : null;
}

/**
 * The response schema the spec declares for an operation and status (falling back to `NXX` then
 * `default`), from its JSON content, as written in the spec (`$ref`s unresolved, KNOWN_SPEC_ERRORS
 * not applied). `null` when the operation, the status or a JSON schema is not in the spec.
 */
export function responseSchemaFor(spec: OpenApiSpec, method: HttpMethod, pathTemplate: string, status: number): object | null {
  const found = findOperation(spec, method, pathTemplate);
  const res = found && responseObject(spec, found.op, status);
  const media = res && jsonMediaType(res);
  const schema = media?.['schema'];
  return isObject(schema) ? schema : null;
}

/** The spec's own JSON examples for an operation's response (named `examples` and a lone `example`). */
export function responseExamplesFor(spec: OpenApiSpec, method: HttpMethod, pathTemplate: string, status: number): SpecExample[] {
  const found = findOperation(spec, method, pathTemplate);
  const res = found && responseObject(spec, found.op, status);
  const media = res && jsonMediaType(res);
  if (!media) return [];
  const out: SpecExample[] = [];
  if ('example' in media) out.push({ name: 'example', value: media['example'] });
  const examples = media['examples'];
  if (isObject(examples)) {
    for (const [name, ex] of Object.entries(examples)) {
      const resolved = deref(spec, ex);
      if (isObject(resolved) && 'value' in resolved) out.push({ name, value: resolved['value'] });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Schema translation (OpenAPI Schema Object -> JSON Schema understood by Ajv)

// Keywords copied through unchanged; everything else is annotation, vendor extension or handled below.
const PLAIN_KEYWORDS = new Set([
  'type', 'enum', 'const', 'required', 'multipleOf', 'maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties',
  'dependentRequired',
]);
const SCHEMA_KEYWORDS = new Set(['items', 'not', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems']);
const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependentSchemas']);

interface TranslateContext {
  openapi30: boolean;
  components: Json;
  /** Component names that carry an inheritance-style discriminator (validated through a dispatcher). */
  dispatched: Set<string>;
  knownFormats: Set<string>;
}

function schemaName(ref: string): string | null {
  return ref.startsWith(SCHEMA_PREFIX) ? decodeURIComponent(ref.slice(SCHEMA_PREFIX.length)) : null;
}

function absoluteRef(ref: string): string {
  if (!ref.startsWith('#')) throw new Error(`only local $refs are supported, got ${ref}`);
  return SPEC_ID + ref;
}

function translate(node: unknown, ctx: TranslateContext, inheritsFrom = false): unknown {
  if (!isObject(node)) return node;
  if (typeof node['$ref'] === 'string') {
    const name = schemaName(node['$ref']);
    // An `allOf` member naming a discriminated parent means "inherit its properties", not
    // "dispatch on the discriminator again" (which would loop back into the subtype).
    const ref = inheritsFrom && name !== null && ctx.dispatched.has(name)
      ? absoluteRef(SCHEMA_PREFIX + encodeURIComponent(name + BASE_SUFFIX))
      : absoluteRef(node['$ref']);
    if (ctx.openapi30 || node[NULLABLE_MARK] === true) {
      // OAS 3.0 ignores $ref siblings; `nullable` is still honoured because the spec's authors
      // clearly mean it and treating it otherwise would reject real null values.
      const nullable = node[NULLABLE_MARK] === true || (ctx.openapi30 && node['nullable'] === true);
      return nullable ? nullableWrap({ $ref: ref }) : { $ref: ref };
    }
    const { $ref: _omit, ...rest } = node;
    const siblings = translate(rest, ctx) as Json;
    return Object.keys(siblings).length === 0 ? { $ref: ref } : { allOf: [{ $ref: ref }, siblings] };
  }

  let out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (PLAIN_KEYWORDS.has(key)) out[key] = value;
    else if (key === 'pattern') {
      // Some patterns use other engines' syntax (e.g. a leading `(?i)`); those cannot be enforced here.
      if (typeof value === 'string' && isJsRegExp(value)) out[key] = value;
    } else if (key === 'format') {
      if (typeof value === 'string' && ctx.knownFormats.has(value)) out[key] = value;
    } else if (SCHEMA_KEYWORDS.has(key)) out[key] = translate(value, ctx);
    else if (key === 'additionalProperties') out[key] = typeof value === 'boolean' ? value : translate(value, ctx);
    else if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(value)) {
      out[key] = value.map((member) => translate(member, ctx, key === 'allOf'));
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translate(v, ctx)]));
    }
  }

  if (ctx.openapi30) {
    // Draft-04 style boolean exclusive bounds.
    for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof out[flag] === 'boolean') {
        if (out[flag] === true && typeof out[bound] === 'number') {
          out[flag] = out[bound];
          delete out[bound];
        } else delete out[flag];
      }
    }
  }

  // writeOnly properties never appear in responses, so they cannot be required there.
  if (Array.isArray(out['required']) && isObject(node['properties'])) {
    const props = node['properties'];
    out['required'] = out['required'].filter((p) => !isWriteOnly(props[p as string], ctx));
  }

  const discriminator = node['discriminator'];
  if (isObject(discriminator) && typeof discriminator['propertyName'] === 'string') {
    const union = Array.isArray(node['oneOf']) ? 'oneOf' : Array.isArray(node['anyOf']) ? 'anyOf' : null;
    if (union !== null) out = polymorphicUnion(out, union, node[union] as unknown[], discriminator);
  }

  if ((ctx.openapi30 && node['nullable'] === true) || node[NULLABLE_MARK] === true) {
    if (['allOf', 'anyOf', 'oneOf', 'not', 'const'].some((k) => k in out)) out = nullableWrap(out);
    else {
      if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
      else if (Array.isArray(out['type']) && !out['type'].includes('null')) out['type'] = [...out['type'], 'null'];
      if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    }
  }
  return out;
}

function isJsRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u'); // as Ajv compiles it
    return true;
  } catch {
    return false;
  }
}

// if/else rather than anyOf so a non-null mismatch reports only the real errors.
function nullableWrap(schema: Json): Json {
  return { if: { type: 'null' }, else: schema };
}

function isWriteOnly(prop: unknown, ctx: TranslateContext): boolean {
  if (!isObject(prop)) return false;
  if (prop['writeOnly'] === true) return true;
  const name = typeof prop['$ref'] === 'string' ? schemaName(prop['$ref']) : null;
  const target = name === null ? undefined : ctx.components[name];
  return isObject(target) && target['writeOnly'] === true;
}

function discriminatorMapping(discriminator: Json): Map<string, string> {
  const mapping = new Map<string, string>();
  if (isObject(discriminator['mapping'])) {
    for (const [value, target] of Object.entries(discriminator['mapping'])) {
      if (typeof target === 'string') mapping.set(value, target.startsWith('#') ? target : SCHEMA_PREFIX + target);
    }
  }
  return mapping;
}

function dispatch(property: string, mapping: Map<string, string>): Json[] {
  return [...mapping].map(([value, ref]) => ({
    if: { properties: { [property]: { const: value } }, required: [property] },
    then: { $ref: absoluteRef(ref) },
  }));
}

/** `oneOf`/`anyOf` + discriminator: the discriminator value picks the alternative (no "exactly one" guesswork). */
function polymorphicUnion(out: Json, union: 'oneOf' | 'anyOf', members: unknown[], discriminator: Json): Json {
  const property = discriminator['propertyName'] as string;
  const mapping = discriminatorMapping(discriminator);
  const mapped = new Set(mapping.values());
  for (const member of members) {
    // Implicit mapping: an alternative not named in `mapping` is selected by its schema name.
    const ref = isObject(member) && typeof member['$ref'] === 'string' ? member['$ref'] : null;
    const name = ref && schemaName(ref);
    if (ref && name && !mapped.has(ref) && !mapping.has(name)) mapping.set(name, ref);
  }
  if (mapping.size === 0) return out;
  const { [union]: _omit, ...rest } = out;
  const allOf = Array.isArray(rest['allOf']) ? [...(rest['allOf'] as unknown[])] : [];
  allOf.push({ required: [property], properties: { [property]: { enum: [...mapping.keys()] } } }, ...dispatch(property, mapping));
  return { ...rest, allOf };
}

/** Component schemas as Ajv-ready JSON Schema, with KNOWN_SPEC_ERRORS patched in. */
function translateComponents(spec: OpenApiSpec, knownFormats: Set<string>): Json {
  const raw = structuredClone(spec.components?.['schemas'] ?? {}) as Json;
  applySchemaFixes(raw);
  const dispatched = new Set<string>();
  for (const [name, schema] of Object.entries(raw)) {
    const d = isObject(schema) ? schema['discriminator'] : undefined;
    if (isObject(d) && isObject(schema) && !Array.isArray(schema['oneOf']) && !Array.isArray(schema['anyOf'])) dispatched.add(name);
  }
  const ctx: TranslateContext = { openapi30: spec.openapi.startsWith('3.0.'), components: raw, dispatched, knownFormats };
  const out: Json = {};
  for (const [name, schema] of Object.entries(raw)) {
    if (!dispatched.has(name)) {
      out[name] = translate(schema, ctx);
      continue;
    }
    // Inheritance-style discriminator: `Name` validates the base and, when the property value is
    // mapped, the subtype too; `Name__base` is what subtypes inherit. Unmapped values get the base
    // only (the property's own enum, if any, still applies).
    const discriminator = (schema as Json)['discriminator'] as Json;
    const property = discriminator['propertyName'];
    const mapping = discriminatorMapping(discriminator);
    for (const [value, ref] of mapping) {
      if (schemaName(ref) === name) mapping.set(value, SCHEMA_PREFIX + encodeURIComponent(name + BASE_SUFFIX));
    }
    out[name + BASE_SUFFIX] = translate(schema, ctx);
    out[name] = {
      allOf: [
        { $ref: absoluteRef(SCHEMA_PREFIX + encodeURIComponent(name + BASE_SUFFIX)) },
        ...(typeof property === 'string' ? dispatch(property, mapping) : []),
      ],
    };
  }
  return out;
}

function applySchemaFixes(schemas: Json): void {
  for (const fix of KNOWN_SPEC_ERRORS) {
    if (fix.kind === 'responseIsArray') continue;
    for (const at of fix.at) {
      for (const [parent, key] of fixTargets(schemas, at)) {
        const target = parent[key] as Json;
        if (fix.kind === 'nullable') target[NULLABLE_MARK] = true;
        else if (fix.kind === 'allowValues') parent[key] = { anyOf: [target, { enum: fix.values }] };
        else if (fix.kind === 'notRequired') {
          if (Array.isArray(target['required'])) target['required'] = target['required'].filter((p) => !fix.properties.includes(p));
        } else {
          for (const k of fix.remove ?? []) delete target[k];
          Object.assign(target, structuredClone(fix.set ?? {}));
        }
      }
    }
  }
}

/**
 * The (container, key) pairs an `at` location names, so a fix can replace the schema in place.
 * None when the location is absent: another spec version may have fixed or renamed it (see
 * missingKnownErrorLocations).
 */
function fixTargets(schemas: Json, at: string): Array<[Json, string]> {
  const [name = '', ...segments] = at.split('/');
  const last = segments.pop();
  if (last === undefined) return isObject(schemas[name]) ? [[schemas, name]] : [];
  const parent = pointerGet(schemas[name], `/${segments.join('/')}`);
  if (!isObject(parent)) return [];
  if (last === '*') return Object.keys(parent).map((k) => [parent, k]);
  return isObject(parent[last]) ? [[parent, last]] : [];
}

/** KNOWN_SPEC_ERRORS locations this spec does not have (stale entries once the spec changes). */
export function missingKnownErrorLocations(spec: OpenApiSpec): string[] {
  const schemas = (spec.components?.['schemas'] ?? {}) as Json;
  const missing: string[] = [];
  for (const fix of KNOWN_SPEC_ERRORS) {
    if (fix.kind === 'responseIsArray') {
      if (!findOperation(spec, fix.method, fix.path)) missing.push(`${fix.method.toUpperCase()} ${fix.path}`);
    } else for (const at of fix.at) if (fixTargets(schemas, at).length === 0) missing.push(at);
  }
  return missing;
}

// ---------------------------------------------------------------------------------------------
// Validation

interface Validators {
  ajv: Ajv;
  openapi30: boolean;
  compiled: Map<string, ValidateFunction | null>;
}

const validatorsBySpec = new WeakMap<OpenApiSpec, Validators>();

function validatorsFor(spec: OpenApiSpec): Validators {
  let v = validatorsBySpec.get(spec);
  if (v) return v;
  const openapi30 = spec.openapi.startsWith('3.0.');
  const options = { strict: false, allErrors: true, validateFormats: true } as const;
  const ajv = openapi30 ? new Ajv(options) : (new Ajv2020(options) as unknown as Ajv);
  formatsPlugin.default(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: translateComponents(spec, new Set(Object.keys(ajv.formats))) } });
  v = { ajv, openapi30, compiled: new Map() };
  validatorsBySpec.set(spec, v);
  return v;
}

function compiledFor(spec: OpenApiSpec, method: HttpMethod, pathTemplate: string, status: number): ValidateFunction | null {
  const v = validatorsFor(spec);
  const key = `${method} ${pathTemplate} ${status}`;
  if (v.compiled.has(key)) return v.compiled.get(key) ?? null;
  const found = findOperation(spec, method, pathTemplate);
  let schema = responseSchemaFor(spec, method, pathTemplate, status);
  let fn: ValidateFunction | null = null;
  if (found && schema) {
    const asArray = KNOWN_SPEC_ERRORS.some(
      (e) => e.kind === 'responseIsArray' && e.method === method && e.path === found.path && e.status === status,
    );
    if (asArray) schema = { type: 'array', items: schema };
    const ctx: TranslateContext = {
      openapi30: v.openapi30,
      components: (spec.components?.['schemas'] ?? {}) as Json,
      dispatched: new Set(),
      knownFormats: new Set(Object.keys(v.ajv.formats)),
    };
    fn = v.ajv.compile(translate(schema, ctx) as Json);
  }
  v.compiled.set(key, fn);
  return fn;
}

/** Validate a response body; error strings name the JSON pointer, the problem and the offending value. */
export function validateResponse(
  spec: OpenApiSpec,
  method: HttpMethod,
  pathTemplate: string,
  status: number,
  body: unknown,
): ValidationResult {
  const label = `${method.toUpperCase()} ${pathTemplate} ${status}`;
  const found = findOperation(spec, method, pathTemplate);
  if (!found) return { valid: false, errors: [`${label}: operation not in spec`] };
  const res = responseObject(spec, found.op, status);
  if (!res) return { valid: false, errors: [`${label}: status not documented for this operation`] };
  const validate = compiledFor(spec, method, pathTemplate, status);
  if (!validate) {
    // Documented without a JSON body (e.g. 204).
    const empty = body === undefined || body === null || body === '';
    return empty ? { valid: true, errors: [] } : { valid: false, errors: [`${label}: spec documents no JSON body`] };
  }
  if (validate(body)) return { valid: true, errors: [] };
  return { valid: false, errors: describeErrors(validate.errors ?? [], body, label) };
}

/**
 * Validate a value against a named component schema (e.g. `ModelError` for an error status an
 * operation does not document), with the same translation and KNOWN_SPEC_ERRORS as responses.
 */
export function validateSchema(spec: OpenApiSpec, schemaName: string, value: unknown): ValidationResult {
  const label = `schema ${schemaName}`;
  if (!isObject(spec.components?.['schemas']?.[schemaName])) return { valid: false, errors: [`${label}: not in spec`] };
  const v = validatorsFor(spec);
  const key = `#schema ${schemaName}`;
  let validate = v.compiled.get(key);
  if (!validate) {
    validate = v.ajv.compile({ $ref: absoluteRef(SCHEMA_PREFIX + encodeURIComponent(schemaName)) });
    v.compiled.set(key, validate);
  }
  if (validate(value)) return { valid: true, errors: [] };
  return { valid: false, errors: describeErrors(validate.errors ?? [], value, label) };
}

function describeErrors(errors: ErrorObject[], body: unknown, label: string): string[] {
  const lines = new Set<string>();
  for (const e of errors) {
    // "must match then/else schema" only repeats the nested errors that are also reported.
    if (e.keyword === 'if') continue;
    let message = e.message ?? e.keyword;
    if (e.keyword === 'type') message = `must be ${String(e.params['type']).split(',').join(' or ')}`;
    if (e.keyword === 'enum') message += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
    const value = e.keyword === 'required' ? '' : ` (got ${preview(pointerGet(body, e.instancePath))})`;
    lines.add(`${label}: body${e.instancePath || ''} ${message}${value}`);
  }
  return [...lines];
}

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
