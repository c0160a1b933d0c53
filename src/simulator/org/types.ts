/**
 * The data a simulated Okta org serves. Objects are kept exactly as Okta's API returns them
 * (plain JSON), so the simulator never reshapes what a fixture or generator produced.
 */

/** Any JSON object as Okta returns it. Fields the simulator itself reads are typed below. */
export type JsonObject = { [key: string]: unknown };

export type Pipeline = 'idx' | 'v1';

export type UserStatus =
  | 'ACTIVE' | 'DEPROVISIONED' | 'LOCKED_OUT' | 'PASSWORD_EXPIRED'
  | 'PROVISIONED' | 'RECOVERY' | 'STAGED' | 'SUSPENDED';

export interface OktaUser extends JsonObject {
  id: string;
  status: UserStatus;
  lastUpdated: string;
  profile: JsonObject & { login: string };
}

export interface LogEvent extends JsonObject {
  uuid: string;
  published: string;
  eventType: string;
}

export interface OrgMetadata {
  id: string;
  pipeline: Pipeline;
}

/**
 * What the server asks of an org. Implemented by the generated org (derived lazily from seed and
 * index, so a 1,000,000-user org costs no memory up front) and by a fixture file loaded in memory.
 * Per-user methods return undefined for an unknown user (the server answers 404 E0000007).
 */
export interface OrgSource {
  readonly org: OrgMetadata;
  /** Number of users of every status (DEPROVISIONED included). */
  readonly userCount: number;
  /** Users in ascending id order (Okta's list order), starting strictly after `afterId` if given. */
  users(afterId?: string): Iterable<OktaUser>;
  /** By id or by `profile.login`. */
  user(idOrLogin: string): OktaUser | undefined;
  factors(userId: string): JsonObject[] | undefined;
  authenticatorEnrollments(userId: string): JsonObject[] | undefined;
  authenticators(): JsonObject[];
  policies(): JsonObject[];
  policyRules(policyId: string): JsonObject[] | undefined;
  /**
   * Events in ascending `published` order (ties broken by uuid). A source may start at the first
   * event published at or after `fromMs` (the server still filters), so log pages need not rescan.
   */
  logs(fromMs?: number): Iterable<LogEvent>;
  eventHooks(): JsonObject[];
  apiTokens(): JsonObject[];
  apps(): JsonObject[];
  brands(): JsonObject[];
  /** A brand's customized sign-in page; undefined when it is not customized (or no such brand). */
  signInPage(brandId: string): JsonObject | undefined;
  /** Custom domains (the server wraps them as Okta does: `{"domains": [...]}`). */
  domains(): JsonObject[];
  trustedOrigins(): JsonObject[];
  inlineHooks(): JsonObject[];
}

/** The `--fixture` / `--dump-fixture` file format (README "Fixture format"). */
export interface FixtureFile {
  org: OrgMetadata;
  users: OktaUser[];
  factors?: Record<string, JsonObject[]>;
  authenticatorEnrollments?: Record<string, JsonObject[]>;
  authenticators?: JsonObject[];
  policies?: JsonObject[];
  policyRules?: Record<string, JsonObject[]>;
  logs?: LogEvent[];
  eventHooks?: JsonObject[];
  apiTokens?: JsonObject[];
  apps?: JsonObject[];
  brands?: JsonObject[];
  /** Customized sign-in pages by brand id; a brand without one uses the default page. */
  signInPages?: Record<string, JsonObject>;
  domains?: JsonObject[];
  trustedOrigins?: JsonObject[];
  inlineHooks?: JsonObject[];
}
