/**
 * Callers of the org factor API `/api/v1/org/factors` (activate or deactivate a factor for the
 * whole org). Identity Engine no longer lets it activate or deactivate SMS (checklist A4).
 */
import { callerRule } from '../log_callers.js';
import type { RuleMeta } from '../types.js';

const meta: RuleMeta = {
  id: 'log_org_factors_callers',
  title: 'Integrations changing org factors through /api/v1/org/factors',
  severity: 'medium',
  family: 'Classic API Callers',
  whyItMatters:
    'In Identity Engine the SMS factor can no longer be activated or deactivated through /api/v1/org/factors: authenticators are ' +
    'managed through the Authenticators API instead. Automation that toggles org factors (infrastructure-as-code, scripts) fails ' +
    'or silently stops having an effect after the upgrade.',
  recommendation:
    'Move the automation to the Authenticators API (/api/v1/authenticators, activate and deactivate lifecycle operations) once the ' +
    'org runs Identity Engine, and update infrastructure-as-code providers to their authenticator resources. Until then, keep the ' +
    'factor state fixed around the upgrade.',
  docUrl: 'https://developer.okta.com/docs/guides/ie-limitations/main/',
  appliesTo: 'both',
  requires: ['logs'],
  checklist: ['A4'],
  unverified: 'The System Log shape of org factor changes (system.mfa.factor.activate and deactivate) is not documented; calls are found by their request path.',
};

export const rule = callerRule(meta, import.meta.url, `request_uri GLOB '/api/v1/org/factors*'`, {
  v1: 'Org factor changes through /api/v1/org/factors, which loses SMS activation after the upgrade,',
  idx: 'Org factor changes through /api/v1/org/factors, which cannot activate or deactivate SMS in Identity Engine,',
  unknown: 'Org factor changes through /api/v1/org/factors',
});
