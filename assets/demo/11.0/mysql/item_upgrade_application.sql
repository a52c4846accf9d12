-- Lattice 11.0, per-item step: convert one application to form engine 2 (MySQL, MariaDB).
--
-- upwiz runs this script once for every row of
--     SELECT id, name FROM applications ORDER BY id
-- after the 11.0 release scripts, each run in its own transaction (the script
-- has no DDL, so the transaction holds). Before a run the id and name
-- placeholders (the column name in double braces) are replaced by that row's
-- values as SQL literals, for example 7 and 'People Requests'. The id may also
-- come quoted ('7'): MySQL compares it with the integer columns as a number.
--
-- Effect for the application:
--   1. Each of its forms still in format 1 is parsed: the definition is split
--      at '|' into fields, each field at ':' into name and type (both trimmed,
--      the type lower-cased), and one form_fields row is written per field,
--      ordinal counting from 1.
--   2. Those forms get the JSON definition built from their form_fields rows,
--      {"fields":[{"name":...,"type":...},...]}, and format 2. The JSON text is
--      assembled with GROUP_CONCAT ... ORDER BY and JSON_QUOTE, so it is byte for
--      byte the compact text SQLite's json_object writes (MariaDB's JSON_OBJECT
--      adds blanks, and JSON_ARRAYAGG does not promise an order). The first
--      statement raises group_concat_max_len for this session, so that long
--      definitions are not cut at 1024 bytes.
--   3. One audit_log entry 'application.upgraded' is written (occurred_at is
--      the time of the run, UTC_TIMESTAMP, 'YYYY-MM-DD HH:MM:SS'), and
--      applications.schema_version becomes 11. The entry's id is the largest id
--      plus one, as SQLite assigns it: an AUTO_INCREMENT value drawn by an item
--      that was rolled back (a failed item, or a crash before the item's outcome
--      was recorded) is not given back, so AUTO_INCREMENT would leave gaps.
-- Running it again for an application that is already converted changes nothing.
--
-- With the demo sample data every application converts, giving 328 form_fields
-- rows and 36 audit entries. For example form 1 of application 1,
-- 'subject:text|body:text', becomes
--     {"fields":[{"name":"subject","type":"text"},{"name":"body","type":"text"}]}
-- with form_fields (1, 1, 'subject', 'text') and (1, 2, 'body', 'text').
--
-- Making one application fail (for tests): at any version before 11.0, give one
-- of its forms a field whose type form engine 2 does not know, or a field
-- without a type, for example
--     UPDATE forms SET definition = 'title:text|budget:money' WHERE id = 19
-- Form 19 ('Request') belongs to application 7 ('People Requests'). The
-- form_fields insert then fails with error 4025 "CONSTRAINT
-- `form_fields_known_type` failed" on MariaDB (3819 "Check constraint
-- 'form_fields_known_type' is violated" on MySQL) for 'budget:money', or with
-- error 1048 "Column 'field_type' cannot be null" for a field without a type
-- ('budget'). The item for application 7 fails and is rolled back: its forms
-- stay in format 1 and its schema_version stays 10. All other applications
-- still convert. Nothing checked before the upgrade rejects such a definition,
-- so the preflight checks and the violation reports still pass. Fix the
-- definition and run upwiz again to retry application 7 only.

SET SESSION group_concat_max_len = 1048576;

INSERT INTO form_fields (form_id, ordinal, name, field_type)
WITH RECURSIVE piece(form_id, ordinal, item, rest) AS (
    SELECT id, 0, CAST(NULL AS CHAR(4000) CHARACTER SET utf8mb4) COLLATE utf8mb4_bin, CONCAT(definition, '|')
    FROM forms
    WHERE application_id = {{id}} AND format = 1
    UNION ALL
    SELECT form_id,
           ordinal + 1,
           TRIM(SUBSTR(rest, 1, INSTR(rest, '|') - 1)),
           SUBSTR(rest, INSTR(rest, '|') + 1)
    FROM piece
    WHERE CHAR_LENGTH(rest) > 0
)
SELECT form_id,
       ordinal,
       CASE WHEN INSTR(item, ':') > 0 THEN TRIM(SUBSTR(item, 1, INSTR(item, ':') - 1)) ELSE item END,
       CASE WHEN INSTR(item, ':') > 0 THEN LOWER(TRIM(SUBSTR(item, INSTR(item, ':') + 1))) END
FROM piece
WHERE ordinal > 0
ORDER BY form_id, ordinal;

UPDATE forms
SET definition = (
        SELECT CONCAT('{"fields":[',
                      GROUP_CONCAT(CONCAT('{"name":', JSON_QUOTE(ff.name),
                                          ',"type":', JSON_QUOTE(ff.field_type), '}')
                                   ORDER BY ff.ordinal SEPARATOR ','),
                      ']}')
        FROM form_fields ff
        WHERE ff.form_id = forms.id
    ),
    format = 2
WHERE application_id = {{id}} AND format = 1;

INSERT INTO audit_log (id, occurred_at, user_id, action, detail)
SELECT (SELECT COALESCE(MAX(x.id), 0) + 1 FROM audit_log x),
       DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s'), NULL, 'application.upgraded',
       CONCAT('application ', {{id}}, ' (', {{name}}, ') converted to form engine 2')
FROM applications
WHERE id = {{id}} AND schema_version < 11;

UPDATE applications
SET schema_version = 11
WHERE id = {{id}};
