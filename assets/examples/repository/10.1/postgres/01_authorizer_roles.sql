-- Keystone Rules Repository 10.1, Authorizer: one ADMIN and one USER role per
-- application (PostgreSQL).
--
-- Effect on the sample data: 8 rows in auth_roles, ids 1-4 ADMIN and 101-104 USER,
-- for applications 1-4 (role id = application id, plus 100 for USER).

CREATE TABLE auth_roles (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    CONSTRAINT auth_roles_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT auth_roles_name UNIQUE (application_id, name)
);

INSERT INTO auth_roles (id, application_id, name) SELECT id, id, 'ADMIN' FROM applications;

INSERT INTO auth_roles (id, application_id, name) SELECT 100 + id, id, 'USER' FROM applications;
