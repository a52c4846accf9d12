-- Larkspur Forms 9.3.6: the table of upgraded application fields (MySQL, MariaDB).
--
-- Effect on the sample data: creates app_fields, empty. The applications
-- themselves are upgraded one by one afterwards by the per-item step
-- "Upgrade each application to the latest schema" (upgrade_application.sql).

CREATE TABLE app_fields (
    app_id INT NOT NULL,
    ordinal INT NOT NULL,
    name VARCHAR(255) NOT NULL,
    widget VARCHAR(255) NOT NULL,
    PRIMARY KEY (app_id, ordinal),
    CONSTRAINT app_fields_app FOREIGN KEY (app_id) REFERENCES apps (id),
    CONSTRAINT app_fields_known_widget FOREIGN KEY (widget) REFERENCES widget_types (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
