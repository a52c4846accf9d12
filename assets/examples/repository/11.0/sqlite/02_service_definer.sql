-- Keystone Rules Repository 11.0, Service Definer: one REST service per
-- application (SQLite).
--
-- Effect on the sample data: 4 rows in rest_services, id = application id, named
-- '<APPLICATION>_SERVICE' with the base path '/<application>': 1 TRAVEL_SERVICE /travel.

CREATE TABLE rest_services (
    id INTEGER NOT NULL PRIMARY KEY,
    application_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    base_path TEXT NOT NULL,
    CONSTRAINT rest_services_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT rest_services_path UNIQUE (base_path)
);

INSERT INTO rest_services (id, application_id, name, base_path)
SELECT id, id, name || '_SERVICE', '/' || lower(name) FROM applications;
