-- Lattice 10.1, script 01_tags_to_join_table: application tags become rows.
--
-- Effect: the comma-separated column applications.tags is split into the new
-- tables tags (one row per distinct tag) and application_tags (one row per
-- application and tag), then dropped. Each piece is trimmed and lower-cased,
-- empty pieces are skipped and duplicates within one application collapse.
-- Tag ids are assigned in alphabetical order of the tag name.
--
-- With the demo sample data:
--   application 1  'finance,core'                gets tags core, finance
--   application 2  'Finance, Workflow, finance'  gets tags finance, workflow
--   application 3  ' internal ,, Workflow '      gets tags internal, workflow
--   application 4  NULL                          gets no tags
--   application 33 'service desk,core'           gets tags core, service desk
-- Tags: 1 core, 2 facilities, 3 finance, 4 internal, 5 legal, 6 people,
-- 7 sales, 8 service desk, 9 workflow. application_tags holds 54 rows.

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (name <> '' AND name = lower(trim(name)))
);

CREATE TABLE application_tags (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    tag_id         INTEGER NOT NULL REFERENCES tags (id),
    PRIMARY KEY (application_id, tag_id)
);
CREATE INDEX application_tags_tag_idx ON application_tags (tag_id);

INSERT INTO tags (id, name)
WITH RECURSIVE piece(application_id, item, rest) AS (
    SELECT id, NULL, tags || ',' FROM applications WHERE tags IS NOT NULL
    UNION ALL
    SELECT application_id,
           lower(trim(substr(rest, 1, instr(rest, ',') - 1))),
           substr(rest, instr(rest, ',') + 1)
    FROM piece
    WHERE rest <> ''
)
SELECT row_number() OVER (ORDER BY item), item
FROM (SELECT DISTINCT item FROM piece WHERE item IS NOT NULL AND item <> '') AS names;

INSERT INTO application_tags (application_id, tag_id)
WITH RECURSIVE piece(application_id, item, rest) AS (
    SELECT id, NULL, tags || ',' FROM applications WHERE tags IS NOT NULL
    UNION ALL
    SELECT application_id,
           lower(trim(substr(rest, 1, instr(rest, ',') - 1))),
           substr(rest, instr(rest, ',') + 1)
    FROM piece
    WHERE rest <> ''
)
SELECT DISTINCT p.application_id, t.id
FROM piece p
JOIN tags t ON t.name = p.item
ORDER BY p.application_id, t.id;

ALTER TABLE applications DROP COLUMN tags;
