-- 0004_refresh.sql: snapshots built by `crawl --refresh` from an earlier one.
--
-- A refresh re-reads only the users that may have changed since its base snapshot and copies the
-- others' factors and enrollments from it. The copied rows are the base's rows unchanged; the
-- columns below say where they came from and why the others were read again.

ALTER TABLE snapshots ADD COLUMN base_snapshot_id INTEGER REFERENCES snapshots (id) ON DELETE SET NULL; -- the snapshot a refresh started from; NULL for a full crawl
ALTER TABLE users ADD COLUMN carried_from INTEGER; -- snapshot the user's factors and enrollments were copied from (a refresh, user unchanged); NULL = read in this crawl

-- Users the System Log names as changed since the base (a factor, device or lifecycle event):
-- a refresh reads them again even when their user object is unchanged.
CREATE TABLE refresh_targets (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE, -- the refresh
  user_id     TEXT NOT NULL,   -- users.id
  event_type  TEXT NOT NULL,   -- the first event naming the user, e.g. user.mfa.factor.deactivate
  published   TEXT,            -- its published time
  PRIMARY KEY (snapshot_id, user_id)
);
