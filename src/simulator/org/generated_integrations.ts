/**
 * The generated org's integration surface: apps (with the per-app authentication pipeline an
 * upgraded org exposes), brands with their customized sign-in pages, custom domains, trusted
 * origins and inline hooks. Small and fixed, built whole; every id and date derives from the seed.
 * Shapes follow the management spec's examples; docs/simulator-org.md lists what each org holds.
 */
import type { JsonObject } from './types.js';
import { type GenContext, link, oktaId, servedPipeline } from './generated_context.js';
import { createdUpdated } from './generated_org_config.js';

// ---- apps ----

interface AppDef {
  name: string;
  label: string;
  signOnMode: string;
  status: 'ACTIVE' | 'INACTIVE';
  /** authenticationPipeline on an Identity Engine org; a Classic org exposes no such property. */
  idxPipeline: 'CLASSIC' | 'ORG_DEFAULT';
  /** The Classic "custom app login" page. */
  loginRedirectUrl?: string;
  settings: JsonObject;
  credentials: JsonObject;
}

const vpnOff = { vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null } };
const builtIn = { userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' } };

const APPS: readonly AppDef[] = [
  { name: 'workday', label: 'Workday', signOnMode: 'SAML_2_0', status: 'ACTIVE', idxPipeline: 'CLASSIC',
    settings: { app: { siteURL: 'https://acme.workday.com' }, notifications: vpnOff, signOn: { defaultRelayState: null } }, credentials: builtIn },
  { name: 'salesforce', label: 'Salesforce', signOnMode: 'SAML_2_0', status: 'ACTIVE', idxPipeline: 'ORG_DEFAULT',
    settings: { app: { instanceType: 'PRODUCTION' }, notifications: vpnOff, signOn: { defaultRelayState: null } }, credentials: builtIn },
  { name: 'oidc_client', label: 'Customer portal', signOnMode: 'OPENID_CONNECT', status: 'ACTIVE', idxPipeline: 'CLASSIC',
    settings: {
      app: {}, notifications: vpnOff,
      oauthClient: { client_uri: 'https://portal.example.com', redirect_uris: ['https://portal.example.com/callback'], response_types: ['code'], grant_types: ['authorization_code'], application_type: 'browser' },
    },
    credentials: { ...builtIn, oauthClient: { autoKeyRotation: true, token_endpoint_auth_method: 'none' } } },
  { name: 'template_wsfed', label: 'SharePoint (WS-Federation)', signOnMode: 'WS_FEDERATION', status: 'ACTIVE', idxPipeline: 'ORG_DEFAULT',
    settings: {
      app: {
        audienceRestriction: 'urn:sharepoint:acme', groupValueFormat: 'windowsDomainQualifiedName', wReplyURL: 'https://sharepoint.example.com/_trust/',
        nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        authnContextClassRef: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport', siteURL: 'https://sharepoint.example.com', usernameAttribute: 'username',
      },
      notifications: vpnOff,
    },
    credentials: builtIn },
  { name: 'template_swa', label: 'Legacy intranet', signOnMode: 'BROWSER_PLUGIN', status: 'ACTIVE', idxPipeline: 'CLASSIC',
    loginRedirectUrl: 'https://intranet.example.com/okta-login',
    settings: { app: { url: 'https://intranet.example.com/login', usernameField: 'user', passwordField: 'pass', buttonField: 'submit' }, notifications: vpnOff },
    credentials: { ...builtIn, scheme: 'EDIT_USERNAME_AND_PASSWORD', revealPassword: false, signing: {} } },
  { name: 'bookmark', label: 'Expense reports', signOnMode: 'BOOKMARK', status: 'INACTIVE', idxPipeline: 'ORG_DEFAULT',
    settings: { app: { requestIntegration: false, url: 'https://expenses.example.com' }, notifications: vpnOff }, credentials: builtIn },
];

export function buildApps(ctx: GenContext): JsonObject[] {
  const orgId = oktaId(ctx, '00o', 'org');
  return APPS.map((a) => {
    const id = oktaId(ctx, '0oa', 'app', a.label);
    const href = `${ctx.baseUrl}/api/v1/apps/${id}`;
    const app: JsonObject = {
      id, orn: `orn:okta:idp:${orgId}:apps:${a.name}:${id}`, name: a.name, label: a.label, status: a.status,
      ...createdUpdated(ctx, `app/${a.label}`),
      accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: a.loginRedirectUrl ?? null },
      visibility: { autoSubmitToolbar: false, hide: { iOS: false, web: false }, appLinks: { login: true } },
      features: [], signOnMode: a.signOnMode, credentials: a.credentials, settings: a.settings,
      _links: {
        appLinks: [{ name: 'login', href: `${ctx.baseUrl}/home/${a.name}/${id}/30`, type: 'text/html' }],
        users: link(`${href}/users`), groups: link(`${href}/groups`),
        [a.status === 'ACTIVE' ? 'deactivate' : 'activate']: link(`${href}/lifecycle/${a.status === 'ACTIVE' ? 'deactivate' : 'activate'}`),
      },
    };
    // Okta exposes the per-app pipeline only once the org runs Identity Engine.
    if (servedPipeline(ctx) === 'idx') app['authenticationPipeline'] = a.idxPipeline;
    return app;
  });
}

// ---- brands, sign-in pages and custom domains ----

interface BrandDef { name: string; isDefault: boolean; widgetVersion: Record<'idx' | 'v1', string | null> }
const BRANDS: readonly BrandDef[] = [
  // Classic sign-in pages pinned to an old widget: a blocker before the upgrade.
  { name: 'Acme', isDefault: true, widgetVersion: { v1: '5.8', idx: '^7' } },
  // On Identity Engine, a brand kept on Classic by app branding migration may keep its old widget.
  { name: 'Acme Partners', isDefault: false, widgetVersion: { v1: null, idx: '5.10' } },
];

export function brandId(ctx: GenContext, name: string): string {
  return oktaId(ctx, 'bnd', name);
}

export function buildBrands(ctx: GenContext): JsonObject[] {
  return BRANDS.map((b) => {
    const id = brandId(ctx, b.name);
    const href = `${ctx.baseUrl}/api/v1/brands/${id}`;
    return {
      id, name: b.name, isDefault: b.isDefault, agreeToCustomPrivacyPolicy: false, removePoweredByOkta: false, customPrivacyPolicyUrl: null,
      locale: 'en', emailDomainId: oktaId(ctx, 'OeD', b.name),
      defaultApp: { appInstanceId: null, appLinkName: null, classicApplicationUri: null },
      _links: { self: link(href, 'GET', 'PUT', 'DELETE'), themes: link(`${href}/themes`) },
    };
  });
}

/** The brand's customized sign-in page; undefined when it uses Okta's default page (Okta answers 404). */
export function buildSignInPage(ctx: GenContext, id: string): JsonObject | undefined {
  const b = BRANDS.find((x) => brandId(ctx, x.name) === id);
  const version = b?.widgetVersion[ctx.pipeline] ?? null;
  if (b === undefined || version === null) return undefined;
  return {
    pageContent: `<!DOCTYPE html><html><head><title>${b.name} sign-in</title>{{{SignInWidgetResources}}}</head><body>`
      + '<div id="okta-login-container"></div><script>var config = OktaUtil.getSignInWidgetConfig();'
      + ' var oktaSignIn = new OktaSignIn(config); oktaSignIn.renderEl({ el: "#okta-login-container" }, OktaUtil.completeLogin);</script></body></html>',
    widgetVersion: version,
    widgetCustomizations: { widgetGeneration: version.replace(/^\^/, '').startsWith('7') ? 'G3' : 'G2', helpUrl: 'https://help.example.com', helpLabel: 'Need help?' },
    contentSecurityPolicySetting: { mode: 'report_only', srcList: [] },
  };
}

/** Verified custom domains (the server wraps the list as Okta does). */
export function buildDomains(ctx: GenContext): JsonObject[] {
  const id = oktaId(ctx, 'OcD', 'login');
  return [{
    id, domain: 'login.example.com', brandId: brandId(ctx, 'Acme'), certificateSourceType: 'OKTA_MANAGED', validationStatus: 'VERIFIED',
    dnsRecords: [{ fqdn: 'login.example.com', recordType: 'CNAME', values: [ctx.baseUrl.replace(/^https?:\/\//, '')] }],
    publicCertificate: { subject: 'CN=login.example.com', fingerprint: '73:8B:3C:FA:53:9B:33:1F:C2:21:B3:7B:29:C8:A1:2D:4C:A9:0B:43:21:79:F2:F1:03:54:E1:B5:70:50:AC:7A', expiration: '2027-06-30T00:00:00.000Z' },
    _links: { self: link(`${ctx.baseUrl}/api/v1/domains/${id}`, 'GET', 'PUT', 'DELETE'), brand: link(`${ctx.baseUrl}/api/v1/brands/${brandId(ctx, 'Acme')}`, 'GET') },
  }];
}

// ---- trusted origins ----

interface OriginDef { name: string; origin: string; status: 'ACTIVE' | 'INACTIVE'; scopes: readonly string[]; idxOnly?: true }
const ORIGINS: readonly OriginDef[] = [
  // Cross-origin calls from the portal: an embedded Sign-In Widget or Auth.js.
  { name: 'Customer portal', origin: 'https://portal.example.com', status: 'ACTIVE', scopes: ['CORS', 'REDIRECT'] },
  { name: 'Intranet', origin: 'https://intranet.example.com', status: 'ACTIVE', scopes: ['REDIRECT'] },
  { name: 'Old marketing site', origin: 'https://old.example.com', status: 'INACTIVE', scopes: ['CORS'] },
  { name: 'Support widget', origin: 'https://support.example.com', status: 'ACTIVE', scopes: ['IFRAME_EMBED'], idxOnly: true },
];

export function buildTrustedOrigins(ctx: GenContext, adminId: string | null): JsonObject[] {
  return ORIGINS.filter((o) => !o.idxOnly || ctx.pipeline === 'idx').map((o) => {
    const id = oktaId(ctx, 'tos', o.name);
    const href = `${ctx.baseUrl}/api/v1/trustedOrigins/${id}`;
    const { created, lastUpdated } = createdUpdated(ctx, `origin/${o.name}`);
    return {
      id, name: o.name, origin: o.origin, status: o.status,
      scopes: o.scopes.map((type) => (type === 'IFRAME_EMBED' ? { type, allowedOktaApps: [] } : { type })),
      created, createdBy: adminId, lastUpdated, lastUpdatedBy: adminId,
      _links: {
        self: link(href, 'GET', 'PUT', 'DELETE'),
        [o.status === 'ACTIVE' ? 'deactivate' : 'activate']: link(`${href}/lifecycle/${o.status === 'ACTIVE' ? 'deactivate' : 'activate'}`, 'POST'),
      },
    };
  });
}

// ---- inline hooks ----

const INLINE_HOOKS: ReadonlyArray<{ name: string; type: string; status: 'ACTIVE' | 'INACTIVE'; path: string }> = [
  { name: 'Registration screening', type: 'com.okta.user.pre-registration', status: 'ACTIVE', path: 'registration' },
  { name: 'Token claims enrichment', type: 'com.okta.oauth2.tokens.transform', status: 'ACTIVE', path: 'tokens' },
  { name: 'HR import transform', type: 'com.okta.import.transform', status: 'INACTIVE', path: 'import' },
];

export function buildInlineHooks(ctx: GenContext): JsonObject[] {
  return INLINE_HOOKS.map((h) => {
    const id = oktaId(ctx, 'cal', h.name);
    const href = `${ctx.baseUrl}/api/v1/inlineHooks/${id}`;
    return {
      id, status: h.status, name: h.name, type: h.type, version: '1.0.0',
      channel: { type: 'HTTP', version: '1.0.0', config: { uri: `https://hooks.example.com/okta/${h.path}`, headers: [], method: 'POST', authScheme: { type: 'HEADER', key: 'authorization' } } },
      ...createdUpdated(ctx, `inline-hook/${h.name}`),
      _links: {
        self: link(href),
        [h.status === 'ACTIVE' ? 'deactivate' : 'activate']: link(`${href}/lifecycle/${h.status === 'ACTIVE' ? 'deactivate' : 'activate'}`, 'POST'),
        execute: link(`${href}/execute`, 'POST'),
      },
    };
  });
}
