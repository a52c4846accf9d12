-- Lattice 11.0, script 02_application_slugs: applications get a URL slug (MySQL, MariaDB).
--
-- Effect: new column applications.slug, filled for every application with its
-- trimmed name in lower case, blanks replaced by '-'. Slugs are unique (new
-- index applications_slug_uq): two names that differ only in case would make
-- the script fail, so rename one of them first (then run upwiz again: the
-- index is created).
--
-- With the demo sample data:
--   application 1  'Finance Requests'       slug 'finance-requests'
--   application 12 'People Surveys'         slug 'people-surveys' (deleted applications too)
--   application 31 'Service Desk Requests'  slug 'service-desk-requests'
--
-- Each statement can run twice: ADD COLUMN and CREATE INDEX fail with errors 1060
-- and 1061 (taken as done), and the UPDATE computes the same slugs again.

ALTER TABLE applications ADD COLUMN slug VARCHAR(255) NULL;

UPDATE applications
SET slug = LOWER(REPLACE(TRIM(name), ' ', '-'));

CREATE UNIQUE INDEX applications_slug_uq ON applications (slug);
