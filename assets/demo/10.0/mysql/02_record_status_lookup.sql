-- Lattice 10.0, script 02_record_status_lookup: record status moves to a lookup table (MySQL, MariaDB).
--
-- Effect: new table record_statuses (1 draft, 2 submitted, 3 approved, 4 rejected).
-- The free-text column records.status is replaced by records.status_id, a NOT NULL
-- foreign key to record_statuses, chosen by matching lower(trim(status)) to the
-- code. MySQL changes records in place: status_id is added as the last column
-- (where the SQLite rebuild puts it too), filled, then indexed (records_status_idx)
-- and tied to record_statuses, and status is dropped. Ids, references and every
-- other column stay unchanged.
-- A record whose status matches no code makes the UPDATE fail on NOT NULL
-- (error 1048, "Column 'status_id' cannot be null") rather than guess. This needs
-- the server in strict mode, as MySQL and MariaDB run by default. DDL is not
-- transactional here, so record_statuses and the new column stay: fix the status
-- and run upwiz again, which repeats the UPDATE and goes on.
--
-- With the demo sample data:
--   record 1  ' Draft'      becomes status_id 1 (draft)
--   record 2  'submitted'   becomes status_id 2 (submitted)
--   record 10 'Submitted'   becomes status_id 2 (submitted)
--   record 16 'APPROVED'    becomes status_id 3 (approved)
--   record 19 'Rejected '   becomes status_id 4 (rejected)
-- Counts: draft 400, submitted 1800, approved 1200, rejected 600.
--
-- Each statement can run twice: CREATE TABLE, ADD COLUMN, ADD INDEX and DROP COLUMN
-- fail with errors 1050, 1060, 1061 and 1091 (taken as done), the INSERT leaves
-- existing rows alone and the UPDATE computes the same ids again.

CREATE TABLE record_statuses (
    id    INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code  VARCHAR(255) NOT NULL UNIQUE,
    title VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO record_statuses (id, code, title) VALUES
    (1, 'draft', 'Draft'),
    (2, 'submitted', 'Submitted'),
    (3, 'approved', 'Approved'),
    (4, 'rejected', 'Rejected')
ON DUPLICATE KEY UPDATE id = id;

-- Existing rows get 0 for now: no status has that id.
ALTER TABLE records ADD COLUMN status_id INT NOT NULL;

UPDATE records
SET status_id = (SELECT s.id FROM record_statuses s WHERE s.code = LOWER(TRIM(records.status)));

ALTER TABLE records
    ADD INDEX records_status_idx (status_id),
    ADD CONSTRAINT records_status_id_fkey FOREIGN KEY (status_id) REFERENCES record_statuses (id);

ALTER TABLE records DROP COLUMN status;
