-- Lattice 11.0, script 01_form_engine_v2: schema for form engine 2 (PostgreSQL).
--
-- Effect:
--   * new table form_fields: one row per field of a form (ordinal, name, type),
--     with the field types form engine 2 knows enforced by a CHECK constraint
--     (form_fields_known_type)
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

CREATE TABLE form_fields (
    form_id    INTEGER NOT NULL REFERENCES forms (id),
    ordinal    INTEGER NOT NULL CHECK (ordinal >= 1),
    name       TEXT NOT NULL CHECK (name <> '' AND length(name) <= 64),
    field_type TEXT NOT NULL
        CONSTRAINT form_fields_known_type
        CHECK (field_type IN ('text', 'number', 'date', 'email', 'choice', 'checkbox')),
    PRIMARY KEY (form_id, ordinal),
    UNIQUE (form_id, name)
);

ALTER TABLE forms ADD COLUMN format INTEGER NOT NULL DEFAULT 1 CHECK (format IN (1, 2));

ALTER TABLE applications ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 10
    CHECK (schema_version IN (10, 11));

INSERT INTO settings (name, value) VALUES ('form_engine', '2');
