-- Larkspur Forms 9.3.6: the table of upgraded application fields (SQLite).
--
-- Effect on the sample data: creates app_fields, empty. The applications
-- themselves are upgraded one by one afterwards by the per-item step
-- "Upgrade each application to the latest schema" (upgrade_application.sql).

CREATE TABLE app_fields (
    app_id INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    name TEXT NOT NULL,
    widget TEXT NOT NULL,
    PRIMARY KEY (app_id, ordinal),
    CONSTRAINT app_fields_app FOREIGN KEY (app_id) REFERENCES apps (id),
    CONSTRAINT app_fields_known_widget FOREIGN KEY (widget) REFERENCES widget_types (code)
);
