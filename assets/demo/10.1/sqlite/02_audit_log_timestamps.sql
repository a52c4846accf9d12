-- Lattice 10.1, script 02_audit_log_timestamps: readable audit timestamps and action codes.
--
-- Effect: audit_log.logged_at (Unix seconds) is replaced by audit_log.occurred_at,
-- text 'YYYY-MM-DD HH:MM:SS' in UTC, and action codes change from 'FORM_SUBMIT'
-- style to 'form.submit' style (lower case, '_' becomes '.'). Both rules are
-- enforced by new CHECK constraints, so the table is rebuilt (create the new
-- table, copy, drop the old one, rename the new one, recreate the indexes).
-- Ids, user_id and detail are copied unchanged.
--
-- With the demo sample data:
--   entry 1    logged_at 1577856811, 'FORM_SUBMIT'  becomes '2020-01-01 05:33:31', 'form.submit'
--   entry 2    logged_at 1577876822, 'APP_EDIT'     becomes '2020-01-01 11:07:02', 'app.edit'
--   entry 4    'LOGIN'                              becomes 'login'
--   entry 1500 logged_at 1607853300                 becomes '2020-12-13 09:55:00', 'login'

CREATE TABLE audit_log_new (
    id          INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL
        CHECK (occurred_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'),
    user_id     INTEGER REFERENCES users (id),
    action      TEXT NOT NULL CHECK (action <> '' AND action = lower(action)),
    detail      TEXT
);

INSERT INTO audit_log_new (id, occurred_at, user_id, action, detail)
SELECT id,
       datetime(logged_at, 'unixepoch'),
       user_id,
       replace(lower(action), '_', '.'),
       detail
FROM audit_log
ORDER BY id;

DROP TABLE audit_log;

ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id);
