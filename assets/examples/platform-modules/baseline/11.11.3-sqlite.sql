-- Foundry Platform Server 11.11.3: platform metadata schema and sample data
-- (SQLite).
--
-- Installs a fresh 11.11.3 platform database (upwiz install --version 11.11.3): the
-- versions of Service Center and System Components, 4 applications and their 12
-- modules, each published for 11.11.3.

CREATE TABLE fp_version (
    version TEXT NOT NULL
);

CREATE TABLE system_components (
    name TEXT NOT NULL PRIMARY KEY,
    version TEXT NOT NULL
);

CREATE TABLE applications (
    id INTEGER NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    team TEXT NOT NULL,
    CONSTRAINT applications_name UNIQUE (name)
);

CREATE TABLE modules (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    published_for TEXT NOT NULL,
    CONSTRAINT modules_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT modules_name UNIQUE (name),
    CONSTRAINT modules_known_kind CHECK (kind IN ('reactive', 'traditional', 'mobile', 'service', 'extension'))
);

INSERT INTO system_components (name, version) VALUES
    ('Service Center', '11.11.3'),
    ('System Components', '11.11.3');

INSERT INTO applications (id, name, team) VALUES
    (1, 'Customer Portal', 'Digital'),
    (2, 'Claims Backoffice', 'Operations'),
    (3, 'Field Inspections', 'Mobile'),
    (4, 'Core Services', 'Platform');

INSERT INTO modules (id, application_id, name, kind, published_for) VALUES
    (1, 1, 'CustomerPortal', 'reactive', '11.11.3'),
    (2, 1, 'CustomerPortal_Theme', 'reactive', '11.11.3'),
    (3, 1, 'CustomerPortal_Pages', 'reactive', '11.11.3'),
    (4, 2, 'ClaimsBackoffice', 'traditional', '11.11.3'),
    (5, 2, 'ClaimsBackoffice_Reports', 'traditional', '11.11.3'),
    (6, 2, 'ClaimsBackoffice_Batch', 'service', '11.11.3'),
    (7, 3, 'FieldInspections', 'mobile', '11.11.3'),
    (8, 3, 'FieldInspections_Sync', 'service', '11.11.3'),
    (9, 4, 'Core_Customers', 'service', '11.11.3'),
    (10, 4, 'Core_Claims', 'service', '11.11.3'),
    (11, 4, 'Core_Documents_Ext', 'extension', '11.11.3'),
    (12, 4, 'Core_Notifications', 'service', '11.11.3');

INSERT INTO fp_version (version) VALUES ('11.11.3');
