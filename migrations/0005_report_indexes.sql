-- 0005_report_indexes.sql: indexes for the rules and the report on orgs of millions of users.
--
-- Independent of the other migrations: it only adds indexes and drops the two they extend, each
-- statement safe to run on a database that already has its result.
--
-- factors_by_type_user: one factor type's rows, user by user. Rules that list a type's factors in
-- user order ("every signed_nonce factor, by user") read just that range, already sorted, instead
-- of walking every factor in primary-key order to skip the other types. Its first two columns are
-- factors_by_type's, which it replaces.
--
-- factors_by_user_type: what rules ask about one user's factors (how many push factors, any ACTIVE
-- one, any OKTA TOTP, all ACTIVE ones weak?) answered from the index alone. The primary key finds
-- a user's factors too, but each one's type and status are then read from its row, raw JSON and
-- all: millions of page reads on a large org.
--
-- users_by_login_id: the Users sheet's order (login, then id) straight from the index. With
-- users_by_login, which it replaces, SQLite passed every user through a sorter to put equal logins
-- in id order.

DROP INDEX IF EXISTS factors_by_type;
CREATE INDEX IF NOT EXISTS factors_by_type_user ON factors (snapshot_id, factor_type, user_id, id);
CREATE INDEX IF NOT EXISTS factors_by_user_type ON factors (snapshot_id, user_id, factor_type, status, provider, id);
DROP INDEX IF EXISTS users_by_login;
CREATE INDEX IF NOT EXISTS users_by_login_id ON users (snapshot_id, login, id);
