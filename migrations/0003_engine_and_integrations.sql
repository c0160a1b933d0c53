-- 0003_engine_and_integrations.sql: data that does not exist on the org's engine, the device name of
-- authenticator enrollments, and the org's integration surface (apps, brands and sign-in pages,
-- custom domains, trusted origins, inline hooks).
--
-- 'not_applicable' says "this org cannot have this data" (an Identity-Engine-only API on a Classic
-- Engine org, or a feature Okta answers E0000015 for), which is not a gap in the snapshot;
-- 'not_available' stays "the data exists but could not be read" (a missing scope, a refused role).
-- Rules get the same distinction in rule_runs. SQLite cannot change a CHECK constraint, so both
-- tables are rebuilt; rows written by older versions are classified by what they recorded.

DROP VIEW v_coverage;

CREATE TABLE org_resources_new (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  resource    TEXT NOT NULL,   -- 'authenticators' | 'policies:MFA_ENROLL' | 'eventHooks' | 'apiTokens' | 'logs' | 'apps' | 'brands' | …
  state       TEXT NOT NULL CHECK (state IN ('complete', 'not_available', 'not_applicable')), -- complete = fully read; not_available = exists but not read; not_applicable = the org has no such data
  reason      TEXT,            -- why it is not available or not applicable, in words
  http_status INTEGER,         -- HTTP status of the failed request (NULL when nothing was asked)
  error_code  TEXT,            -- Okta errorCode, e.g. E0000006
  PRIMARY KEY (snapshot_id, resource)
);
INSERT INTO org_resources_new (snapshot_id, resource, state, reason, http_status, error_code)
SELECT snapshot_id, resource,
       CASE WHEN state = 'not_available' AND (error_code = 'E0000015' OR (resource = 'authenticatorEnrollments' AND http_status IS NULL AND reason GLOB 'Classic Engine org*'))
            THEN 'not_applicable' ELSE state END,
       reason, http_status, error_code
FROM org_resources;
DROP TABLE org_resources;
ALTER TABLE org_resources_new RENAME TO org_resources;

CREATE TABLE rule_runs_new (
  snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- evaluated snapshot
  rule_id        TEXT NOT NULL,   -- stable rule id (snake_case), see `oie-audit rules`
  status         TEXT NOT NULL CHECK (status IN ('evaluated', 'skipped', 'not_applicable', 'error')), -- skipped = data exists but was not read; not_applicable = the rule does not fit the org's engine or data; error = the rule failed
  reason         TEXT,            -- why skipped, not applicable or failed, in words
  findings       INTEGER NOT NULL DEFAULT 0, -- number of findings written
  evaluated_at   TEXT NOT NULL,   -- when the rule ran (tool clock)
  PRIMARY KEY (snapshot_id, rule_id)
);
INSERT INTO rule_runs_new (snapshot_id, rule_id, status, reason, findings, evaluated_at)
SELECT snapshot_id, rule_id,
       CASE WHEN status = 'skipped' AND reason GLOB 'Applies to * orgs only; *' THEN 'not_applicable' ELSE status END,
       reason, findings, evaluated_at
FROM rule_runs;
DROP TABLE rule_runs;
ALTER TABLE rule_runs_new RENAME TO rule_runs;

-- Okta does not document an okta_verify enrollment's profile: the device name is the first present of
-- these fields (the same list as enrollmentDeviceName in src/store/extract.ts).
ALTER TABLE authenticator_enrollments ADD COLUMN device_name TEXT; -- device or credential name: profile.deviceName, profile.name, profile.displayName, nickname or _embedded.device.profile.displayName
UPDATE authenticator_enrollments SET device_name = coalesce(
  json_extract(raw_json, '$.profile.deviceName'), json_extract(raw_json, '$.profile.name'), json_extract(raw_json, '$.profile.displayName'),
  nickname, json_extract(raw_json, '$._embedded.device.profile.displayName'));

CREATE TABLE apps (
  snapshot_id             INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id                      TEXT NOT NULL,   -- app id (0oa…)
  resource                TEXT NOT NULL,   -- org_resources.resource that produced the row: 'apps'
  name                    TEXT,            -- app integration name (e.g. office365, oidc_client, template_saml_2_0)
  label                   TEXT,            -- the admin's label for the app
  status                  TEXT,            -- ACTIVE | INACTIVE
  sign_on_mode            TEXT,            -- SAML_2_0 | OPENID_CONNECT | AUTO_LOGIN | BOOKMARK | …
  authentication_pipeline TEXT,            -- authenticationPipeline: CLASSIC | ORG_DEFAULT on an upgraded org; NULL = not exposed (Classic Engine)
  login_redirect_url      TEXT,            -- accessibility.loginRedirectUrl: the Classic "custom app login" page, NULL = none
  created                 TEXT,            -- created
  last_updated            TEXT,            -- lastUpdated
  raw_json                TEXT NOT NULL,   -- the app object (read raw: the SDK model drops authenticationPipeline)
  PRIMARY KEY (snapshot_id, id)
);

CREATE TABLE brands (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id           TEXT NOT NULL,   -- brand id (bnd…)
  resource     TEXT NOT NULL,   -- 'brands'
  name         TEXT,            -- brand name
  is_default   INTEGER,         -- isDefault: 1 = the org's default brand
  created      TEXT,            -- created (brands usually have none)
  last_updated TEXT,            -- lastUpdated (brands usually have none)
  raw_json     TEXT NOT NULL,   -- the brand object
  PRIMARY KEY (snapshot_id, id)
);

-- A brand's customized sign-in page; a brand whose page is not customized has no row (Okta answers 404).
CREATE TABLE sign_in_pages (
  snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  brand_id       TEXT NOT NULL,   -- owning brand (brands.id)
  resource       TEXT NOT NULL,   -- 'signInPage:<brand id>'
  widget_version TEXT,            -- widgetVersion: '*', '^7', '7', '5.15' …
  created        TEXT,            -- always NULL (the page has no dates)
  last_updated   TEXT,            -- always NULL
  raw_json       TEXT NOT NULL,   -- the SignInPage object (pageContent, widgetCustomizations, contentSecurityPolicySetting)
  PRIMARY KEY (snapshot_id, brand_id)
);

CREATE TABLE domains (
  snapshot_id       INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id                TEXT NOT NULL,   -- custom domain id (OcD…)
  resource          TEXT NOT NULL,   -- 'domains'
  domain            TEXT,            -- e.g. login.example.com
  brand_id          TEXT,            -- brandId the domain serves
  validation_status TEXT,            -- COMPLETED | IN_PROGRESS | NOT_STARTED | VERIFIED
  created           TEXT,            -- always NULL (domains have no dates)
  last_updated      TEXT,            -- always NULL
  raw_json          TEXT NOT NULL,   -- the domain object
  PRIMARY KEY (snapshot_id, id)
);

CREATE TABLE trusted_origins (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id           TEXT NOT NULL,   -- trusted origin id (tos…)
  resource     TEXT NOT NULL,   -- 'trustedOrigins'
  name         TEXT,            -- name
  origin       TEXT,            -- the origin URL
  status       TEXT,            -- ACTIVE | INACTIVE
  scope_types  TEXT,            -- scopes[].type joined with ',': CORS, REDIRECT, IFRAME_EMBED
  created      TEXT,            -- created
  last_updated TEXT,            -- lastUpdated
  raw_json     TEXT NOT NULL,   -- the trusted origin object
  PRIMARY KEY (snapshot_id, id)
);

CREATE TABLE inline_hooks (
  snapshot_id  INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- owning snapshot
  id           TEXT NOT NULL,   -- inline hook id (cal…)
  resource     TEXT NOT NULL,   -- 'inlineHooks'
  name         TEXT,            -- name
  type         TEXT,            -- com.okta.user.pre-registration | com.okta.oauth2.tokens.transform | …
  status       TEXT,            -- ACTIVE | INACTIVE
  created      TEXT,            -- created
  last_updated TEXT,            -- lastUpdated
  raw_json     TEXT NOT NULL,   -- the inline hook object (channel config; Okta never returns header secrets)
  PRIMARY KEY (snapshot_id, id)
);

-- As in 0001, plus the org data that does not exist on the org's engine.
CREATE VIEW v_coverage AS
SELECT s.id AS snapshot_id, s.org_url, s.status, s.users_expected,
       count(u.id) AS users_total,
       coalesce(sum(u.crawl_state = 'pending'), 0) AS users_pending,
       coalesce(sum(u.crawl_state = 'complete'), 0) AS users_complete,
       coalesce(sum(u.crawl_state = 'deleted'), 0) AS users_deleted,
       coalesce(sum(u.crawl_state = 'failed'), 0) AS users_failed,
       (SELECT count(*) FROM org_resources r
         WHERE r.snapshot_id = s.id AND r.state = 'not_available') AS org_resources_not_available,
       (SELECT count(*) FROM org_resources r
         WHERE r.snapshot_id = s.id AND r.state = 'not_applicable') AS org_resources_not_applicable,
       (SELECT count(*) FROM crawl_errors e WHERE e.snapshot_id = s.id) AS errors
FROM snapshots s
LEFT JOIN users u ON u.snapshot_id = s.id
GROUP BY s.id;
