-- Keystone Rules Repository 11.0: repository schema and sample data (PostgreSQL).
--
-- Installs a fresh 11.0 repository (upwiz install, or --version 11.0). Its schema is
-- exactly what the upgrade from 10.0 leaves: every table, column (in the same order,
-- added columns last), type, default, key and constraint, and the same rows.

CREATE TABLE ks_version (
    version TEXT NOT NULL
);

CREATE TABLE applications (
    id INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    web_style TEXT NOT NULL DEFAULT 'classic',
    CONSTRAINT applications_name UNIQUE (name)
);

CREATE TABLE domains (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    data_type TEXT NOT NULL,
    CONSTRAINT domains_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT domains_known_type CHECK (data_type IN ('VARCHAR', 'NUMBER', 'DATE'))
);

CREATE TABLE table_defs (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    CONSTRAINT table_defs_application FOREIGN KEY (application_id) REFERENCES applications (id)
);

CREATE TABLE column_defs (
    id INTEGER NOT NULL PRIMARY KEY,
    table_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    domain_id INTEGER,
    mandatory INTEGER NOT NULL DEFAULT 0,
    label TEXT,
    CONSTRAINT column_defs_table FOREIGN KEY (table_id) REFERENCES table_defs (id),
    CONSTRAINT column_defs_domain FOREIGN KEY (domain_id) REFERENCES domains (id)
);

CREATE TABLE relationships (
    id INTEGER NOT NULL PRIMARY KEY,
    parent_table_id INTEGER NOT NULL,
    child_table_id INTEGER NOT NULL,
    role_name TEXT NOT NULL,
    CONSTRAINT relationships_parent FOREIGN KEY (parent_table_id) REFERENCES table_defs (id),
    CONSTRAINT relationships_child FOREIGN KEY (child_table_id) REFERENCES table_defs (id)
);

CREATE TABLE constraint_defs (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    rule_text TEXT,
    CONSTRAINT constraint_defs_application FOREIGN KEY (application_id) REFERENCES applications (id)
);

CREATE TABLE auth_roles (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT auth_roles_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT auth_roles_name UNIQUE (application_id, name)
);

CREATE TABLE rest_services (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    base_path TEXT NOT NULL,
    CONSTRAINT rest_services_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT rest_services_path UNIQUE (base_path)
);

INSERT INTO applications (id, name, description) VALUES
    (1, 'TRAVEL', 'Travel requests and expense claims'),
    (2, 'HR', 'Staff records and leave'),
    (3, 'INVOICING', 'Customer invoices'),
    (4, 'ASSETS', 'Company assets and their owners');

INSERT INTO domains (id, application_id, name, data_type) VALUES
    (1, 1, 'DESTINATION', 'VARCHAR'),
    (2, 1, 'AMOUNT', 'NUMBER'),
    (3, 1, 'TRAVEL_DATE', 'DATE'),
    (4, 2, 'EMPLOYEE_NAME', 'VARCHAR'),
    (5, 2, 'LEAVE_DAYS', 'NUMBER'),
    (6, 2, 'START_DATE', 'DATE'),
    (7, 3, 'INVOICE_NO', 'VARCHAR'),
    (8, 3, 'AMOUNT', 'NUMBER'),
    (9, 3, 'DUE_DATE', 'DATE'),
    (10, 4, 'SERIAL_NO', 'VARCHAR'),
    (11, 4, 'PURCHASE_DATE', 'DATE'),
    (12, 4, 'BOOK_VALUE', 'NUMBER'),
    (13, 3, 'CUSTOMER_NAME', 'VARCHAR');

INSERT INTO table_defs (id, application_id, name) VALUES
    (1, 1, 'TRIP'),
    (2, 1, 'EXPENSE'),
    (3, 2, 'EMPLOYEE'),
    (4, 2, 'LEAVE_REQUEST'),
    (5, 3, 'CUSTOMER'),
    (6, 3, 'INVOICE'),
    (7, 3, 'INVOICE_LINE'),
    (8, 4, 'ASSET'),
    (9, 4, 'ASSET_OWNER');

INSERT INTO column_defs (id, table_id, name, domain_id, mandatory) VALUES
    (1, 1, 'DESTINATION', 1, 1),
    (2, 1, 'DEPART_ON', 3, 1),
    (3, 1, 'BUDGET', 2, 0),
    (4, 2, 'SPENT_ON', 3, 1),
    (5, 2, 'AMOUNT', 2, 1),
    (6, 3, 'FULL_NAME', 4, 1),
    (7, 3, 'HIRED_ON', 6, 1),
    (8, 4, 'FIRST_DAY', 6, 1),
    (9, 4, 'DAYS', 5, 1),
    (10, 5, 'CUSTOMER_NAME', 13, 1),
    (11, 6, 'INVOICE_NO', 7, 1),
    (12, 6, 'DUE_ON', 9, 1),
    (13, 6, 'TOTAL', 8, 0),
    (14, 7, 'LINE_AMOUNT', 8, 1),
    (15, 8, 'SERIAL_NO', 10, 1),
    (16, 8, 'PURCHASED_ON', 11, 0),
    (17, 8, 'BOOK_VALUE', 12, 0),
    (18, 9, 'OWNER_SINCE', 11, 1);

INSERT INTO relationships (id, parent_table_id, child_table_id, role_name) VALUES
    (1, 1, 2, 'TRIP_EXPENSES'),
    (2, 3, 4, 'EMPLOYEE_LEAVE'),
    (3, 5, 6, 'CUSTOMER_INVOICES'),
    (4, 6, 7, 'INVOICE_LINES'),
    (5, 8, 9, 'ASSET_OWNERS');

INSERT INTO constraint_defs (id, application_id, name, rule_text) VALUES
    (1, 1, 'EXPENSE_WITHIN_BUDGET', 'INVALID IF SUM(EXPENSE.AMOUNT) > TRIP.BUDGET'),
    (2, 2, 'LEAVE_AT_MOST_30_DAYS', 'INVALID IF LEAVE_REQUEST.DAYS > 30'),
    (3, 3, 'INVOICE_TOTAL_POSITIVE', 'INVALID IF INVOICE.TOTAL <= 0'),
    (4, 4, 'BOOK_VALUE_NOT_NEGATIVE', 'INVALID IF ASSET.BOOK_VALUE < 0');

UPDATE column_defs SET label = REPLACE(LOWER(name), '_', ' ');

INSERT INTO auth_roles (id, application_id, name, is_default) SELECT id, id, 'ADMIN', 0 FROM applications;

INSERT INTO auth_roles (id, application_id, name, is_default) SELECT 100 + id, id, 'USER', 1 FROM applications;

INSERT INTO rest_services (id, application_id, name, base_path)
SELECT id, id, name || '_SERVICE', '/' || lower(name) FROM applications;

INSERT INTO ks_version (version) VALUES ('11.0');
