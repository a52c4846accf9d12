-- Lattice 10.0, script 02_record_status_lookup: record status moves to a lookup table.
--
-- Effect: new table record_statuses (1 draft, 2 submitted, 3 approved, 4 rejected).
-- The free-text column records.status is replaced by records.status_id, a NOT NULL
-- foreign key to record_statuses, chosen by matching lower(trim(status)) to the
-- code. SQLite cannot change a column this way in place, so records is rebuilt
-- (create the new table, copy, drop the old one, rename the new one, recreate
-- the indexes). Ids, references and every other column are copied unchanged.
-- A record whose status matches no code makes the copy fail on NOT NULL, so the
-- whole script rolls back rather than guess.
--
-- With the demo sample data:
--   record 1  ' Draft'      becomes status_id 1 (draft)
--   record 2  'submitted'   becomes status_id 2 (submitted)
--   record 10 'Submitted'   becomes status_id 2 (submitted)
--   record 16 'APPROVED'    becomes status_id 3 (approved)
--   record 19 'Rejected '   becomes status_id 4 (rejected)
-- Counts: draft 400, submitted 1800, approved 1200, rejected 600.

CREATE TABLE record_statuses (
    id    INTEGER PRIMARY KEY,
    code  TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL
);

INSERT INTO record_statuses (id, code, title) VALUES
    (1, 'draft', 'Draft'),
    (2, 'submitted', 'Submitted'),
    (3, 'approved', 'Approved'),
    (4, 'rejected', 'Rejected');

CREATE TABLE records_new (
    id           INTEGER PRIMARY KEY,
    reference    TEXT NOT NULL UNIQUE,
    form_id      INTEGER NOT NULL REFERENCES forms (id),
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    submitted_at TEXT NOT NULL,
    status_id    INTEGER NOT NULL REFERENCES record_statuses (id)
);

INSERT INTO records_new (id, reference, form_id, submitted_by, submitted_at, status_id)
SELECT r.id, r.reference, r.form_id, r.submitted_by, r.submitted_at, s.id
FROM records r
LEFT JOIN record_statuses s ON s.code = lower(trim(r.status))
ORDER BY r.id;

DROP TABLE records;

ALTER TABLE records_new RENAME TO records;

CREATE INDEX records_form_idx ON records (form_id);
CREATE INDEX records_submitter_idx ON records (submitted_by);
CREATE INDEX records_status_idx ON records (status_id);
