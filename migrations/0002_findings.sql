-- 0002_findings.sql: audit results, per snapshot.
--
-- `oie-audit report` (and `run`, `demo`) evaluates every rule over a snapshot and stores the
-- outcome here, replacing an earlier evaluation of the same snapshot. One row per finding; one
-- row per rule saying whether it ran, so "no findings" and "could not evaluate" differ.

CREATE TABLE rule_runs (
  snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- evaluated snapshot
  rule_id        TEXT NOT NULL,   -- stable rule id (snake_case), see `oie-audit rules`
  status         TEXT NOT NULL CHECK (status IN ('evaluated', 'skipped', 'error')), -- skipped = data not available; error = the rule failed
  reason         TEXT,            -- why skipped or failed, in words
  findings       INTEGER NOT NULL DEFAULT 0, -- number of findings written
  evaluated_at   TEXT NOT NULL,   -- when the rule ran (tool clock)
  PRIMARY KEY (snapshot_id, rule_id)
);

CREATE TABLE findings (
  snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- evaluated snapshot
  id             INTEGER PRIMARY KEY AUTOINCREMENT, -- row id
  rule_id        TEXT NOT NULL,   -- rule that produced it
  severity       TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
  subject_type   TEXT NOT NULL,   -- 'user' | 'org' | 'policy' | 'policy_rule' | 'event_hook' | 'api_token' | 'integration'
  subject_id     TEXT,            -- id of the subject (user id, policy id, api token id, client id…)
  user_id        TEXT,            -- the user concerned, when there is one
  user_login     TEXT,            -- users.login at snapshot time
  user_status    TEXT,            -- users.status at snapshot time
  evidence       TEXT NOT NULL,   -- what triggered it, in words an auditor can read
  details_json   TEXT NOT NULL    -- the rows and values involved (ids, device names, counts…), as JSON
);
CREATE INDEX findings_by_rule ON findings (snapshot_id, rule_id);
CREATE INDEX findings_by_user ON findings (snapshot_id, user_id);
