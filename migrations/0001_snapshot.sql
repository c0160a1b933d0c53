-- 0001_snapshot.sql: the snapshot schema.
--
-- One snapshot = one read-only crawl of one Okta org. Every table is keyed by snapshot_id, so a
-- database can hold several crawls and deleting a snapshot row cascades to all of its data.
-- Each Okta row keeps raw_json (the object exactly as the API served it, JSON text) plus the
-- columns people filter on; anything else is read from raw_json with json_extract/json_each.
-- Timestamps are ISO-8601 UTC text: Okta's own for Okta fields, the tool's clock for crawl fields.
--
-- Views use only SQL that older sqlite3 shells parse (no ->>, no ORDER BY inside aggregates,
-- no STRICT tables): an unparseable view makes the whole file unreadable to such a shell.

CREATE TABLE snapshots (
  id             INTEGER PRIMARY KEY AUTOINCREMENT, -- snapshot id; AUTOINCREMENT so ids in old reports are never reused
  started_at     TEXT NOT NULL,                     -- when the crawl started
  finished_at    TEXT,                              -- when the crawl ended; NULL while running or after a crash
  org_url        TEXT NOT NULL,                     -- https://<org>.okta.com, no trailing slash
  org_id         TEXT,                              -- org id (00o…) from /.well-known/okta-organization; NULL if unknown
  pipeline       TEXT CHECK (pipeline IN ('idx', 'v1')), -- 'idx' = Identity Engine, 'v1' = Classic Engine, NULL = unknown
  tool_version   TEXT NOT NULL,                     -- oie-audit version that wrote the snapshot
  settings_json  TEXT NOT NULL,                     -- crawl settings as JSON, already redacted by the caller (no secrets)
  status         TEXT NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'complete', 'failed')), -- 'running' also after a crash: resumable
  coverage_json  TEXT,                              -- crawler's summary of what was read, written when the crawl ends
  users_expected INTEGER                            -- how many users the crawler expected to list, when known
);

CREATE TABLE users (
  snapshot_id         INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id                  TEXT NOT NULL,   -- Okta user id (00u…)
  login               TEXT,            -- profile.login
  status              TEXT,            -- ACTIVE | DEPROVISIONED | LOCKED_OUT | PASSWORD_EXPIRED | PROVISIONED | RECOVERY | STAGED | SUSPENDED
  created             TEXT,            -- created
  last_updated        TEXT,            -- lastUpdated
  last_login          TEXT,            -- lastLogin; NULL = never signed in
  crawl_state         TEXT NOT NULL DEFAULT 'pending'
                      CHECK (crawl_state IN ('pending', 'complete', 'deleted', 'failed')), -- pending = listed, factors not read yet
  factors_fetched     INTEGER,         -- 1 = factor list read (rows in factors are the whole list), 0 = not read, NULL = not crawled yet
  enrollments_fetched INTEGER,         -- 1 = authenticator-enrollments read, 0 = not read (failed or not available), NULL = not crawled yet
  raw_json            TEXT NOT NULL,   -- the user object from the users listing
  PRIMARY KEY (snapshot_id, id)
);
CREATE INDEX users_by_status ON users (snapshot_id, status);
CREATE INDEX users_by_crawl_state ON users (snapshot_id, crawl_state, id); -- also the work queue: pending users in id order
CREATE INDEX users_by_login ON users (snapshot_id, login);

CREATE TABLE factors (
  snapshot_id   INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  user_id       TEXT NOT NULL,   -- owning user (users.id)
  id            TEXT NOT NULL,   -- factor id
  factor_type   TEXT,            -- factorType: push | signed_nonce | sms | call | email | question | token:software:totp | webauthn | u2f | …
  provider      TEXT,            -- provider: OKTA | GOOGLE | FIDO | RSA | SYMANTEC | YUBICO | DUO | CUSTOM
  vendor_name   TEXT,            -- vendorName
  status        TEXT,            -- ACTIVE | PENDING_ACTIVATION | NOT_SETUP | ENROLLED | DISABLED | EXPIRED | INACTIVE
  device_name   TEXT,            -- profile.name (Okta Verify device name for push / signed_nonce)
  platform      TEXT,            -- profile.platform (IOS, ANDROID, WINDOWS, …)
  device_type   TEXT,            -- profile.deviceType (SmartPhone_IPhone, Tablet_Windows, …)
  credential_id TEXT,            -- profile.credentialId
  created       TEXT,            -- created
  last_updated  TEXT,            -- lastUpdated
  last_verified TEXT,            -- lastVerified (served by the API, absent from the SDK model)
  raw_json      TEXT NOT NULL,   -- the factor object (signed_nonce keeps profile.keys here)
  PRIMARY KEY (snapshot_id, user_id, id),
  FOREIGN KEY (snapshot_id, user_id) REFERENCES users (snapshot_id, id) ON DELETE CASCADE
);
CREATE INDEX factors_by_type ON factors (snapshot_id, factor_type);

CREATE TABLE authenticator_enrollments (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  user_id      TEXT NOT NULL,   -- owning user (users.id)
  id           TEXT NOT NULL,   -- enrollment id
  key          TEXT,            -- authenticator key: okta_verify | okta_email | phone_number | webauthn | …
  type         TEXT,            -- app | email | phone | password | security_key | security_question | federated | tac
  status       TEXT,            -- ACTIVE | …
  name         TEXT,            -- authenticator display name
  nickname     TEXT,            -- user-chosen nickname, often NULL
  created      TEXT,            -- created
  last_updated TEXT,            -- lastUpdated
  raw_json     TEXT NOT NULL,   -- the enrollment object
  PRIMARY KEY (snapshot_id, user_id, id),
  FOREIGN KEY (snapshot_id, user_id) REFERENCES users (snapshot_id, id) ON DELETE CASCADE
);
CREATE INDEX enrollments_by_key ON authenticator_enrollments (snapshot_id, key);

-- Org-level tables. `resource` names the org_resources entry whose fetch produced the row, so
-- rewriting one resource replaces exactly its rows.

CREATE TABLE authenticators (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id           TEXT NOT NULL,   -- authenticator id (aut…)
  resource     TEXT NOT NULL,   -- org_resources.resource that produced the row, e.g. 'authenticators'
  key          TEXT,            -- okta_verify | okta_email | phone_number | webauthn | …
  type         TEXT,            -- app | email | phone | password | security_key | …
  name         TEXT,            -- display name
  status       TEXT,            -- ACTIVE | INACTIVE
  created      TEXT,            -- created
  last_updated TEXT,            -- lastUpdated
  raw_json     TEXT NOT NULL,   -- the authenticator object (settings included)
  PRIMARY KEY (snapshot_id, id)
);

CREATE TABLE policies (
  snapshot_id     INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id              TEXT NOT NULL,   -- policy id (00p…)
  resource        TEXT NOT NULL,   -- org_resources.resource that produced the row, e.g. 'policies:MFA_ENROLL'
  type            TEXT,            -- MFA_ENROLL | OKTA_SIGN_ON | ACCESS_POLICY | PASSWORD | …
  name            TEXT,            -- name
  status          TEXT,            -- ACTIVE | INACTIVE
  priority        INTEGER,         -- priority (1 = evaluated first)
  is_system       INTEGER,         -- system: 1 = the default policy Okta created, 0 = admin-made
  settings_format TEXT CHECK (settings_format IN ('FACTORS', 'AUTHENTICATORS')), -- 'FACTORS' = settings.factors (Classic format), 'AUTHENTICATORS' = settings.type "AUTHENTICATORS", NULL = neither
  created         TEXT,            -- created
  last_updated    TEXT,            -- lastUpdated
  raw_json        TEXT NOT NULL,   -- the policy object
  PRIMARY KEY (snapshot_id, id)
);
CREATE INDEX policies_by_type ON policies (snapshot_id, type);

CREATE TABLE policy_rules (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  policy_id    TEXT NOT NULL,   -- owning policy (policies.id); no foreign key, so rewriting a policy list keeps its rules
  id           TEXT NOT NULL,   -- rule id
  resource     TEXT NOT NULL,   -- org_resources.resource that produced the row, e.g. 'policyRules:00p…'
  type         TEXT,            -- rule type
  name         TEXT,            -- name
  status       TEXT,            -- ACTIVE | INACTIVE
  priority     INTEGER,         -- priority
  is_system    INTEGER,         -- system: 1 = default rule
  created      TEXT,            -- created
  last_updated TEXT,            -- lastUpdated
  raw_json     TEXT NOT NULL,   -- the rule object
  PRIMARY KEY (snapshot_id, policy_id, id)
);

CREATE TABLE event_hooks (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id           TEXT NOT NULL,   -- event hook id
  resource     TEXT NOT NULL,   -- org_resources.resource that produced the row, e.g. 'eventHooks'
  name         TEXT,            -- name
  status       TEXT,            -- ACTIVE | INACTIVE
  events_json  TEXT,            -- events.items as a JSON array of event types
  created      TEXT,            -- created
  last_updated TEXT,            -- lastUpdated
  raw_json     TEXT NOT NULL,   -- the event hook object
  PRIMARY KEY (snapshot_id, id)
);

CREATE TABLE api_tokens (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id           TEXT NOT NULL,   -- token id (metadata only: the API never returns token values)
  resource     TEXT NOT NULL,   -- org_resources.resource that produced the row, e.g. 'apiTokens'
  name         TEXT,            -- name
  user_id      TEXT,            -- userId: the admin the token acts as
  client_name  TEXT,            -- clientName
  created      TEXT,            -- created
  expires_at   TEXT,            -- expiresAt
  last_updated TEXT,            -- lastUpdated
  raw_json     TEXT NOT NULL,   -- the token metadata object
  PRIMARY KEY (snapshot_id, id)
);

CREATE TABLE log_events (
  snapshot_id        INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  uuid               TEXT NOT NULL,   -- uuid
  published          TEXT,            -- published
  event_type         TEXT,            -- eventType, e.g. user.authentication.auth_via_mfa
  actor_id           TEXT,            -- actor.id
  actor_type         TEXT,            -- actor.type (User, PublicClientApp, …)
  actor_alternate_id TEXT,            -- actor.alternateId (usually the login)
  user_agent         TEXT,            -- client.userAgent.rawUserAgent
  request_uri        TEXT,            -- debugContext.debugData.requestUri (path the client called)
  api_token_id       TEXT,            -- transaction.detail.requestApiTokenId: API token behind the call
  client_id          TEXT,            -- client.id
  outcome_result     TEXT,            -- outcome.result: SUCCESS | FAILURE | ALLOW | DENY | …
  target_user_id     TEXT,            -- id of the first target whose type is User
  raw_json           TEXT NOT NULL,   -- the LogEvent object
  PRIMARY KEY (snapshot_id, uuid)
);
CREATE INDEX log_events_by_type ON log_events (snapshot_id, event_type);
CREATE INDEX log_events_by_request_uri ON log_events (snapshot_id, request_uri);
CREATE INDEX log_events_by_published ON log_events (snapshot_id, published);
CREATE INDEX log_events_by_target_user ON log_events (snapshot_id, target_user_id);

-- What the crawler could and could not read at org level, so a missing resource is explicit
-- ("not available: 403 E0000006") rather than an empty table.
CREATE TABLE org_resources (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  resource    TEXT NOT NULL,   -- 'authenticators' | 'policies:MFA_ENROLL' | 'eventHooks' | 'apiTokens' | 'logs' | 'wellKnown' | …
  state       TEXT NOT NULL CHECK (state IN ('complete', 'not_available')), -- complete = fully read
  reason      TEXT,            -- why it is not available, e.g. 'missing scope okta.logs.read'
  http_status INTEGER,         -- HTTP status of the failed request
  error_code  TEXT,            -- Okta errorCode, e.g. E0000006
  PRIMARY KEY (snapshot_id, resource)
);

-- Resume checkpoint per listing phase (protocol in src/store/snapshot_writer.ts). A users
-- phase's work still to do is not here: it is the users whose crawl_state is 'pending'.
CREATE TABLE crawl_progress (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  phase       TEXT NOT NULL,     -- e.g. 'users:all', 'users:deprovisioned', 'logs'
  cursor      TEXT,              -- URL of the next page not yet stored; NULL = the first page (or none left when done = 1)
  done        INTEGER NOT NULL DEFAULT 0, -- 1 = every page of the phase is stored
  updated_at  TEXT NOT NULL,     -- last change
  PRIMARY KEY (snapshot_id, phase)
);

CREATE TABLE crawl_errors (
  id          INTEGER PRIMARY KEY, -- row id
  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  scope       TEXT NOT NULL CHECK (scope IN ('org', 'user', 'logs')), -- what the failed read belonged to
  subject     TEXT NOT NULL,     -- user id for scope 'user', resource or phase name otherwise
  endpoint    TEXT NOT NULL,     -- request path only (no host, no query, never a token)
  kind        TEXT NOT NULL CHECK (kind IN ('failed', 'deleted', 'not_available')), -- failed = error after retries, deleted = 404 mid-crawl, not_available = 401/403/feature off
  http_status INTEGER,           -- HTTP status, NULL for network errors
  error_code  TEXT,              -- Okta errorCode, e.g. E0000007
  message     TEXT NOT NULL,     -- one line for a person
  at          TEXT NOT NULL      -- when it was recorded (latest retry wins)
);
-- One row per failing read: a retried read updates its row instead of adding another.
CREATE UNIQUE INDEX crawl_errors_by_subject ON crawl_errors (snapshot_id, scope, subject, endpoint, kind);

-- Views: the common questions, each documented with an example in docs/database.md.

-- The newest complete snapshot: one row (none before a crawl completes), so
-- `snapshot_id = (SELECT id FROM v_latest_snapshot)` is unambiguous.
CREATE VIEW v_latest_snapshot AS
SELECT s.*
FROM snapshots s
WHERE s.id = (SELECT max(s2.id) FROM snapshots s2 WHERE s2.status = 'complete');

-- Every factor with its user's login and status.
CREATE VIEW v_user_factors AS
SELECT f.snapshot_id, f.user_id, u.login, u.status AS user_status,
       f.id AS factor_id, f.factor_type, f.provider, f.vendor_name, f.status AS factor_status,
       f.device_name, f.platform, f.device_type, f.credential_id,
       f.created, f.last_updated, f.last_verified
FROM factors f
JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id;

-- Okta Verify FastPass (signed_nonce) factors with their key count and JWK types.
CREATE VIEW v_signed_nonce_factors AS
SELECT f.snapshot_id, f.user_id, u.login, u.status AS user_status,
       f.id AS factor_id, f.status AS factor_status, f.device_name, f.platform, f.device_type,
       f.credential_id, f.created, f.last_updated,
       json_array_length(f.raw_json, '$.profile.keys') AS key_count,
       (SELECT group_concat(t.jwk_type, ',')
          FROM (SELECT json_extract(k.value, '$.jwkType') AS jwk_type
                  FROM json_each(f.raw_json, '$.profile.keys') k
                 ORDER BY k.key) t) AS jwk_types
FROM factors f
JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
WHERE f.factor_type = 'signed_nonce';

-- Per user with any push or signed_nonce factor: how many of each and on how many devices.
CREATE VIEW v_push_factors_per_user AS
SELECT f.snapshot_id, f.user_id, u.login, u.status AS user_status,
       sum(f.factor_type = 'push') AS push_factors,
       sum(f.factor_type = 'signed_nonce') AS signed_nonce_factors,
       count(DISTINCT f.device_name) AS distinct_devices,
       group_concat(DISTINCT f.device_name) AS device_names
FROM factors f
JOIN users u ON u.snapshot_id = f.snapshot_id AND u.id = f.user_id
WHERE f.factor_type IN ('push', 'signed_nonce')
GROUP BY f.snapshot_id, f.user_id;

-- Per user with Okta Verify anywhere: enrollments (all devices) vs push factors (Factors API
-- projection). A count is NULL when that list could not be read for the user.
CREATE VIEW v_okta_verify_enrollments_vs_push AS
SELECT c.*, c.okta_verify_enrollments - c.push_factors AS enrollments_minus_push
FROM (
  SELECT u.snapshot_id, u.id AS user_id, u.login, u.status AS user_status, u.crawl_state,
         CASE WHEN u.enrollments_fetched = 1 THEN
           (SELECT count(*) FROM authenticator_enrollments e
             WHERE e.snapshot_id = u.snapshot_id AND e.user_id = u.id AND e.key = 'okta_verify') END AS okta_verify_enrollments,
         CASE WHEN u.factors_fetched = 1 THEN
           (SELECT count(*) FROM factors f
             WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id AND f.factor_type = 'push') END AS push_factors,
         CASE WHEN u.factors_fetched = 1 THEN
           (SELECT count(*) FROM factors f
             WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id AND f.factor_type = 'signed_nonce') END AS signed_nonce_factors
  FROM users u
  WHERE EXISTS (SELECT 1 FROM authenticator_enrollments e
                 WHERE e.snapshot_id = u.snapshot_id AND e.user_id = u.id AND e.key = 'okta_verify')
     OR EXISTS (SELECT 1 FROM factors f
                 WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id AND f.factor_type IN ('push', 'signed_nonce'))
) c;

-- Users whose factor list was read and holds no ACTIVE factor.
CREATE VIEW v_users_without_active_factor AS
SELECT u.snapshot_id, u.id AS user_id, u.login, u.status AS user_status, u.last_login,
       (SELECT count(*) FROM factors f WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id) AS factor_count
FROM users u
WHERE u.factors_fetched = 1
  AND NOT EXISTS (SELECT 1 FROM factors f
                   WHERE f.snapshot_id = u.snapshot_id AND f.user_id = u.id AND f.status = 'ACTIVE');

-- System Log calls to Classic-only APIs (Authentication API, Sessions API, Factors API).
-- GLOB is case-sensitive like Okta's paths and lets SQLite use the request_uri index.
CREATE VIEW v_classic_api_calls AS
SELECT l.snapshot_id, l.uuid, l.published, l.event_type,
       CASE WHEN l.request_uri GLOB '/api/v1/authn*' THEN 'authn'
            WHEN l.request_uri GLOB '/api/v1/sessions*' THEN 'sessions'
            ELSE 'factors' END AS api,
       l.request_uri, l.actor_id, l.actor_type, l.actor_alternate_id, l.client_id, l.api_token_id,
       l.user_agent, l.outcome_result, l.target_user_id
FROM log_events l
WHERE l.request_uri GLOB '/api/v1/authn*'
   OR l.request_uri GLOB '/api/v1/sessions*'
   OR l.request_uri GLOB '/api/v1/users/*/factors*';

-- Per snapshot: users by crawl_state, plus unavailable org resources and recorded errors.
CREATE VIEW v_coverage AS
SELECT s.id AS snapshot_id, s.org_url, s.status, s.users_expected,
       count(u.id) AS users_total,
       coalesce(sum(u.crawl_state = 'pending'), 0) AS users_pending,
       coalesce(sum(u.crawl_state = 'complete'), 0) AS users_complete,
       coalesce(sum(u.crawl_state = 'deleted'), 0) AS users_deleted,
       coalesce(sum(u.crawl_state = 'failed'), 0) AS users_failed,
       (SELECT count(*) FROM org_resources r
         WHERE r.snapshot_id = s.id AND r.state = 'not_available') AS org_resources_not_available,
       (SELECT count(*) FROM crawl_errors e WHERE e.snapshot_id = s.id) AS errors
FROM snapshots s
LEFT JOIN users u ON u.snapshot_id = s.id
GROUP BY s.id;
