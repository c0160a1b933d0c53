/**
 * Integrations creating sessions with `POST /api/v1/sessions?additionalFields=cookieToken`, which
 * Identity Engine does not support (checklist A2). The query is visible only in the event's
 * `debugContext.debugData.url`; the request path alone is /api/v1/sessions.
 */
import { callerRule } from '../log_callers.js';
import type { RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'log_sessions_cookie_token_callers',
  title: 'Integrations creating sessions with additionalFields=cookieToken',
  severity: 'high',
  family: 'Classic API Callers',
  whyItMatters:
    'Identity Engine does not support POST /api/v1/sessions?additionalFields=cookieToken. An integration that turns a session token ' +
    'into a cookie token this way (custom sign-in backends, SSO bridges) stops working at the upgrade.',
  recommendation:
    'Before the upgrade, find the owner of each caller (API token owner, user agent) and move the flow to the Okta-hosted or ' +
    'embedded Sign-In Widget, or exchange the session token through the Sessions API without cookieToken; test it in the upgraded ' +
    'preview org first.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/main/',
  appliesTo: 'both',
  requires: ['logs'],
  checklist: ['A2'],
  unverified: 'That the query string of the call is logged in debugContext.debugData.url (Okta logs other calls\' queries there).',
};

export const rule = callerRule(meta, import.meta.url, `request_uri GLOB '/api/v1/sessions*'
  AND instr(json_extract(raw_json, '$.debugContext.debugData.url'), 'additionalFields=cookieToken') > 0`, {
  v1: 'Sessions created with a cookie token, which stops working at the upgrade,',
  idx: 'Sessions still created with a cookie token, which Identity Engine does not support,',
  unknown: 'Sessions created with a cookie token',
});
