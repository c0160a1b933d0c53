/**
 * Names of the org resources the crawler records in `org_resources.resource`, in the words an
 * auditor reads (rules' skip reasons and the report use the same ones).
 * @module
 */
const LABELS: Readonly<Record<string, string>> = {
  wellKnown: 'Org metadata (/.well-known/okta-organization)',
  authenticators: 'Authenticators',
  authenticatorEnrollments: 'Authenticator enrollments',
  eventHooks: 'Event hooks',
  apiTokens: 'API tokens',
  logs: 'System Log',
  apps: 'Apps',
  brands: 'Brands and sign-in pages',
  domains: 'Custom domains',
  trustedOrigins: 'Trusted origins',
  inlineHooks: 'Inline hooks',
};

export function resourceLabel(resource: string): string {
  if (resource.startsWith('policies:')) return `${resource.slice('policies:'.length)} policies`;
  if (resource.startsWith('policyRules:')) return `Rules of policy ${resource.slice('policyRules:'.length)}`;
  if (resource.startsWith('signInPage:')) return `Sign-in page of brand ${resource.slice('signInPage:'.length)}`;
  return LABELS[resource] ?? resource;
}
