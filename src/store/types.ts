/**
 * Row and input types of the snapshot store. Row types use the column names of
 * migrations/0001_snapshot.sql unchanged, so TypeScript rules and SQL rules share one vocabulary.
 * @module
 */

export type SnapshotStatus = 'running' | 'complete' | 'failed';
export type Pipeline = 'idx' | 'v1';
export type CrawlState = 'pending' | 'complete' | 'deleted' | 'failed';
/** Final states: a resumed crawl skips users in these states. */
export type TerminalCrawlState = Exclude<CrawlState, 'pending'>;
export type OrgResourceState = 'complete' | 'not_available' | 'not_applicable';
export type ErrorScope = 'org' | 'user' | 'logs';
export type ErrorKind = 'failed' | 'deleted' | 'not_available';
export type OrgTable =
  | 'authenticators' | 'policies' | 'policy_rules' | 'event_hooks' | 'api_tokens'
  | 'apps' | 'brands' | 'sign_in_pages' | 'domains' | 'trusted_origins' | 'inline_hooks';
export type SettingsFormat = 'FACTORS' | 'AUTHENTICATORS';
/** SQLite has no boolean: 1 = true, 0 = false. */
export type Flag = 0 | 1;

/** A JSON object as Okta served it. */
export type RawObject = { [key: string]: unknown };

export interface SnapshotRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  org_url: string;
  org_id: string | null;
  pipeline: Pipeline | null;
  tool_version: string;
  settings_json: string;
  status: SnapshotStatus;
  coverage_json: string | null;
  users_expected: number | null;
  /** The snapshot a refresh started from; null for a full crawl. */
  base_snapshot_id: number | null;
}

export interface UserRow {
  snapshot_id: number;
  id: string;
  login: string | null;
  status: string | null;
  created: string | null;
  last_updated: string | null;
  last_login: string | null;
  crawl_state: CrawlState;
  factors_fetched: Flag | null;
  enrollments_fetched: Flag | null;
  /** The snapshot this user's factors and enrollments were copied from (a refresh); null = read. */
  carried_from: number | null;
  raw_json: string;
}

export interface FactorRow {
  snapshot_id: number;
  user_id: string;
  id: string;
  factor_type: string | null;
  provider: string | null;
  vendor_name: string | null;
  status: string | null;
  device_name: string | null;
  platform: string | null;
  device_type: string | null;
  credential_id: string | null;
  created: string | null;
  last_updated: string | null;
  last_verified: string | null;
  raw_json: string;
}

export interface EnrollmentRow {
  snapshot_id: number;
  user_id: string;
  id: string;
  key: string | null;
  type: string | null;
  status: string | null;
  name: string | null;
  nickname: string | null;
  /** The device or credential name, from the first present of ENROLLMENT_DEVICE_NAME_FIELDS. */
  device_name: string | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface AuthenticatorRow {
  snapshot_id: number;
  id: string;
  resource: string;
  key: string | null;
  type: string | null;
  name: string | null;
  status: string | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface PolicyRow {
  snapshot_id: number;
  id: string;
  resource: string;
  type: string | null;
  name: string | null;
  status: string | null;
  priority: number | null;
  is_system: Flag | null;
  settings_format: SettingsFormat | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface PolicyRuleRow {
  snapshot_id: number;
  policy_id: string;
  id: string;
  resource: string;
  type: string | null;
  name: string | null;
  status: string | null;
  priority: number | null;
  is_system: Flag | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface EventHookRow {
  snapshot_id: number;
  id: string;
  resource: string;
  name: string | null;
  status: string | null;
  events_json: string | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface ApiTokenRow {
  snapshot_id: number;
  id: string;
  resource: string;
  name: string | null;
  user_id: string | null;
  client_name: string | null;
  created: string | null;
  expires_at: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface AppRow {
  snapshot_id: number;
  id: string;
  resource: string;
  name: string | null;
  label: string | null;
  status: string | null;
  sign_on_mode: string | null;
  authentication_pipeline: string | null;
  login_redirect_url: string | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface BrandRow {
  snapshot_id: number;
  id: string;
  resource: string;
  name: string | null;
  is_default: Flag | null;
  raw_json: string;
}

export interface SignInPageRow {
  snapshot_id: number;
  brand_id: string;
  resource: string;
  widget_version: string | null;
  raw_json: string;
}

export interface DomainRow {
  snapshot_id: number;
  id: string;
  resource: string;
  domain: string | null;
  brand_id: string | null;
  validation_status: string | null;
  raw_json: string;
}

export interface TrustedOriginRow {
  snapshot_id: number;
  id: string;
  resource: string;
  name: string | null;
  origin: string | null;
  status: string | null;
  scope_types: string | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface InlineHookRow {
  snapshot_id: number;
  id: string;
  resource: string;
  name: string | null;
  type: string | null;
  status: string | null;
  created: string | null;
  last_updated: string | null;
  raw_json: string;
}

export interface LogEventRow {
  snapshot_id: number;
  uuid: string;
  published: string | null;
  event_type: string | null;
  actor_id: string | null;
  actor_type: string | null;
  actor_alternate_id: string | null;
  user_agent: string | null;
  request_uri: string | null;
  api_token_id: string | null;
  client_id: string | null;
  outcome_result: string | null;
  target_user_id: string | null;
  raw_json: string;
}

export interface OrgResourceRow {
  snapshot_id: number;
  resource: string;
  state: OrgResourceState;
  reason: string | null;
  http_status: number | null;
  error_code: string | null;
}

export interface CrawlErrorRow {
  id: number;
  snapshot_id: number;
  scope: ErrorScope;
  subject: string;
  endpoint: string;
  kind: ErrorKind;
  http_status: number | null;
  error_code: string | null;
  message: string;
  at: string;
}

/** A failed read, as the crawler reports it. */
export interface CrawlErrorInput {
  scope: ErrorScope;
  /** User id for scope 'user'; resource or phase name otherwise. */
  subject: string;
  /** Request path; a full URL is reduced to its path and any query is dropped. */
  endpoint: string;
  kind: ErrorKind;
  httpStatus?: number | null;
  errorCode?: string | null;
  message: string;
}

/** A failed read of one user's data: a {@link CrawlErrorInput} whose scope and subject are implied. */
export type UserErrorInput = Omit<CrawlErrorInput, 'scope' | 'subject'> & Partial<Pick<CrawlErrorInput, 'scope' | 'subject'>>;

/** One user's crawl outcome for {@link SnapshotWriter.completeUsers}. */
export interface UserResult {
  userId: string;
  /** The user's whole factor list; null = not read (failed, deleted, not available). */
  factors: readonly RawObject[] | null;
  /** The user's whole authenticator-enrollment list; null = not read. */
  enrollments: readonly RawObject[] | null;
  state: TerminalCrawlState;
  /** Replace the user's earlier errors; scope and subject are set to 'user' and the user id. */
  errors?: readonly UserErrorInput[];
}

export interface OrgResourceGap {
  resource: string;
  reason: string | null;
  httpStatus: number | null;
  errorCode: string | null;
}

export interface PhaseCursor {
  /** URL of the next page to fetch; null = the phase's first page. */
  cursor: string | null;
  done: boolean;
}

export interface Coverage {
  snapshotId: number;
  usersExpected: number | null;
  users: Record<CrawlState, number> & { total: number };
  orgResources: {
    complete: string[];
    /** The data exists in the org but could not be read: a gap. */
    notAvailable: OrgResourceGap[];
    /** The org cannot have this data (its engine lacks the API, or Okta says the feature is off): not a gap. */
    notApplicable: OrgResourceGap[];
  };
  errors: Record<ErrorKind, number>;
  phases: Array<{ phase: string; done: boolean }>;
}
