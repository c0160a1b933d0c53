/**
 * Org-level configuration of the generated org: authenticators, policies and their rules, event
 * hooks and API token metadata. Small and fixed in size, so it is built whole (and cached by the
 * caller); every value still derives from the seed.
 */
import type { JsonObject, UserStatus } from './types.js';
import { type GenContext, DAY, iso, link, oktaId } from './generated_context.js';
import { type UserCore, userCore, userStatus } from './generated_users.js';
import { hash32, intBetween, unit } from './random.js';

const S = { ageDays: 301, start: 302, expires: 303 } as const;

export function authenticatorId(ctx: GenContext, key: string): string {
  return oktaId(ctx, 'aut', key);
}

/** A date `minDays`..`maxDays` before now, whole seconds, stable per name. */
function pastDate(ctx: GenContext, name: string, minDays: number, maxDays: number): number {
  const days = minDays + unit(hash32(ctx.seed, S.ageDays, name)) * (maxDays - minDays);
  return Math.floor((ctx.nowMs - days * DAY) / 1000) * 1000;
}

export function createdUpdated(ctx: GenContext, name: string): { created: string; lastUpdated: string } {
  const created = pastDate(ctx, name, 400, 2000);
  const updated = pastDate(ctx, `${name}/updated`, 3, 380);
  return { created: iso(created), lastUpdated: iso(Math.max(created, updated)) };
}

// ---- authenticators ----

interface AuthenticatorDef { key: string; type: string; name: string; settings?: JsonObject; provider?: JsonObject; aaguids?: true; canDeactivate: boolean }
const AUTHENTICATORS: readonly AuthenticatorDef[] = [
  { key: 'okta_email', type: 'email', name: 'Email', settings: { allowedFor: 'any', tokenLifetimeInMinutes: 5 }, canDeactivate: true },
  { key: 'okta_password', type: 'password', name: 'Password', canDeactivate: false },
  { key: 'okta_verify', type: 'app', name: 'Okta Verify', canDeactivate: true,
    settings: { channelBinding: { required: 'NEVER', style: 'NUMBER_CHALLENGE' }, compliance: { fips: 'OPTIONAL' }, userVerification: 'PREFERRED' } },
  { key: 'phone_number', type: 'phone', name: 'Phone', settings: { allowedFor: 'any' }, canDeactivate: true },
  { key: 'security_question', type: 'security_question', name: 'Security Question', settings: { allowedFor: 'any' }, canDeactivate: true },
  { key: 'webauthn', type: 'security_key', name: 'Security Key or Biometric', aaguids: true, canDeactivate: true },
  { key: 'google_otp', type: 'app', name: 'Google Authenticator', canDeactivate: true },
  { key: 'duo', type: 'app', name: 'Duo Security', settings: {}, canDeactivate: true,
    provider: { type: 'DUO', configuration: { host: 'https://api-xxxxxxxx.duosecurity.com', userNameTemplate: { template: 'oktaId' } } } },
  // The authenticator key enum has no rsa_token (only the policy enum does): RSA SecurID is on-prem MFA.
  { key: 'onprem_mfa', type: 'security_key', name: 'RSA SecurID', canDeactivate: true },
  { key: 'symantec_vip', type: 'app', name: 'Symantec VIP', canDeactivate: true },
  { key: 'yubikey_token', type: 'security_key', name: 'YubiKey', canDeactivate: true },
  { key: 'custom_otp', type: 'security_key', name: 'Custom OTP', canDeactivate: true },
];

export function buildAuthenticators(ctx: GenContext): JsonObject[] {
  return AUTHENTICATORS.map((a) => {
    const id = authenticatorId(ctx, a.key);
    const href = `${ctx.baseUrl}/api/v1/authenticators/${id}`;
    const out: JsonObject = { type: a.type, id, key: a.key, status: 'ACTIVE', name: a.name, ...createdUpdated(ctx, `aut/${a.key}`) };
    if (a.settings !== undefined) {
      out['settings'] = a.key === 'okta_verify' ? { ...a.settings, appInstanceId: oktaId(ctx, '0oa', 'okta-verify-app') } : a.settings;
    }
    if (a.provider !== undefined) out['provider'] = a.provider;
    const links: JsonObject = { self: link(href, 'GET', 'PUT'), methods: link(`${href}/methods`, 'GET') };
    if (a.canDeactivate) links['deactivate'] = link(`${href}/lifecycle/deactivate`, 'POST');
    if (a.aaguids) links['aaguids'] = link(`${href}/aaguids`, 'GET', 'POST');
    out['_links'] = links;
    return out;
  });
}

// ---- policies and rules ----

interface RuleDef { name: string; priority: number; system: boolean; conditions: JsonObject | null; actions: JsonObject; type: string }
interface PolicyDef { type: string; name: string; description: string; priority: number; system: boolean; conditions: JsonObject | null; settings?: JsonObject; rules: RuleDef[] }

const enroll = (self: string): JsonObject => ({ enroll: { self } });
const classicFactors = (overrides: Record<string, string>): JsonObject => {
  const base: Record<string, string> = {
    okta_password: 'REQUIRED', okta_push: 'OPTIONAL', okta_otp: 'OPTIONAL', okta_sms: 'OPTIONAL', okta_call: 'OPTIONAL',
    okta_email: 'OPTIONAL', okta_question: 'OPTIONAL', google_otp: 'OPTIONAL', fido_webauthn: 'OPTIONAL', fido_u2f: 'OPTIONAL',
    duo: 'NOT_ALLOWED', rsa_token: 'NOT_ALLOWED', symantec_vip: 'NOT_ALLOWED', yubikey_token: 'NOT_ALLOWED', custom_otp: 'NOT_ALLOWED',
  };
  const merged = { ...base, ...overrides };
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, { ...enroll(v), consent: { type: 'NONE' } }]));
};
const anyone = (): JsonObject => ({ people: { users: { exclude: [] } }, network: { connection: 'ANYWHERE' } });

function policyDefs(ctx: GenContext): PolicyDef[] {
  const idx = ctx.pipeline === 'idx';
  const group = (name: string): string => oktaId(ctx, '00g', name);
  const zone = (name: string): string => oktaId(ctx, 'nzo', name);
  const signOnConditions = (extra: JsonObject): JsonObject => ({
    people: { users: { include: [], exclude: [] }, groups: { include: [], exclude: [] } },
    ...extra,
    authContext: { authType: 'ANY' },
    ...(idx ? { risk: { behaviors: [] }, riskScore: { level: 'ANY' }, identityProvider: { provider: 'ANY' } } : {}),
  });
  const signOn = (requireFactor: boolean, primaryFactor: string): JsonObject => ({
    signon: {
      access: 'ALLOW', requireFactor,
      ...(idx ? { primaryFactor } : {}),
      ...(requireFactor ? { factorPromptMode: 'ALWAYS' } : {}),
      rememberDeviceByDefault: false,
      session: { usePersistentCookie: false, maxSessionIdleMinutes: 720, maxSessionLifetimeMinutes: 0 },
    },
  });

  const defs: PolicyDef[] = [];
  // MFA enrollment: the default policy keeps the Classic `settings.factors` format (a migrated org
  // that never converted it), with email OPTIONAL; idx orgs also have one converted policy.
  if (idx) {
    defs.push({
      type: 'MFA_ENROLL', name: 'Contractors enrollment', description: 'Authenticator enrollment for contractors', priority: 1, system: false,
      conditions: { people: { groups: { include: [group('contractors')] } } },
      settings: { type: 'AUTHENTICATORS', authenticators: [
        { key: 'okta_verify', ...enroll('REQUIRED') }, { key: 'okta_password', ...enroll('REQUIRED') },
        { key: 'okta_email', ...enroll('REQUIRED') }, { key: 'phone_number', ...enroll('OPTIONAL') },
        { key: 'webauthn', ...enroll('OPTIONAL') }, { key: 'security_question', ...enroll('NOT_ALLOWED') },
      ] },
      rules: [{ name: 'Enroll at sign-in', priority: 1, system: false, conditions: anyone(), actions: { enroll: { self: 'CHALLENGE' } }, type: 'MFA_ENROLL' }],
    });
  } else {
    defs.push({
      type: 'MFA_ENROLL', name: 'Hardware token holders', description: 'Legacy one-time-password tokens', priority: 1, system: false,
      conditions: { people: { groups: { include: [group('token-holders')] } } },
      settings: { factors: classicFactors({ rsa_token: 'REQUIRED', symantec_vip: 'OPTIONAL', yubikey_token: 'OPTIONAL', custom_otp: 'OPTIONAL', duo: 'OPTIONAL' }) },
      rules: [{ name: 'Enroll at sign-in', priority: 1, system: false, conditions: anyone(), actions: { enroll: { self: 'LOGIN' } }, type: 'MFA_ENROLL' }],
    });
  }
  defs.push({
    type: 'MFA_ENROLL', name: 'Default Policy', description: 'The default policy applies in all situations if no other policy applies.', priority: 2, system: true,
    conditions: { people: { groups: { include: [group('everyone')] } } },
    settings: { ...(idx ? { type: 'FACTORS' } : {}), factors: classicFactors({ okta_sms: 'REQUIRED' }) },
    rules: [
      { name: 'Do not enroll kiosk accounts', priority: 1, system: false,
        conditions: { people: { users: { exclude: [] } }, network: { connection: 'ZONE', include: [zone('kiosk-network')] } },
        actions: { enroll: { self: 'NEVER' } }, type: 'MFA_ENROLL' },
      { name: 'Default Rule', priority: 99, system: true, conditions: anyone(), actions: { enroll: { self: 'CHALLENGE' } }, type: 'MFA_ENROLL' },
    ],
  });
  defs.push({
    type: 'OKTA_SIGN_ON', name: 'Remote workers', description: 'Second factor off the corporate network', priority: 1, system: false,
    conditions: { people: { groups: { include: [group('remote-workers')] } } },
    rules: [{ name: 'MFA off-network', priority: 1, system: false,
      conditions: signOnConditions({ network: { connection: 'ZONE', exclude: [zone('corporate-network')] } }),
      actions: signOn(true, 'PASSWORD_IDP_ANY_FACTOR'), type: 'SIGN_ON' }],
  });
  defs.push({
    type: 'OKTA_SIGN_ON', name: 'Default Policy', description: 'The default policy applies in all situations if no other policy applies.', priority: 2, system: true,
    conditions: { people: { groups: { include: [group('everyone')] } } },
    rules: [{ name: 'Default Rule', priority: 1, system: true, conditions: signOnConditions({ network: { connection: 'ANYWHERE' } }),
      actions: signOn(false, 'PASSWORD_IDP'), type: 'SIGN_ON' }],
  });
  if (idx) {
    const appRule = (factorMode: string): RuleDef => ({
      name: 'Catch-all Rule', priority: 99, system: true, conditions: null, type: 'ACCESS_POLICY',
      actions: { appSignOn: { access: 'ALLOW', verificationMethod: { factorMode, type: 'ASSURANCE', reauthenticateIn: 'PT12H', constraints: [] } } },
    });
    defs.push({ type: 'ACCESS_POLICY', name: 'Default Policy', description: 'Default authentication policy for apps', priority: 1, system: true, conditions: null, rules: [appRule('1FA')] });
    defs.push({ type: 'ACCESS_POLICY', name: 'Okta Dashboard', description: 'Okta Dashboard authentication policy', priority: 2, system: false, conditions: null, rules: [appRule('2FA')] });
  }
  const discoveryConditions = (connection: JsonObject, platform: JsonObject[]): JsonObject => ({
    network: connection, platform: { include: platform, exclude: [] }, userIdentifier: { patterns: [] }, app: { include: [], exclude: [] },
  });
  defs.push({
    type: 'IDP_DISCOVERY', name: 'Idp Discovery Policy', description: 'Default IdP discovery policy', priority: 1, system: true, conditions: null,
    rules: [
      { name: 'IWA on the corporate network', priority: 1, system: false, type: 'IDP_DISCOVERY',
        conditions: discoveryConditions({ connection: 'ZONE', include: [zone('corporate-network')] }, [{ type: 'DESKTOP', os: { type: 'WINDOWS' } }]),
        actions: { idp: { providers: [{ type: 'IWA', id: oktaId(ctx, '0oa', 'iwa-idp') }], idpSelectionType: 'SPECIFIC', shouldFallBackToOkta: false } } },
      { name: 'Default Rule', priority: 2, system: true, type: 'IDP_DISCOVERY',
        conditions: discoveryConditions({ connection: 'ANYWHERE' }, []),
        actions: { idp: { providers: [{ type: 'OKTA' }], idpSelectionType: 'SPECIFIC', shouldFallBackToOkta: false } } },
    ],
  });
  return defs;
}

export interface PolicyConfig { policies: JsonObject[]; rules: Map<string, JsonObject[]> }

export function buildPolicies(ctx: GenContext): PolicyConfig {
  const policies: JsonObject[] = [];
  const rules = new Map<string, JsonObject[]>();
  for (const def of policyDefs(ctx)) {
    const id = oktaId(ctx, '00p', def.type, def.name);
    const href = `${ctx.baseUrl}/api/v1/policies/${id}`;
    const p: JsonObject = {
      type: def.type, id, status: 'ACTIVE', name: def.name, description: def.description, priority: def.priority, system: def.system,
      conditions: def.conditions, ...createdUpdated(ctx, `pol/${def.type}/${def.name}`),
    };
    if (def.settings !== undefined) p['settings'] = def.settings;
    const links: JsonObject = { self: link(href, 'GET', 'PUT'), rules: link(`${href}/rules`, 'GET', 'POST') };
    if (def.type === 'MFA_ENROLL') links['mappings'] = link(`${href}/mappings`, 'GET', 'POST');
    if (!def.system) links['deactivate'] = link(`${href}/lifecycle/deactivate`, 'POST');
    p['_links'] = links;
    policies.push(p);
    rules.set(id, def.rules.map((r) => {
      const rid = oktaId(ctx, '0pr', def.type, def.name, r.name);
      const rhref = `${href}/rules/${rid}`;
      const rl: JsonObject = { self: r.system ? link(rhref, 'GET', 'PUT') : link(rhref, 'GET', 'PUT', 'DELETE') };
      if (!r.system) rl['deactivate'] = link(`${rhref}/lifecycle/deactivate`, 'POST');
      return {
        id: rid, status: 'ACTIVE', name: r.name, priority: r.priority, ...createdUpdated(ctx, `rule/${rid}`), system: r.system,
        conditions: r.conditions, actions: r.actions, _links: rl, type: r.type,
      };
    }));
  }
  return { policies, rules };
}

// ---- API tokens and their owners ----

/** API tokens of the org; `uses` says which Classic API calls the log generator attributes to each. */
export interface TokenDef {
  name: string;
  ownerStatus: UserStatus;
  userAgent: string;
  uses: ReadonlyArray<'authn' | 'sessions' | 'sessions_cookie' | 'factors_admin' | 'factor_verify' | 'org_factors'>;
  network: 'ANYWHERE' | 'ZONE';
  tokenWindow: string;
}
export const TOKEN_DEFS: readonly TokenDef[] = [
  { name: 'Terraform', ownerStatus: 'ACTIVE', userAgent: 'okta-sdk-golang/2.20.0 golang/go1.22.1 linux/amd64', uses: ['org_factors'], network: 'ANYWHERE', tokenWindow: 'P30D' },
  { name: 'Legacy MFA enrollment script', ownerStatus: 'DEPROVISIONED', userAgent: 'python-requests/2.31.0', uses: ['factors_admin'], network: 'ANYWHERE', tokenWindow: 'P30D' },
  { name: 'Mobile app sign-in backend', ownerStatus: 'SUSPENDED', userAgent: 'okhttp/4.12.0', uses: ['authn', 'sessions', 'sessions_cookie'], network: 'ZONE', tokenWindow: 'P30D' },
  { name: 'Helpdesk verification tool', ownerStatus: 'ACTIVE', userAgent: 'Java/17.0.8', uses: ['factor_verify', 'factors_admin'], network: 'ANYWHERE', tokenWindow: 'P7D' },
  { name: 'Kiosk sign-in service', ownerStatus: 'DEPROVISIONED', userAgent: 'Go-http-client/1.1', uses: ['authn'], network: 'ZONE', tokenWindow: 'P30D' },
];

/** Bounded scan so a tiny org without the wanted status still answers quickly. */
const OWNER_SCAN = 20_000;

/** An index whose derived status is `status`, scanning from a seed-derived start; any index if none is near. */
export function findUserWithStatus(ctx: GenContext, status: UserStatus, salt: string, avoid: ReadonlySet<number> = new Set()): number | undefined {
  if (ctx.users === 0) return undefined;
  const start = hash32(ctx.seed, S.start, salt) % ctx.users;
  const steps = Math.min(ctx.users, OWNER_SCAN);
  for (let k = 0; k < steps; k++) {
    const i = (start + k) % ctx.users;
    if (!avoid.has(i) && userStatus(ctx, i) === status) return i;
  }
  return start;
}

export interface ApiToken { def: TokenDef; id: string; owner: UserCore; json: JsonObject }

export function buildApiTokens(ctx: GenContext): ApiToken[] {
  const out: ApiToken[] = [];
  const used = new Set<number>();
  for (const def of TOKEN_DEFS) {
    const ownerIndex = findUserWithStatus(ctx, def.ownerStatus, `token/${def.name}`, used);
    if (ownerIndex === undefined) continue;
    used.add(ownerIndex);
    const owner = userCore(ctx, ownerIndex);
    const id = oktaId(ctx, '00T', def.name);
    const { created, lastUpdated } = createdUpdated(ctx, `token/${def.name}`);
    const expiresAt = iso(Math.floor(ctx.nowMs / 1000) * 1000 + intBetween(5, 29, hash32(ctx.seed, S.expires, def.name)) * DAY);
    const json: JsonObject = {
      name: def.name, userId: owner.id, tokenWindow: def.tokenWindow,
      network: def.network === 'ANYWHERE' ? { connection: 'ANYWHERE' } : { connection: 'ZONE', include: [oktaId(ctx, 'nzo', 'corporate-network')] },
      id, clientName: 'Okta API', expiresAt, created, lastUpdated,
      _links: {
        self: link(`${ctx.baseUrl}/api/v1/api-tokens/${id}`, 'GET', 'DELETE'),
        user: link(`${ctx.baseUrl}/api/v1/users/${owner.id}`, 'GET'),
      },
    };
    out.push({ def, id, owner, json });
  }
  return out;
}

// ---- event hooks ----

const HOOKS: ReadonlyArray<{ name: string; description: string | null; status: 'ACTIVE' | 'INACTIVE'; items: string[]; path: string }> = [
  { name: 'Device Trust SIEM forwarder', description: 'Forwards Classic Device Trust sign-ins to the SIEM', status: 'ACTIVE',
    items: ['user.authentication.authenticate', 'user.credential.enroll'], path: 'device-trust' },
  { name: 'MFA change alerts', description: null, status: 'ACTIVE',
    items: ['user.mfa.factor.activate', 'user.mfa.factor.deactivate', 'user.mfa.okta_verify.deny_push'], path: 'mfa-changes' },
  { name: 'HR lifecycle sync', description: 'Keeps the HR system in step with Okta', status: 'ACTIVE',
    items: ['user.lifecycle.activate', 'user.lifecycle.deactivate', 'group.user_membership.add'], path: 'lifecycle' },
  { name: 'Unlock notifier', description: 'Notifies the service desk when an account is unlocked', status: 'INACTIVE',
    items: ['user.account.unlock_token'], path: 'unlock' },
];

export function buildEventHooks(ctx: GenContext, adminId: string | null): JsonObject[] {
  return HOOKS.map((h) => {
    const id = oktaId(ctx, 'who', h.name);
    const href = `${ctx.baseUrl}/api/v1/eventHooks/${id}`;
    const { created, lastUpdated } = createdUpdated(ctx, `hook/${h.name}`);
    return {
      id, status: h.status, verificationStatus: 'VERIFIED', name: h.name, description: h.description,
      created, createdBy: adminId, lastUpdated,
      events: { type: 'EVENT_TYPE', items: h.items, filter: null },
      channel: { type: 'HTTP', version: '1.0.0', config: { uri: `https://hooks.example.com/okta/${h.path}`, headers: [], method: 'POST', authScheme: { type: 'HEADER', key: 'authorization' } } },
      _links: {
        self: link(href),
        verify: link(`${href}/lifecycle/verify`, 'POST'),
        [h.status === 'ACTIVE' ? 'deactivate' : 'activate']: link(`${href}/lifecycle/${h.status === 'ACTIVE' ? 'deactivate' : 'activate'}`, 'POST'),
      },
    };
  });
}

