-- Keystone Rules Repository 11.0, Web Designer: the page style of every
-- application (PostgreSQL).
--
-- Effect on the sample data: applications gets web_style, 'classic' for all four.
-- The operator re-publishes the web pages after the upgrade (see the package's
-- after-upgrade steps).

ALTER TABLE applications ADD COLUMN web_style TEXT NOT NULL DEFAULT 'classic';
