-- Larkspur Forms 9.3.2: database schema and sample data (MySQL, MariaDB).
--
-- Installs a fresh 9.3.2 forms server database (upwiz install --version 9.3.2):
-- six applications (apps 1-6, schema_level 1) with 25 form items between them and
-- ten submissions each (60 rows), and the server settings, tracing at '*=info'
-- (that is, off).

CREATE TABLE lf_version (
    version VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE lf_settings (
    name VARCHAR(255) NOT NULL PRIMARY KEY,
    value VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE apps (
    id INT NOT NULL PRIMARY KEY,
    uid VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    owner VARCHAR(255) NOT NULL,
    schema_level INT NOT NULL,
    CONSTRAINT apps_uid UNIQUE (uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE app_items (
    id INT NOT NULL PRIMARY KEY,
    app_id INT NOT NULL,
    item_name VARCHAR(255) NOT NULL,
    widget VARCHAR(255) NOT NULL,
    CONSTRAINT app_items_app FOREIGN KEY (app_id) REFERENCES apps (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE submissions (
    id INT NOT NULL PRIMARY KEY,
    app_id INT NOT NULL,
    submitted_by VARCHAR(255) NOT NULL,
    submitted_at VARCHAR(255) NOT NULL,
    CONSTRAINT submissions_app FOREIGN KEY (app_id) REFERENCES apps (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO lf_settings (name, value) VALUES
    ('trace.specification', '*=info'),
    ('server.uri', 'https://forms.example.com/larkspur');

INSERT INTO apps (id, uid, name, owner, schema_level) VALUES
    (1, 'f3a1c2d4-expenses', 'Expense Claims', 'finance.admin', 1),
    (2, 'b71e09aa-onboarding', 'Staff Onboarding', 'hr.admin', 1),
    (3, '5c0d8e21-vacation', 'Vacation Requests', 'hr.admin', 1),
    (4, '9e44f7b3-itorders', 'IT Equipment Orders', 'it.admin', 1),
    (5, '0a9be5c6-incidents', 'Safety Incidents', 'facilities.admin', 1),
    (6, 'd2f61a07-visitors', 'Visitor Registration', 'facilities.admin', 1);

INSERT INTO app_items (id, app_id, item_name, widget) VALUES
    (1, 1, 'employee', 'textInput'),
    (2, 1, 'amount', 'currency'),
    (3, 1, 'spent_on', 'date'),
    (4, 1, 'receipt', 'attachment'),
    (5, 2, 'new_hire', 'textInput'),
    (6, 2, 'start_date', 'date'),
    (7, 2, 'department', 'dropdown'),
    (8, 2, 'laptop_needed', 'checkbox'),
    (9, 3, 'employee', 'textInput'),
    (10, 3, 'first_day', 'date'),
    (11, 3, 'last_day', 'date'),
    (12, 3, 'approver', 'dropdown'),
    (13, 4, 'requested_by', 'textInput'),
    (14, 4, 'item', 'dropdown'),
    (15, 4, 'quantity', 'number'),
    (16, 4, 'justification', 'textArea'),
    (17, 5, 'reported_by', 'textInput'),
    (18, 5, 'occurred_on', 'date'),
    (19, 5, 'location', 'dropdown'),
    (20, 5, 'description', 'textArea'),
    (21, 5, 'photo', 'attachment'),
    (22, 6, 'visitor', 'textInput'),
    (23, 6, 'company', 'textInput'),
    (24, 6, 'visit_on', 'date'),
    (25, 6, 'host', 'dropdown');

INSERT INTO submissions (id, app_id, submitted_by, submitted_at)
SELECT a.id * 100 + d.n, a.id, a.owner, '2026-10-01 09:00:00'
FROM apps a
CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5
            UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10) d;

INSERT INTO lf_version (version) VALUES ('9.3.2');
