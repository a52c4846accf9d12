-- Lattice Application Platform 9.0: repository schema and sample data (SQLite).
--
-- Installs a fresh 9.0 repository: `upwiz install --version 9.0` runs this file,
-- and any later version runs it first and then the release scripts up to that version.
-- The sample data is generated, so it is the same on every install:
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
-- Statements end with a semicolon, and no comment or literal contains one.

CREATE TABLE lattice_version (
    version TEXT NOT NULL
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    login      TEXT NOT NULL UNIQUE CHECK (length(login) BETWEEN 2 AND 32),
    full_name  TEXT NOT NULL,
    email      TEXT NOT NULL CHECK (email LIKE '%_@_%'),
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'retired')),
    created_at TEXT NOT NULL
);

CREATE TABLE roles (
    id    INTEGER PRIMARY KEY,
    code  TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL
);

CREATE TABLE applications (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (name <> ''),
    owner_id   INTEGER NOT NULL REFERENCES users (id),
    tags       TEXT,
    deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_at TEXT NOT NULL
);
CREATE INDEX applications_owner_idx ON applications (owner_id);

CREATE TABLE app_members (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    user_id        INTEGER NOT NULL REFERENCES users (id),
    role_id        INTEGER NOT NULL REFERENCES roles (id),
    PRIMARY KEY (application_id, user_id)
);
CREATE INDEX app_members_user_idx ON app_members (user_id);

CREATE TABLE forms (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    name           TEXT NOT NULL,
    definition     TEXT NOT NULL CHECK (definition <> ''),
    UNIQUE (application_id, name)
);

CREATE TABLE records (
    id           INTEGER PRIMARY KEY,
    reference    TEXT NOT NULL UNIQUE,
    form_id      INTEGER NOT NULL REFERENCES forms (id),
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    submitted_at TEXT NOT NULL,
    status       TEXT NOT NULL
);
CREATE INDEX records_form_idx ON records (form_id);
CREATE INDEX records_submitter_idx ON records (submitted_by);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    logged_at INTEGER NOT NULL CHECK (logged_at > 0),
    user_id   INTEGER REFERENCES users (id),
    action    TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX audit_log_logged_idx ON audit_log (logged_at);

-- Settings. Preflight checks require replication and trace to be 'off'.
INSERT INTO settings (name, value) VALUES
    ('replication', 'off'),
    ('trace', 'off'),
    ('session_timeout_minutes', '30'),
    ('default_locale', 'en-GB'),
    ('mail_relay', 'smtp.example.com'),
    ('license_server', 'license.example.com:7400');

INSERT INTO roles (id, code, title) VALUES
    (1, 'owner', 'Application owner'),
    (2, 'designer', 'Form designer'),
    (3, 'submitter', 'Submitter'),
    (4, 'viewer', 'Viewer');

-- Hand-written users: the cases the 9.1 and 10.0 scripts care about.
INSERT INTO users (id, login, full_name, email, status, created_at) VALUES
    (1, 'admin',     'System Administrator', ' Admin@Example.COM ',       'active',  '2019-01-01 08:00:00'),
    (2, 'alovelace', 'Ada Lovelace',         'Ada.Lovelace@Example.com',  'active',  '2019-01-02 09:15:00'),
    (3, 'ghopper',   'Grace Hopper',         'grace.hopper@example.com',  'active',  '2019-01-03 10:30:00'),
    (4, 'cher',      'Cher',                 'CHER@EXAMPLE.COM',          'active',  '2019-01-04 11:45:00'),
    (5, 'jvdberg',   'Jan van der Berg',     'j.vanderberg@example.com',  'active',  '2019-01-05 13:00:00'),
    (6, 'kzuse',     '  Konrad  Zuse ',      'Konrad.Zuse@example.com',   'retired', '2019-01-06 14:15:00'),
    (7, 'edijkstra', 'Edsger Dijkstra',      'edsger.dijkstra@example.com', 'locked', '2019-01-07 15:30:00'),
    (8, 'bliskov',   'Barbara Liskov',       'barbara.liskov@example.com', 'active', '2019-01-08 16:45:00');

-- Generated users 9-240: name from two lists, e-mail in three styles by id:
-- id % 3 = 0 mixed case, else id % 10 = 7 surrounded by blanks, else lower case.
-- Status: id % 23 = 0 locked, else id % 31 = 0 retired, else active.
INSERT INTO users (id, login, full_name, email, status, created_at)
WITH RECURSIVE
    n(i) AS (SELECT 9 UNION ALL SELECT i + 1 FROM n WHERE i < 240),
    firsts(k, name) AS (VALUES
        (0, 'Alan'), (1, 'Margaret'), (2, 'Dennis'), (3, 'Frances'), (4, 'John'),
        (5, 'Radia'), (6, 'Ken'), (7, 'Sophie'), (8, 'Linus'), (9, 'Hedy'),
        (10, 'Niklaus'), (11, 'Adele'), (12, 'Tim'), (13, 'Katherine'), (14, 'Donald'),
        (15, 'Karen')),
    lasts(k, name) AS (VALUES
        (0, 'Turing'), (1, 'Hamilton'), (2, 'Ritchie'), (3, 'Allen'), (4, 'Backus'),
        (5, 'Perlman'), (6, 'Thompson'), (7, 'Wilson'), (8, 'Torvalds'), (9, 'Lamarr'),
        (10, 'Wirth'), (11, 'Goldberg'), (12, 'Berners-Lee'), (13, 'Johnson'), (14, 'Knuth'))
SELECT n.i,
       lower(f.name) || n.i,
       f.name || ' ' || l.name,
       CASE
           WHEN n.i % 3 = 0 THEN f.name || '.' || l.name || n.i || '@Example.com'
           WHEN n.i % 10 = 7 THEN ' ' || lower(f.name || '.' || l.name) || n.i || '@example.com '
           ELSE lower(f.name || '.' || l.name) || n.i || '@example.com'
       END,
       CASE WHEN n.i % 23 = 0 THEN 'locked' WHEN n.i % 31 = 0 THEN 'retired' ELSE 'active' END,
       datetime('2019-01-01 08:00:00', '+' || (n.i * 3) || ' days')
FROM n
JOIN firsts f ON f.k = n.i % 16
JOIN lasts l ON l.k = n.i % 15
ORDER BY n.i;

-- Applications: six departments times six kinds. The owner is an active user.
INSERT INTO applications (id, name, owner_id, tags, deleted, created_at)
WITH RECURSIVE
    n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 36),
    depts(k, name) AS (VALUES
        (0, 'Finance'), (1, 'People'), (2, 'Sales'), (3, 'Facilities'), (4, 'Legal'),
        (5, 'Service Desk')),
    kinds(k, name) AS (VALUES
        (0, 'Requests'), (1, 'Approvals'), (2, 'Inventory'), (3, 'Onboarding'),
        (4, 'Incidents'), (5, 'Surveys')),
    active(rn, user_id) AS (
        SELECT row_number() OVER (ORDER BY id), id FROM users WHERE status = 'active')
SELECT n.i,
       d.name || ' ' || k.name,
       active.user_id,
       CASE n.i % 4
           WHEN 0 THEN NULL
           WHEN 1 THEN lower(d.name) || ',core'
           WHEN 2 THEN d.name || ', Workflow, ' || lower(d.name)
           ELSE ' internal ,, Workflow '
       END,
       CASE WHEN n.i IN (12, 29) THEN 1 ELSE 0 END,
       datetime('2019-06-01 09:00:00', '+' || (n.i * 11) || ' days')
FROM n
JOIN depts d ON d.k = (n.i - 1) / 6
JOIN kinds k ON k.k = (n.i - 1) % 6
JOIN active ON active.rn = (n.i * 7) % 200 + 1
ORDER BY n.i;

-- Members: the owner, then five more users in fixed roles.
INSERT INTO app_members (application_id, user_id, role_id)
SELECT id, owner_id, 1 FROM applications ORDER BY id;

INSERT INTO app_members (application_id, user_id, role_id)
WITH RECURSIVE m(k, role_id) AS (VALUES (1, 2), (2, 3), (3, 3), (4, 4), (5, 4))
SELECT a.id, (a.id * 13 + m.k * 37) % 240 + 1, m.role_id
FROM applications a
CROSS JOIN m
WHERE (a.id * 13 + m.k * 37) % 240 + 1 <> a.owner_id
ORDER BY a.id, m.k;

-- Forms: 2 + (application id % 3) per application, template (application id + j) % 8.
INSERT INTO forms (id, application_id, name, definition)
WITH RECURSIVE
    j(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM j WHERE j < 4),
    names(j, name) AS (VALUES (1, 'Request'), (2, 'Review'), (3, 'Follow-up'), (4, 'Closure')),
    templates(t, definition) AS (VALUES
        (0, 'title:text|amount:number|needed_by:date'),
        (1, 'name:text|email:email|department:choice'),
        (2, 'subject:text|body:text'),
        (3, 'item:text|quantity:number|unit_price:number|supplier:text'),
        (4, 'employee:text|start:date|end:date|reason:choice'),
        (5, 'asset_tag:text|location:choice|checked:checkbox'),
        (6, 'summary:text|severity:choice|reported_on:date|contact:email'),
        (7, 'note:text'))
SELECT row_number() OVER (ORDER BY a.id, j.j),
       a.id,
       names.name,
       templates.definition
FROM applications a
JOIN j ON j.j <= 2 + a.id % 3
JOIN names ON names.j = j.j
JOIN templates ON templates.t = (a.id + j.j) % 8
ORDER BY a.id, j.j;

-- Records: only on forms of live applications (deleted applications keep their
-- forms but have no records, so the package violation check finds nothing).
INSERT INTO records (id, reference, form_id, submitted_by, submitted_at, status)
WITH RECURSIVE
    n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000),
    live(rn, form_id) AS (
        SELECT row_number() OVER (ORDER BY f.id), f.id
        FROM forms f JOIN applications a ON a.id = f.application_id
        WHERE a.deleted = 0),
    total(c) AS (SELECT count(*) FROM live)
SELECT n.i,
       printf('REC-%06d', n.i),
       live.form_id,
       (n.i * 31) % 240 + 1,
       datetime('2020-01-01 00:00:00', '+' || (n.i % 1400) || ' days',
                '+' || ((n.i * 3637) % 86400) || ' seconds'),
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
ORDER BY n.i;

-- Audit log: Unix timestamps from 2020-01-01 00:00:00 UTC, every 20011 seconds.
INSERT INTO audit_log (id, logged_at, user_id, action, detail)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500)
SELECT i,
       1577836800 + i * 20011,
       CASE WHEN i % 9 = 0 THEN NULL ELSE (i * 7) % 240 + 1 END,
       CASE i % 4 WHEN 0 THEN 'LOGIN' WHEN 1 THEN 'FORM_SUBMIT' WHEN 2 THEN 'APP_EDIT' ELSE 'EXPORT' END,
       'event ' || i
FROM n
ORDER BY i;

INSERT INTO lattice_version (version) VALUES ('9.0');
