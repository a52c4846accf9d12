-- Larkspur Forms 9.3.4: the widget catalogue (PostgreSQL).
--
-- Effect on the sample data: widget_types gets the 8 widgets the 9.3.4 form
-- designer knows, from 'attachment' to 'textInput'. Form items using any other
-- widget cannot be upgraded to the 9.3.6 application schema.

CREATE TABLE widget_types (
    code TEXT NOT NULL PRIMARY KEY,
    label TEXT NOT NULL
);

INSERT INTO widget_types (code, label) VALUES
    ('attachment', 'File attachment'),
    ('checkbox', 'Check box'),
    ('currency', 'Currency'),
    ('date', 'Date'),
    ('dropdown', 'Drop-down list'),
    ('number', 'Number'),
    ('textArea', 'Multi-line text'),
    ('textInput', 'Single-line text');
