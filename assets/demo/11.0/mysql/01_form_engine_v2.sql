-- Lattice 11.0, script 01_form_engine_v2: schema for form engine 2 (MySQL, MariaDB).
--
-- Effect:
--   * new table form_fields: one row per field of a form (ordinal, name, type),
--     with the field types form engine 2 knows enforced by a CHECK constraint
--     (form_fields_known_type: MySQL 8.0.16 and later and MariaDB enforce it)
--   * new column forms.format: 1 for the legacy 'name:type|name:type' definition,
--     2 for the JSON definition of form engine 2. Every existing form gets 1.
--   * new column applications.schema_version: 10 until the application's forms
--     have been converted, 11 after. Every existing application gets 10.
--   * new setting ('form_engine', '2')
-- The per-item step item_upgrade_application.sql then converts each application
-- (fills form_fields, rewrites the definitions, sets schema_version to 11).
--
-- With the demo sample data, right after this script: 108 forms with format 1,
-- 36 applications with schema_version 10, form_fields empty.
--
-- Each statement can run twice: CREATE TABLE and ADD COLUMN fail with errors 1050
-- and 1060 (taken as done), and the setting is only inserted when it is missing.

CREATE TABLE form_fields (
    form_id    INT NOT NULL,
    ordinal    INT NOT NULL,
    name       VARCHAR(255) NOT NULL,
    field_type VARCHAR(255) NOT NULL,
    PRIMARY KEY (form_id, ordinal),
    UNIQUE (form_id, name),
    FOREIGN KEY (form_id) REFERENCES forms (id),
    CONSTRAINT form_fields_ordinal_check CHECK (ordinal >= 1),
    CONSTRAINT form_fields_name_check CHECK (CHAR_LENGTH(name) BETWEEN 1 AND 64),
    CONSTRAINT form_fields_known_type
        CHECK (field_type IN ('text', 'number', 'date', 'email', 'choice', 'checkbox'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE forms
    ADD COLUMN format INT NOT NULL DEFAULT 1,
    ADD CONSTRAINT forms_format_check CHECK (format IN (1, 2));

ALTER TABLE applications
    ADD COLUMN schema_version INT NOT NULL DEFAULT 10,
    ADD CONSTRAINT applications_schema_version_check CHECK (schema_version IN (10, 11));

INSERT INTO settings (name, value)
SELECT 'form_engine', '2' FROM DUAL
WHERE NOT EXISTS (SELECT 1 FROM settings WHERE name = 'form_engine');
