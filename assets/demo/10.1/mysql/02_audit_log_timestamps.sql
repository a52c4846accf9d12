-- Lattice 10.1, script 02_audit_log_timestamps: readable audit timestamps and action codes (MySQL, MariaDB).
--
-- Effect: audit_log.logged_at (Unix seconds) is replaced by audit_log.occurred_at,
-- text 'YYYY-MM-DD HH:MM:SS' in UTC, and action codes change from 'FORM_SUBMIT'
-- style to 'form.submit' style (lower case, '_' becomes '.'). Both rules are
-- enforced by new CHECK constraints (audit_log_occurred_at_check,
-- audit_log_action_check). MySQL changes the table in place: occurred_at is added
-- after id (the second column, as on SQLite) with its index audit_log_occurred_idx
-- and filled, then one ALTER drops logged_at with its CHECK and index, makes
-- occurred_at NOT NULL and adds the two CHECKs, and audit_log_user_idx is created.
-- Ids, user_id and detail stay unchanged.
-- The UTC text is computed by date arithmetic from 1970-01-01 00:00:00, not with
-- FROM_UNIXTIME, which would use the session time zone.
--
-- With the demo sample data:
--   entry 1    logged_at 1577856811, 'FORM_SUBMIT'  becomes '2020-01-01 05:33:31', 'form.submit'
--   entry 2    logged_at 1577876822, 'APP_EDIT'     becomes '2020-01-01 11:07:02', 'app.edit'
--   entry 4    'LOGIN'                              becomes 'login'
--   entry 1500 logged_at 1607853300                 becomes '2020-12-13 09:55:00', 'login'
--
-- Each statement can run twice: the ALTERs fail with errors 1060 and 1091 (the
-- second one on DROP COLUMN logged_at, before it gets to the CHECKs), the CREATE
-- INDEX with 1061 (taken as done), and the UPDATE only converts rows whose
-- occurred_at is still NULL, timestamp and action in one go.

ALTER TABLE audit_log
    ADD COLUMN occurred_at VARCHAR(255) NULL AFTER id,
    ADD INDEX audit_log_occurred_idx (occurred_at);

UPDATE audit_log
SET occurred_at = DATE_FORMAT(TIMESTAMP '1970-01-01 00:00:00' + INTERVAL logged_at SECOND, '%Y-%m-%d %H:%i:%s'),
    action = REPLACE(LOWER(action), '_', '.')
WHERE occurred_at IS NULL;

ALTER TABLE audit_log
    DROP COLUMN logged_at,
    DROP CONSTRAINT audit_log_logged_at_check,
    MODIFY occurred_at VARCHAR(255) NOT NULL,
    ADD CONSTRAINT audit_log_occurred_at_check
        CHECK (occurred_at REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'),
    ADD CONSTRAINT audit_log_action_check
        CHECK (CHAR_LENGTH(action) > 0 AND CAST(action AS BINARY) = CAST(LOWER(action) AS BINARY));

CREATE INDEX audit_log_user_idx ON audit_log (user_id);
