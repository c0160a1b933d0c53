/**
 * Every rule, listed statically so the typechecker sees them all; the list is validated when this
 * module loads (a broken registry is a bug, reported with every problem at once).
 * @module
 */
import { fileURLToPath } from 'node:url';
import { basename, dirname } from 'node:path';
import { rule as factorSignedNonceAdminConsoleOnly } from './signed_nonce/factor_signed_nonce_admin_console_only.js';
import { rule as factorPushMultiplePerUser } from './duplicate_push/factor_push_multiple_per_user.js';
import { rule as factorPushDuplicateDevice } from './duplicate_push/factor_push_duplicate_device.js';
import { rule as factorPushPendingActivationAbandoned } from './duplicate_push/factor_push_pending_activation_abandoned.js';
import { rule as logPushEnrollmentRepeated } from './duplicate_push/log_push_enrollment_repeated.js';
import { rule as enrollmentOktaVerifyExceedsPush } from './duplicate_push/enrollment_okta_verify_exceeds_push.js';
import { rule as orgPipelineClassicEngine } from './classic_workflows/org_pipeline_classic_engine.js';
import { rule as policyMfaEnrollFactorsFormat } from './classic_workflows/policy_mfa_enroll_factors_format.js';
import { rule as factorU2fClassicOnly } from './classic_workflows/factor_u2f_classic_only.js';
import { rule as eventhookClassicOnlyEvents } from './classic_workflows/eventhook_classic_only_events.js';
import { rule as apitokenOwnerNotActive } from './classic_workflows/apitoken_owner_not_active.js';
import { rule as policyIdpDiscoveryIwaRouting } from './classic_workflows/policy_idp_discovery_iwa_routing.js';
import { rule as policyMfaEnrollEmailOptional } from './classic_workflows/policy_mfa_enroll_email_optional.js';
import { rule as policyMfaEnrollRuleDoNotEnroll } from './classic_workflows/policy_mfa_enroll_rule_do_not_enroll.js';
import { rule as logClassicApiCallers } from './classic_api_callers/log_classic_api_callers.js';
import { rule as logDeviceTrustClassicEvents } from './classic_workflows/log_device_trust_classic_events.js';
import { rule as appPipelineClassicRemaining } from './classic_workflows/app_pipeline_classic_remaining.js';
import { rule as brandSigninWidgetOutdated } from './classic_workflows/brand_signin_widget_outdated.js';
import { rule as inlinehookRegistrationContractChange } from './classic_workflows/inlinehook_registration_contract_change.js';
import { rule as appCustomLoginRedirect } from './classic_workflows/app_custom_login_redirect.js';
import { rule as logSessionsCookieTokenCallers } from './classic_api_callers/log_sessions_cookie_token_callers.js';
import { rule as logSessionsMeCallers } from './classic_api_callers/log_sessions_me_callers.js';
import { rule as logOrgFactorsCallers } from './classic_api_callers/log_org_factors_callers.js';
import { rule as trustedoriginCorsEmbeddedAuth } from './classic_api_callers/trustedorigin_cors_embedded_auth.js';
import { rule as userActiveWithoutActiveFactor } from './mfa_hygiene/user_active_without_active_factor.js';
import { rule as userWeakFactorsOnly } from './mfa_hygiene/user_weak_factors_only.js';
import { rule as factorEmailExpectedAfterUpgrade } from './expected/factor_email_expected_after_upgrade.js';
import { rule as factorQuestionExpectedAfterUpgrade } from './expected/factor_question_expected_after_upgrade.js';
import { type AppliesTo, type Rule, type RuleFamily, type Severity, RULE_FAMILIES, SEVERITIES } from './types.js';

/** In report order: by family, then by severity within a family. */
export const RULES: readonly Rule[] = [
  factorSignedNonceAdminConsoleOnly,
  factorPushMultiplePerUser,
  factorPushDuplicateDevice,
  factorPushPendingActivationAbandoned,
  logPushEnrollmentRepeated,
  enrollmentOktaVerifyExceedsPush,
  logDeviceTrustClassicEvents,
  policyIdpDiscoveryIwaRouting,
  eventhookClassicOnlyEvents,
  apitokenOwnerNotActive,
  appPipelineClassicRemaining,
  brandSigninWidgetOutdated,
  inlinehookRegistrationContractChange,
  policyMfaEnrollEmailOptional,
  policyMfaEnrollRuleDoNotEnroll,
  appCustomLoginRedirect,
  policyMfaEnrollFactorsFormat,
  factorU2fClassicOnly,
  orgPipelineClassicEngine,
  logClassicApiCallers,
  logSessionsCookieTokenCallers,
  logSessionsMeCallers,
  logOrgFactorsCallers,
  trustedoriginCorsEmbeddedAuth,
  userActiveWithoutActiveFactor,
  userWeakFactorsOnly,
  factorEmailExpectedAfterUpgrade,
  factorQuestionExpectedAfterUpgrade,
];

/** Folder under src/rules/ that holds each family's rule files. */
export const FAMILY_FOLDERS: Readonly<Record<RuleFamily, string>> = {
  'Signed Nonce': 'signed_nonce',
  'Duplicate Push': 'duplicate_push',
  'Classic-only Workflows': 'classic_workflows',
  'Classic API Callers': 'classic_api_callers',
  'MFA Hygiene': 'mfa_hygiene',
  'Expected after the upgrade': 'expected',
};

const ID_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+){2,}$/;
const DOC_URL = /^https:\/\/(?:developer\.okta\.com|help\.okta\.com)\//;
const CHECKLIST_ID = /^[CAMU]\d+$/;
const TITLE_MAX = 150;
const ORG_RESOURCES = new Set(['wellKnown', 'authenticators', 'eventHooks', 'apiTokens', 'logs', 'apps', 'brands', 'domains', 'trustedOrigins', 'inlineHooks']);
const USER_DATA = new Set(['users', 'factors', 'authenticatorEnrollments']);
const APPLIES_TO: readonly AppliesTo[] = ['idx', 'v1', 'both'];

function fileStem(file: string): { stem: string; folder: string } {
  const path = file.startsWith('file:') ? fileURLToPath(file) : file;
  return { stem: basename(path).replace(/\.(?:ts|js|mts|mjs)$/, ''), folder: basename(dirname(path)) };
}

/** Every problem of a rule list, one line each; empty when valid. */
export function registryProblems(rules: readonly Rule[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, r] of rules.entries()) {
    const m = r.meta;
    const at = `rule ${i} (${m.id})`;
    if (!ID_PATTERN.test(m.id)) problems.push(`${at}: id must be snake_case {area}_{resource}_{control}`);
    if (seen.has(m.id)) problems.push(`${at}: duplicate id`);
    seen.add(m.id);
    const { stem, folder } = fileStem(r.file);
    if (stem !== m.id) problems.push(`${at}: id differs from its file name "${stem}"`);
    if (!(SEVERITIES as readonly string[]).includes(m.severity)) problems.push(`${at}: unknown severity "${m.severity}"`);
    if (!(RULE_FAMILIES as readonly string[]).includes(m.family)) problems.push(`${at}: unknown family "${m.family}"`);
    else if (FAMILY_FOLDERS[m.family] !== folder) problems.push(`${at}: family "${m.family}" rules belong in ${FAMILY_FOLDERS[m.family]}/, not ${folder}/`);
    if (m.family === 'Expected after the upgrade' && m.severity !== 'info') problems.push(`${at}: "Expected after the upgrade" rules are severity info`);
    if (m.title.trim() === '') problems.push(`${at}: empty title`);
    if (m.title.length > TITLE_MAX) problems.push(`${at}: title longer than ${TITLE_MAX} characters`);
    if (/^ensure\b/i.test(m.title)) problems.push(`${at}: title must not start with "Ensure"`);
    if (/\.$/.test(m.title)) problems.push(`${at}: title must not end with a period`);
    if (m.whyItMatters.trim() === '') problems.push(`${at}: empty whyItMatters`);
    if (m.recommendation.trim() === '') problems.push(`${at}: empty recommendation`);
    if (!DOC_URL.test(m.docUrl)) problems.push(`${at}: docUrl must be a developer.okta.com or help.okta.com page`);
    if (!APPLIES_TO.includes(m.appliesTo)) problems.push(`${at}: unknown appliesTo "${m.appliesTo}"`);
    if (m.requires.length === 0) problems.push(`${at}: requires names no data`);
    for (const req of m.requires) {
      if (!USER_DATA.has(req) && !ORG_RESOURCES.has(req) && !/^policies:[A-Z_]+$/.test(req)) problems.push(`${at}: unknown requirement "${req}"`);
    }
    for (const c of m.checklist) if (!CHECKLIST_ID.test(c)) problems.push(`${at}: checklist id "${c}" is not like C1, A1, M1 or U1`);
    if (m.unverified !== undefined && m.unverified.trim() === '') problems.push(`${at}: unverified is empty`);
    for (const [name, value] of Object.entries(m.thresholds ?? {})) {
      if (!Number.isFinite(value)) problems.push(`${at}: threshold ${name} is not a number`);
    }
  }
  return problems;
}

/** Throws with every problem when the list is invalid. */
export function validateRegistry(rules: readonly Rule[] = RULES): void {
  const problems = registryProblems(rules);
  if (problems.length > 0) throw new Error(`Invalid rule registry:\n- ${problems.join('\n- ')}`);
}

validateRegistry();

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}

/** One row per rule for `oie-audit rules`. */
export interface RuleListRow {
  id: string;
  severity: Severity;
  family: RuleFamily;
  title: string;
  appliesTo: AppliesTo;
  unverified: string | null;
}

export function listRules(rules: readonly Rule[] = RULES): RuleListRow[] {
  return rules.map((r) => ({
    id: r.meta.id,
    severity: r.meta.severity,
    family: r.meta.family,
    title: r.meta.title,
    appliesTo: r.meta.appliesTo,
    unverified: r.meta.unverified ?? null,
  }));
}
