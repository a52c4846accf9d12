-- Lattice 10.1, script 01_tags_to_join_table: application tags become rows (MySQL, MariaDB).
--
-- Effect: the comma-separated column applications.tags is split into the new
-- tables tags (one row per distinct tag) and application_tags (one row per
-- application and tag), then dropped. Each piece is trimmed and lower-cased,
-- empty pieces are skipped and duplicates within one application collapse.
-- Tag ids are assigned in alphabetical order of the tag name (byte order, as
-- utf8mb4_bin and SQLite sort).
--
-- With the demo sample data:
--   application 1  'finance,core'                gets tags core, finance
--   application 2  'Finance, Workflow, finance'  gets tags finance, workflow
--   application 3  ' internal ,, Workflow '      gets tags internal, workflow
--   application 4  NULL                          gets no tags
--   application 33 'service desk,core'           gets tags core, service desk
-- Tags: 1 core, 2 facilities, 3 finance, 4 internal, 5 legal, 6 people,
-- 7 sales, 8 service desk, 9 workflow. application_tags holds 54 rows.
--
-- MySQL specifics: a recursive query takes its column types from its first part,
-- so the empty first item is CAST to a long utf8mb4_bin string. The tag name CHECK
-- compares bytes, because utf8mb4_bin ignores trailing blanks.
-- Each statement can run twice: the CREATE TABLEs fail with error 1050 and the
-- DROP COLUMN with error 1091 (taken as done), the tags insert runs only while
-- tags is empty and the application_tags insert skips pairs already there.

CREATE TABLE tags (
    id   INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(255) NOT NULL UNIQUE,
    CONSTRAINT tags_name_check
        CHECK (CHAR_LENGTH(name) > 0 AND CAST(name AS BINARY) = CAST(LOWER(TRIM(name)) AS BINARY))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE application_tags (
    application_id INT NOT NULL,
    tag_id         INT NOT NULL,
    PRIMARY KEY (application_id, tag_id),
    INDEX application_tags_tag_idx (tag_id),
    FOREIGN KEY (application_id) REFERENCES applications (id),
    FOREIGN KEY (tag_id) REFERENCES tags (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO tags (id, name)
WITH RECURSIVE piece(application_id, item, rest) AS (
    SELECT id, CAST(NULL AS CHAR(4000) CHARACTER SET utf8mb4) COLLATE utf8mb4_bin, CONCAT(tags, ',')
    FROM applications
    WHERE tags IS NOT NULL
    UNION ALL
    SELECT application_id,
           LOWER(TRIM(SUBSTR(rest, 1, INSTR(rest, ',') - 1))),
           SUBSTR(rest, INSTR(rest, ',') + 1)
    FROM piece
    WHERE CHAR_LENGTH(rest) > 0
)
SELECT row_number() OVER (ORDER BY item), item
FROM (SELECT DISTINCT item FROM piece WHERE item IS NOT NULL AND CHAR_LENGTH(item) > 0) AS names
WHERE NOT EXISTS (SELECT 1 FROM tags x);

INSERT INTO application_tags (application_id, tag_id)
WITH RECURSIVE piece(application_id, item, rest) AS (
    SELECT id, CAST(NULL AS CHAR(4000) CHARACTER SET utf8mb4) COLLATE utf8mb4_bin, CONCAT(tags, ',')
    FROM applications
    WHERE tags IS NOT NULL
    UNION ALL
    SELECT application_id,
           LOWER(TRIM(SUBSTR(rest, 1, INSTR(rest, ',') - 1))),
           SUBSTR(rest, INSTR(rest, ',') + 1)
    FROM piece
    WHERE CHAR_LENGTH(rest) > 0
)
SELECT DISTINCT p.application_id, t.id
FROM piece p
JOIN tags t ON t.name = p.item
WHERE NOT EXISTS (SELECT 1 FROM application_tags x
                  WHERE x.application_id = p.application_id AND x.tag_id = t.id)
ORDER BY p.application_id, t.id;

ALTER TABLE applications DROP COLUMN tags;
