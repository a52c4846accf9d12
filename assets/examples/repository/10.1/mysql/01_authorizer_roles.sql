-- Keystone Rules Repository 10.1, Authorizer: one ADMIN and one USER role per
-- application (MySQL, MariaDB).
--
-- Effect on the sample data: 8 rows in auth_roles, ids 1-4 ADMIN and 101-104 USER,
-- for applications 1-4 (role id = application id, plus 100 for USER).

CREATE TABLE auth_roles (
    id INT NOT NULL PRIMARY KEY,
    application_id INT NOT NULL,
    name VARCHAR(255) NOT NULL,
    CONSTRAINT auth_roles_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT auth_roles_name UNIQUE (application_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO auth_roles (id, application_id, name) SELECT id, id, 'ADMIN' FROM applications;

INSERT INTO auth_roles (id, application_id, name) SELECT 100 + id, id, 'USER' FROM applications;
