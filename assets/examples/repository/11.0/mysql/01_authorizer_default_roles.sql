-- Keystone Rules Repository 11.0, Authorizer: a default role per application
-- (MySQL, MariaDB).
--
-- Effect on the sample data: auth_roles gets is_default (0 unless set); the USER
-- roles (ids 101-104) become the default roles.

ALTER TABLE auth_roles ADD COLUMN is_default INT NOT NULL DEFAULT 0;

UPDATE auth_roles SET is_default = 1 WHERE name = 'USER';
