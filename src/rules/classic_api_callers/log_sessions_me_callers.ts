/**
 * Callers of `/api/v1/sessions/me`, deprecated in Identity Engine, where its answer no longer
 * carries the identity provider (checklist A2). Browser calls are kept apart from scripts.
 */
import { callerRule } from '../log_callers.js';
import type { RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'log_sessions_me_callers',
  title: 'Apps reading or ending the current session through /api/v1/sessions/me',
  severity: 'medium',
  family: 'Classic API Callers',
  whyItMatters:
    'Okta deprecates /api/v1/sessions/me in Identity Engine: it still answers while a session exists, but no longer returns the ' +
    'identity provider, and Okta advises against using it to validate or manage a session. Apps that check or end the Okta ' +
    'session this way (single-page apps, portals signing users out) may misbehave after the upgrade.',
  recommendation:
    'For each caller, find the app (the user agents and pages behind the browser calls) and move it to OpenID Connect sessions: ' +
    'token introspection or the ID token for "is the user signed in", and the logout endpoint of the authorization server to sign ' +
    'out. Test it in the upgraded preview org.',
  docUrl: 'https://developer.okta.com/docs/guides/oie-upgrade-api-changes/main/',
  appliesTo: 'both',
  requires: ['logs'],
  checklist: ['A2'],
  unverified: 'Which System Log event Okta writes for a read of /api/v1/sessions/me (the sign-out is user.session.end); browser calls may include Okta-hosted pages.',
};

export const rule = callerRule(meta, import.meta.url, `request_uri GLOB '/api/v1/sessions/me*'`, {
  v1: 'Calls to /api/v1/sessions/me, deprecated after the upgrade,',
  idx: 'Calls to /api/v1/sessions/me, deprecated in Identity Engine, still made',
  unknown: 'Calls to /api/v1/sessions/me',
}, (g) => (g.browser ? 'medium' : 'high'));
