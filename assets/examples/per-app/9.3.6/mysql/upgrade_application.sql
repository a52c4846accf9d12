-- Larkspur Forms 9.3.6, per-item step: upgrade one application to the latest
-- schema (MySQL, MariaDB).
--
-- upwiz runs this once for every row of SELECT id, name FROM apps ORDER BY id,
-- each run in its own transaction, with the id placeholder bound to that row's id.
--
-- Effect for the application: each of its form items becomes an app_fields row
-- (ordinal counting from 1 in item id order, the widget looked up in
-- widget_types), and apps.schema_level becomes 2. An item whose widget is not in
-- the catalogue leaves the widget NULL, and the NOT NULL and foreign key
-- constraints on app_fields.widget make the application fail alone: it is rolled
-- back, recorded with its error, and retried on the next run once its form is
-- fixed. Running it again for an upgraded application changes nothing.

INSERT INTO app_fields (app_id, ordinal, name, widget)
SELECT i.app_id,
       (SELECT COUNT(*) FROM app_items o WHERE o.app_id = i.app_id AND o.id <= i.id),
       i.item_name,
       (SELECT w.code FROM widget_types w WHERE w.code = i.widget)
FROM app_items i
WHERE i.app_id = {{id}}
  AND NOT EXISTS (SELECT 1 FROM app_fields f WHERE f.app_id = i.app_id);

UPDATE apps SET schema_level = 2 WHERE id = {{id}} AND schema_level < 2;
