/**
 * Rule model. A rule is metadata plus an `evaluate` that reads one snapshot and yields findings;
 * `run.ts` decides whether it can run (engine, data read) and stores what it yields.
 * @module
 */
import type { Db } from '../store/db.js';
import type { SnapshotReader } from '../store/snapshot_reader.js';
import type { Pipeline, SnapshotRow } from '../store/types.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One report sheet per family; the last may share an "Expected" sheet. */
export const RULE_FAMILIES = [
  'Signed Nonce',
  'Duplicate Push',
  'Classic-only Workflows',
  'Classic API Callers',
  'MFA Hygiene',
  'Expected after the upgrade',
] as const;
export type RuleFamily = (typeof RULE_FAMILIES)[number];

/** Which engine a rule is meant for: 'idx' = Identity Engine, 'v1' = Classic Engine. */
export type AppliesTo = 'idx' | 'v1' | 'both';

/** Org-level resources as the crawler names them in `org_resources.resource`. */
export type OrgResource =
  | 'wellKnown' | 'authenticators' | 'eventHooks' | 'apiTokens' | 'logs'
  | 'apps' | 'brands' | 'domains' | 'trustedOrigins' | 'inlineHooks' | `policies:${string}`;

/**
 * Data a rule needs. Org resources must be recorded `complete`; 'factors' and
 * 'authenticatorEnrollments' need at least one user whose list was read; 'users' is always there.
 */
export type Requirement = 'users' | 'factors' | 'authenticatorEnrollments' | OrgResource;

export type SubjectType =
  | 'user' | 'org' | 'policy' | 'policy_rule' | 'event_hook' | 'api_token' | 'integration'
  | 'app' | 'brand' | 'trusted_origin' | 'inline_hook';

export interface RuleMeta {
  /** Stable snake_case `{area}_{resource}_{control}`; equals the file name. Never renamed. */
  id: string;
  /** ≤150 characters, does not start with "Ensure". */
  title: string;
  /** Default severity; a finding may state another one (e.g. an anomaly on Classic vs stale on OIE). */
  severity: Severity;
  family: RuleFamily;
  whyItMatters: string;
  recommendation: string;
  /** developer.okta.com or help.okta.com page backing the rule. */
  docUrl: string;
  appliesTo: AppliesTo;
  requires: readonly Requirement[];
  /** Items of the upgrade checklist (docs: C1…, A1…, M1…) the rule detects. */
  checklist: readonly string[];
  /** Thresholds the rule applies, by name, so reports and docs can show them. */
  thresholds?: Readonly<Record<string, number>>;
  /** The Okta behaviour the rule relies on that no source confirms. */
  unverified?: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  subjectType: SubjectType;
  subjectId?: string | null;
  userId?: string | null;
  userLogin?: string | null;
  userStatus?: string | null;
  /** A sentence an auditor reads, naming the values that triggered the finding. */
  evidence: string;
  /** The rows and values involved, stored as JSON. */
  details: object;
}

export interface RuleContext {
  db: Db;
  snapshot: SnapshotRow;
  reader: SnapshotReader;
  pipeline: Pipeline | null;
  /** The snapshot's `started_at`: the only "now" rules may use. */
  now: Date;
}

export interface Rule {
  meta: RuleMeta;
  /** `import.meta.url` of the rule's file, so the registry can check id == file name. */
  file: string;
  evaluate(ctx: RuleContext): Iterable<Finding>;
}
