-- Lattice 9.1, script 02_backfill_form_field_count: forms get a field count (PostgreSQL).
--
-- Effect: new column forms.field_count (NOT NULL, default 0), filled for every
-- form with the number of fields in its legacy definition 'name:type|name:type',
-- that is the number of '|' separators plus one.
--
-- With the demo sample data:
--   form 1  'subject:text|body:text'                                  field_count 2
--   form 2  'item:text|quantity:number|unit_price:number|supplier:text' field_count 4
--   form 3  'employee:text|start:date|end:date|reason:choice'        field_count 4
-- Total over all 108 forms: 328.

ALTER TABLE forms ADD COLUMN field_count INTEGER NOT NULL DEFAULT 0;

UPDATE forms
SET field_count = length(definition) - length(replace(definition, '|', '')) + 1;
