import type { Problem } from './durations.js';

export type OrgUrlResult = { ok: true; orgUrl: string } | Problem;

// Okta's own domains; `<org>-admin.<domain>` on them is the Admin Console, not the API host.
const OKTA_DOMAINS = String.raw`(?:okta\.com|oktapreview\.com|okta-emea\.com|okta-gov\.com|okta\.mil)`;
const ADMIN_HOST = new RegExp(String.raw`^([^.]+)-admin\.(${OKTA_DOMAINS})$`);
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const BARE_HOST = /^[a-z0-9.-]+(:\d+)?(\/.*)?$/i;

/** http:// stays allowed for a simulator or proxy on this machine, never across a network. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Checks that `input` is an org origin and returns it without a trailing slash (the SDK's
 * generated calls would otherwise request `//api/v1/...`). Every rejection suggests the fully
 * corrected URL, so one edit fixes all problems at once.
 */
export function checkOrgUrl(input: string): OrgUrlResult {
  const shown = quote(input);
  if (!HAS_SCHEME.test(input)) {
    if (BARE_HOST.test(input) && input.includes('.')) {
      return { ok: false, problem: `${shown} has no https:// in front`, fix: `Use ${suggest(`https://${input}`)}` };
    }
    return { ok: false, problem: `${shown} is not a URL`, fix: 'Use your org URL, e.g. https://acme.okta.com' };
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, problem: `${shown} is not a URL`, fix: 'Use your org URL, e.g. https://acme.okta.com' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: `${quote(url.protocol)} is not http or https`, fix: `Use ${suggest(url)}` };
  }
  if (url.username || url.password) {
    // Not echoed: whatever is there is meant to be secret.
    return {
      ok: false,
      problem: 'contains a user name or password',
      fix: `Use ${suggest(url)} and put the API token in okta.token or OKTA_CLIENT_TOKEN`,
    };
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return {
      ok: false,
      problem: `${quote(url.origin)} uses http:// to a host that is not this machine`,
      fix: `Use ${suggest(url)} (http:// is allowed only for localhost, 127.0.0.0/8 and [::1])`,
    };
  }
  if (ADMIN_HOST.test(url.hostname)) {
    return {
      ok: false,
      problem: `${quote(url.hostname)} is the Admin Console host, not the org`,
      fix: `Use ${suggest(url)}`,
    };
  }
  const extras = [
    url.pathname !== '/' ? `the path ${quote(url.pathname)}` : undefined,
    url.search ? 'a query string' : undefined,
    url.hash ? 'a fragment' : undefined,
  ].filter((part): part is string => part !== undefined);
  if (extras.length > 0) {
    return {
      ok: false,
      problem: `has ${extras.join(' and ')}, but an org URL is only scheme and host`,
      fix: `Use ${suggest(url)}`,
    };
  }
  return { ok: true, orgUrl: url.origin };
}

/** The origin with every fixable problem fixed: https (unless loopback), non-admin host. */
function suggest(from: URL | string): string {
  let url: URL;
  try {
    url = typeof from === 'string' ? new URL(from) : from;
  } catch {
    return 'https://acme.okta.com';
  }
  const scheme = url.protocol === 'http:' && isLoopback(url.hostname) ? 'http:' : 'https:';
  const host = url.hostname.replace(ADMIN_HOST, '$1.$2');
  return `${scheme}//${host}${url.port ? `:${url.port}` : ''}`;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
