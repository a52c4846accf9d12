-- Lattice 11.0, per-item step: convert one application to form engine 2 (PostgreSQL).
--
-- upwiz runs this script once for every row of
--     SELECT id, name FROM applications ORDER BY id
-- after the 11.0 release scripts, each run in its own transaction. Before a run
-- the id and name placeholders (the column name in double braces) are replaced
-- by that row's values as SQL literals, for example 7 and 'People Requests'.
-- The id may also come quoted ('7'): the comparisons with integer columns accept
-- both, and the text is built with CAST(... AS text).
--
-- Effect for the application:
--   1. Each of its forms still in format 1 is parsed: the definition is split
--      at '|' into fields, each field at ':' into name and type (both trimmed,
--      the type lower-cased), and one form_fields row is written per field,
--      ordinal counting from 1.
--   2. Those forms get the JSON definition built from their form_fields rows,
--      {"fields":[{"name":...,"type":...},...]}, and format 2. The JSON text is
--      assembled with string_agg and to_json, so it is byte for byte the compact
--      text SQLite's json_object writes (json_build_object would add blanks).
--   3. One audit_log entry 'application.upgraded' is written (occurred_at is
--      the time of the run, UTC, 'YYYY-MM-DD HH:MM:SS'), and
--      applications.schema_version becomes 11. The entry's id is the largest id
--      plus one, as SQLite assigns it, and the identity sequence is moved past it:
--      a sequence value drawn by an item that was rolled back (a failed item, or a
--      crash before the item's outcome was recorded) is never given back, so ids
--      taken from the sequence would leave gaps that SQLite's do not have.
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
-- form_fields insert then fails with 'new row for relation "form_fields"
-- violates check constraint "form_fields_known_type"' ('budget:money'), or with
-- 'null value in column "field_type" ... violates not-null constraint' for a
-- field without a type ('budget'). The item for application 7 fails and is
-- rolled back: its forms stay in format 1 and its schema_version stays 10. All
-- other applications still convert. Nothing checked before the upgrade rejects
-- such a definition, so the preflight checks and the violation reports still
-- pass. Fix the definition and run upwiz again to retry application 7 only.

INSERT INTO form_fields (form_id, ordinal, name, field_type)
WITH RECURSIVE piece(form_id, ordinal, item, rest) AS (
    SELECT id, 0, NULL::text, definition || '|'
    FROM forms
    WHERE application_id = {{id}} AND format = 1
    UNION ALL
    SELECT form_id,
           ordinal + 1,
           trim(substr(rest, 1, strpos(rest, '|') - 1)),
           substr(rest, strpos(rest, '|') + 1)
    FROM piece
    WHERE rest <> ''
)
SELECT form_id,
       ordinal,
       CASE WHEN strpos(item, ':') > 0 THEN trim(substr(item, 1, strpos(item, ':') - 1)) ELSE item END,
       CASE WHEN strpos(item, ':') > 0 THEN lower(trim(substr(item, strpos(item, ':') + 1))) END
FROM piece
WHERE ordinal > 0
ORDER BY form_id, ordinal;

UPDATE forms
SET definition = (
        SELECT '{"fields":['
               || string_agg('{"name":' || to_json(ff.name)::text
                             || ',"type":' || to_json(ff.field_type)::text || '}',
                             ',' ORDER BY ff.ordinal)
               || ']}'
        FROM form_fields ff
        WHERE ff.form_id = forms.id
    ),
    format = 2
WHERE application_id = {{id}} AND format = 1;

INSERT INTO audit_log (id, occurred_at, user_id, action, detail)
SELECT (SELECT coalesce(max(id), 0) + 1 FROM audit_log),
       to_char(CURRENT_TIMESTAMP AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), NULL, 'application.upgraded',
       'application ' || CAST({{id}} AS text) || ' (' || {{name}} || ') converted to form engine 2'
FROM applications
WHERE id = {{id}} AND schema_version < 11;

SELECT setval(pg_get_serial_sequence('audit_log', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM audit_log), false);

UPDATE applications
SET schema_version = 11
WHERE id = {{id}};
