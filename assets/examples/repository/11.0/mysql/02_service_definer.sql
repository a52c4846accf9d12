-- Keystone Rules Repository 11.0, Service Definer: one REST service per
-- application (MySQL, MariaDB).
--
-- Effect on the sample data: 4 rows in rest_services, id = application id, named
-- '<APPLICATION>_SERVICE' with the base path '/<application>': 1 TRAVEL_SERVICE /travel.

CREATE TABLE rest_services (
    id INT NOT NULL PRIMARY KEY,
    application_id INT NOT NULL,
    name VARCHAR(255) NOT NULL,
    base_path VARCHAR(255) NOT NULL,
    CONSTRAINT rest_services_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT rest_services_path UNIQUE (base_path)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO rest_services (id, application_id, name, base_path)
SELECT id, id, CONCAT(name, '_SERVICE'), CONCAT('/', LOWER(name)) FROM applications;
