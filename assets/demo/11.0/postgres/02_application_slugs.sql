-- Lattice 11.0, script 02_application_slugs: applications get a URL slug (PostgreSQL).
--
-- Effect: new column applications.slug, filled for every application with its
-- trimmed name in lower case, blanks replaced by '-'. Slugs are unique (new
-- index applications_slug_uq): two names that differ only in case would make
-- the script fail, so rename one of them first.
--
-- With the demo sample data:
--   application 1  'Finance Requests'       slug 'finance-requests'
--   application 12 'People Surveys'         slug 'people-surveys' (deleted applications too)
--   application 31 'Service Desk Requests'  slug 'service-desk-requests'

ALTER TABLE applications ADD COLUMN slug TEXT;

UPDATE applications
SET slug = lower(replace(trim(name), ' ', '-'));

CREATE UNIQUE INDEX applications_slug_uq ON applications (slug);
