-- Lattice Application Platform 9.0: repository schema and sample data (MySQL, MariaDB).
--
-- Installs a fresh 9.0 repository: `upwiz install --version 9.0` runs this file,
-- and any later version runs it first and then the release scripts up to that version.
-- The sample data is generated, so it is the same on every install, and row for row
-- the same as the SQLite and PostgreSQL baselines:
--
--   users             240 rows. Ids 1-8 are hand-written (see below), 9-240 generated.
--   roles               4 rows: 1 owner, 2 designer, 3 submitter, 4 viewer.
--   applications       36 rows: "<department> <kind>", e.g. 1 'Finance Requests',
--                      31 'Service Desk Requests'. Applications 12 and 29 are deleted
--                      (deleted = 1). Tags are free text, comma separated, by id % 4:
--                        0: NULL                           (4  -> NULL)
--                        1: '<department lower>,core'      (1  -> 'finance,core')
--                        2: '<Department>, Workflow, <department lower>'
--                                                          (2  -> 'Finance, Workflow, finance')
--                        3: ' internal ,, Workflow '       (3)
--   app_members       216 rows: the owner (role 1) and five other members each.
--   forms             108 rows: 2 + (application id % 3) per application, named
--                      Request, Review, Follow-up, Closure. The definition is the legacy
--                      format 'field:type|field:type', one of eight templates.
--   records          4000 rows on forms of live applications only. reference 'REC-000001'...
--                      status is legacy free text in mixed case and with stray blanks:
--                      record 1 ' Draft', 10 'Submitted', 16 'APPROVED', 19 'Rejected '.
--   audit_log        1500 rows, logged_at in Unix seconds, action in upper case.
--   settings            6 rows, replication and trace 'off'.
--   lattice_version     1 row: '9.0'.
--
-- MySQL specifics:
--   * Every table is InnoDB, utf8mb4 with the binary collation utf8mb4_bin, so
--     that text compares, sorts and is unique by its bytes and case, as on SQLite
--     (the default _ci collations would make 'Admin' equal 'admin'). Text columns are
--     VARCHAR(255) (TEXT for the long ones), flags INT 0/1, timestamps text
--     'YYYY-MM-DD HH:MM:SS'. Ids are AUTO_INCREMENT, like SQLite's INTEGER PRIMARY KEY.
--   * Foreign keys are table constraints (MySQL ignores REFERENCES on a column).
--   * Number series come from a ten-row digit table joined with itself, not from a
--     recursion thousands of levels deep: MariaDB stops recursive queries after
--     max_recursive_iterations and MySQL after cte_max_recursion_depth (1000 by default).
--   * DDL commits implicitly, so upwiz runs this file statement by statement and may
--     run again the statement a crash interrupted. CREATE statements then fail with
--     "already exists", which upwiz takes as done, and every INSERT only inserts the
--     rows that are not there yet.
--
-- Statements end with a semicolon, and no comment or literal contains one.

CREATE TABLE lattice_version (
    version VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE settings (
    name  VARCHAR(255) NOT NULL PRIMARY KEY,
    value VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE users (
    id         INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    login      VARCHAR(255) NOT NULL UNIQUE CHECK (CHAR_LENGTH(login) BETWEEN 2 AND 32),
    full_name  VARCHAR(255) NOT NULL,
    email      VARCHAR(255) NOT NULL CHECK (email LIKE '%_@_%'),
    status     VARCHAR(255) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'retired')),
    created_at VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE roles (
    id    INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    code  VARCHAR(255) NOT NULL UNIQUE,
    title VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE applications (
    id         INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(255) NOT NULL UNIQUE CHECK (CHAR_LENGTH(name) > 0),
    owner_id   INT NOT NULL,
    tags       VARCHAR(255),
    deleted    INT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_at VARCHAR(255) NOT NULL,
    INDEX applications_owner_idx (owner_id),
    FOREIGN KEY (owner_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE app_members (
    application_id INT NOT NULL,
    user_id        INT NOT NULL,
    role_id        INT NOT NULL,
    PRIMARY KEY (application_id, user_id),
    INDEX app_members_user_idx (user_id),
    FOREIGN KEY (application_id) REFERENCES applications (id),
    FOREIGN KEY (user_id) REFERENCES users (id),
    FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE forms (
    id             INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    application_id INT NOT NULL,
    name           VARCHAR(255) NOT NULL,
    definition     TEXT NOT NULL CHECK (CHAR_LENGTH(definition) > 0),
    UNIQUE (application_id, name),
    FOREIGN KEY (application_id) REFERENCES applications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE records (
    id           INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    reference    VARCHAR(255) NOT NULL UNIQUE,
    form_id      INT NOT NULL,
    submitted_by INT NOT NULL,
    submitted_at VARCHAR(255) NOT NULL,
    status       VARCHAR(255) NOT NULL,
    INDEX records_form_idx (form_id),
    INDEX records_submitter_idx (submitted_by),
    FOREIGN KEY (form_id) REFERENCES forms (id),
    FOREIGN KEY (submitted_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The CHECK on logged_at is named: 10.1 drops it together with the column.
CREATE TABLE audit_log (
    id        INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    logged_at BIGINT NOT NULL,
    user_id   INT,
    action    VARCHAR(255) NOT NULL,
    detail    TEXT,
    INDEX audit_log_logged_idx (logged_at),
    CONSTRAINT audit_log_logged_at_check CHECK (logged_at > 0),
    FOREIGN KEY (user_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Settings. Preflight checks require replication and trace to be 'off'.
INSERT INTO settings (name, value) VALUES
    ('replication', 'off'),
    ('trace', 'off'),
    ('session_timeout_minutes', '30'),
    ('default_locale', 'en-GB'),
    ('mail_relay', 'smtp.example.com'),
    ('license_server', 'license.example.com:7400')
ON DUPLICATE KEY UPDATE name = name;

INSERT INTO roles (id, code, title) VALUES
    (1, 'owner', 'Application owner'),
    (2, 'designer', 'Form designer'),
    (3, 'submitter', 'Submitter'),
    (4, 'viewer', 'Viewer')
ON DUPLICATE KEY UPDATE id = id;

-- Hand-written users: the cases the 9.1 and 10.0 scripts care about.
INSERT INTO users (id, login, full_name, email, status, created_at) VALUES
    (1, 'admin',     'System Administrator', ' Admin@Example.COM ',       'active',  '2019-01-01 08:00:00'),
    (2, 'alovelace', 'Ada Lovelace',         'Ada.Lovelace@Example.com',  'active',  '2019-01-02 09:15:00'),
    (3, 'ghopper',   'Grace Hopper',         'grace.hopper@example.com',  'active',  '2019-01-03 10:30:00'),
    (4, 'cher',      'Cher',                 'CHER@EXAMPLE.COM',          'active',  '2019-01-04 11:45:00'),
    (5, 'jvdberg',   'Jan van der Berg',     'j.vanderberg@example.com',  'active',  '2019-01-05 13:00:00'),
    (6, 'kzuse',     '  Konrad  Zuse ',      'Konrad.Zuse@example.com',   'retired', '2019-01-06 14:15:00'),
    (7, 'edijkstra', 'Edsger Dijkstra',      'edsger.dijkstra@example.com', 'locked', '2019-01-07 15:30:00'),
    (8, 'bliskov',   'Barbara Liskov',       'barbara.liskov@example.com', 'active', '2019-01-08 16:45:00')
ON DUPLICATE KEY UPDATE id = id;

-- Generated users 9-240: name from two lists, e-mail in three styles by id:
-- id % 3 = 0 mixed case, else id % 10 = 7 surrounded by blanks, else lower case.
-- Status: id % 23 = 0 locked, else id % 31 = 0 retired, else active.
INSERT INTO users (id, login, full_name, email, status, created_at)
WITH RECURSIVE
    n(i) AS (SELECT 9 UNION ALL SELECT i + 1 FROM n WHERE i < 240),
    firsts(k, name) AS (
        SELECT 0, 'Alan' UNION ALL SELECT 1, 'Margaret' UNION ALL SELECT 2, 'Dennis'
        UNION ALL SELECT 3, 'Frances' UNION ALL SELECT 4, 'John' UNION ALL SELECT 5, 'Radia'
        UNION ALL SELECT 6, 'Ken' UNION ALL SELECT 7, 'Sophie' UNION ALL SELECT 8, 'Linus'
        UNION ALL SELECT 9, 'Hedy' UNION ALL SELECT 10, 'Niklaus' UNION ALL SELECT 11, 'Adele'
        UNION ALL SELECT 12, 'Tim' UNION ALL SELECT 13, 'Katherine' UNION ALL SELECT 14, 'Donald'
        UNION ALL SELECT 15, 'Karen'),
    lasts(k, name) AS (
        SELECT 0, 'Turing' UNION ALL SELECT 1, 'Hamilton' UNION ALL SELECT 2, 'Ritchie'
        UNION ALL SELECT 3, 'Allen' UNION ALL SELECT 4, 'Backus' UNION ALL SELECT 5, 'Perlman'
        UNION ALL SELECT 6, 'Thompson' UNION ALL SELECT 7, 'Wilson' UNION ALL SELECT 8, 'Torvalds'
        UNION ALL SELECT 9, 'Lamarr' UNION ALL SELECT 10, 'Wirth' UNION ALL SELECT 11, 'Goldberg'
        UNION ALL SELECT 12, 'Berners-Lee' UNION ALL SELECT 13, 'Johnson' UNION ALL SELECT 14, 'Knuth')
SELECT n.i,
       CONCAT(LOWER(f.name), n.i),
       CONCAT(f.name, ' ', l.name),
       CASE
           WHEN n.i % 3 = 0 THEN CONCAT(f.name, '.', l.name, n.i, '@Example.com')
           WHEN n.i % 10 = 7 THEN CONCAT(' ', LOWER(CONCAT(f.name, '.', l.name)), n.i, '@example.com ')
           ELSE CONCAT(LOWER(CONCAT(f.name, '.', l.name)), n.i, '@example.com')
       END,
       CASE WHEN n.i % 23 = 0 THEN 'locked' WHEN n.i % 31 = 0 THEN 'retired' ELSE 'active' END,
       DATE_FORMAT(TIMESTAMP '2019-01-01 08:00:00' + INTERVAL (n.i * 3) DAY, '%Y-%m-%d %H:%i:%s')
FROM n
JOIN firsts f ON f.k = n.i % 16
JOIN lasts l ON l.k = n.i % 15
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.i)
ORDER BY n.i;

-- Applications: six departments times six kinds. The owner is an active user.
INSERT INTO applications (id, name, owner_id, tags, deleted, created_at)
WITH RECURSIVE
    n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 36),
    depts(k, name) AS (
        SELECT 0, 'Finance' UNION ALL SELECT 1, 'People' UNION ALL SELECT 2, 'Sales'
        UNION ALL SELECT 3, 'Facilities' UNION ALL SELECT 4, 'Legal'
        UNION ALL SELECT 5, 'Service Desk'),
    kinds(k, name) AS (
        SELECT 0, 'Requests' UNION ALL SELECT 1, 'Approvals' UNION ALL SELECT 2, 'Inventory'
        UNION ALL SELECT 3, 'Onboarding' UNION ALL SELECT 4, 'Incidents'
        UNION ALL SELECT 5, 'Surveys'),
    active(rn, user_id) AS (
        SELECT row_number() OVER (ORDER BY id), id FROM users WHERE status = 'active')
SELECT n.i,
       CONCAT(d.name, ' ', k.name),
       active.user_id,
       CASE n.i % 4
           WHEN 0 THEN NULL
           WHEN 1 THEN CONCAT(LOWER(d.name), ',core')
           WHEN 2 THEN CONCAT(d.name, ', Workflow, ', LOWER(d.name))
           ELSE ' internal ,, Workflow '
       END,
       CASE WHEN n.i IN (12, 29) THEN 1 ELSE 0 END,
       DATE_FORMAT(TIMESTAMP '2019-06-01 09:00:00' + INTERVAL (n.i * 11) DAY, '%Y-%m-%d %H:%i:%s')
FROM n
JOIN depts d ON d.k = (n.i - 1) DIV 6
JOIN kinds k ON k.k = (n.i - 1) % 6
JOIN active ON active.rn = (n.i * 7) % 200 + 1
WHERE NOT EXISTS (SELECT 1 FROM applications x WHERE x.id = n.i)
ORDER BY n.i;

-- Members: the owner, then five more users in fixed roles.
INSERT INTO app_members (application_id, user_id, role_id)
SELECT a.id, a.owner_id, 1
FROM applications a
WHERE NOT EXISTS (SELECT 1 FROM app_members x WHERE x.application_id = a.id AND x.user_id = a.owner_id)
ORDER BY a.id;

INSERT INTO app_members (application_id, user_id, role_id)
WITH m(k, role_id) AS (
    SELECT 1, 2 UNION ALL SELECT 2, 3 UNION ALL SELECT 3, 3 UNION ALL SELECT 4, 4
    UNION ALL SELECT 5, 4)
SELECT a.id, (a.id * 13 + m.k * 37) % 240 + 1, m.role_id
FROM applications a
CROSS JOIN m
WHERE (a.id * 13 + m.k * 37) % 240 + 1 <> a.owner_id
  AND NOT EXISTS (SELECT 1 FROM app_members x
                  WHERE x.application_id = a.id AND x.user_id = (a.id * 13 + m.k * 37) % 240 + 1)
ORDER BY a.id, m.k;

-- Forms: 2 + (application id % 3) per application, template (application id + j) % 8.
-- The ids are numbered over all forms, so the insert runs only while there are none.
INSERT INTO forms (id, application_id, name, definition)
WITH RECURSIVE
    j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 4),
    names(j, name) AS (
        SELECT 1, 'Request' UNION ALL SELECT 2, 'Review' UNION ALL SELECT 3, 'Follow-up'
        UNION ALL SELECT 4, 'Closure'),
    templates(t, definition) AS (
        SELECT 0, 'title:text|amount:number|needed_by:date'
        UNION ALL SELECT 1, 'name:text|email:email|department:choice'
        UNION ALL SELECT 2, 'subject:text|body:text'
        UNION ALL SELECT 3, 'item:text|quantity:number|unit_price:number|supplier:text'
        UNION ALL SELECT 4, 'employee:text|start:date|end:date|reason:choice'
        UNION ALL SELECT 5, 'asset_tag:text|location:choice|checked:checkbox'
        UNION ALL SELECT 6, 'summary:text|severity:choice|reported_on:date|contact:email'
        UNION ALL SELECT 7, 'note:text')
SELECT row_number() OVER (ORDER BY a.id, j.j),
       a.id,
       names.name,
       templates.definition
FROM applications a
JOIN j ON j.j <= 2 + a.id % 3
JOIN names ON names.j = j.j
JOIN templates ON templates.t = (a.id + j.j) % 8
WHERE NOT EXISTS (SELECT 1 FROM forms x)
ORDER BY a.id, j.j;

-- Records: only on forms of live applications (deleted applications keep their
-- forms but have no records, so the package violation check finds nothing).
INSERT INTO records (id, reference, form_id, submitted_by, submitted_at, status)
WITH RECURSIVE
    d(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM d WHERE x < 9),
    n(i) AS (
        SELECT d1.x * 1000 + d2.x * 100 + d3.x * 10 + d4.x + 1
        FROM d d1 CROSS JOIN d d2 CROSS JOIN d d3 CROSS JOIN d d4),
    live(rn, form_id) AS (
        SELECT row_number() OVER (ORDER BY f.id), f.id
        FROM forms f JOIN applications a ON a.id = f.application_id
        WHERE a.deleted = 0),
    total(c) AS (SELECT count(*) FROM live)
SELECT n.i,
       CONCAT('REC-', LPAD(n.i, 6, '0')),
       live.form_id,
       (n.i * 31) % 240 + 1,
       DATE_FORMAT(TIMESTAMP '2020-01-01 00:00:00'
                       + INTERVAL (n.i % 1400) DAY
                       + INTERVAL ((n.i * 3637) % 86400) SECOND,
                   '%Y-%m-%d %H:%i:%s'),
       CASE n.i % 20
           WHEN 0 THEN 'draft'
           WHEN 1 THEN ' Draft'
           WHEN 10 THEN 'Submitted'
           WHEN 11 THEN 'approved'
           WHEN 12 THEN 'approved'
           WHEN 13 THEN 'approved'
           WHEN 14 THEN 'approved'
           WHEN 15 THEN 'approved'
           WHEN 16 THEN 'APPROVED'
           WHEN 17 THEN 'rejected'
           WHEN 18 THEN 'rejected'
           WHEN 19 THEN 'Rejected '
           ELSE 'submitted'
       END
FROM n
CROSS JOIN total
JOIN live ON live.rn = (n.i * 17) % total.c + 1
WHERE n.i <= 4000
  AND NOT EXISTS (SELECT 1 FROM records x WHERE x.id = n.i)
ORDER BY n.i;

-- Audit log: Unix timestamps from 2020-01-01 00:00:00 UTC, every 20011 seconds.
INSERT INTO audit_log (id, logged_at, user_id, action, detail)
WITH RECURSIVE
    d(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM d WHERE x < 9),
    n(i) AS (
        SELECT d1.x * 1000 + d2.x * 100 + d3.x * 10 + d4.x + 1
        FROM d d1 CROSS JOIN d d2 CROSS JOIN d d3 CROSS JOIN d d4)
SELECT i,
       1577836800 + i * 20011,
       CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 7) % 240 + 1 END,
       CASE i % 4 WHEN 0 THEN 'LOGIN' WHEN 1 THEN 'FORM_SUBMIT' WHEN 2 THEN 'APP_EDIT' ELSE 'EXPORT' END,
       CONCAT('event ', i)
FROM n
WHERE i <= 1500
  AND NOT EXISTS (SELECT 1 FROM audit_log x WHERE x.id = n.i)
ORDER BY i;

INSERT INTO lattice_version (version)
SELECT '9.0' FROM DUAL
WHERE NOT EXISTS (SELECT 1 FROM lattice_version);
