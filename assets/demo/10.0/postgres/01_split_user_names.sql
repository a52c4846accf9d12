-- Lattice 10.0, script 01_split_user_names: full names become first and last names (PostgreSQL).
--
-- Effect: new columns users.first_name and users.last_name (NOT NULL), filled
-- from users.full_name, which is then dropped. The trimmed full name is split
-- at its first blank: the part before is the first name, the rest (trimmed) is
-- the last name. A name without a blank is all first name, with last name ''.
--
-- With the demo sample data:
--   user 1  'System Administrator'  becomes first 'System', last 'Administrator'
--   user 2  'Ada Lovelace'          becomes first 'Ada',    last 'Lovelace'
--   user 4  'Cher'                  becomes first 'Cher',   last ''
--   user 5  'Jan van der Berg'      becomes first 'Jan',    last 'van der Berg'
--   user 6  '  Konrad  Zuse '       becomes first 'Konrad', last 'Zuse'
--   user 27 'Adele Berners-Lee'     becomes first 'Adele',  last 'Berners-Lee'

ALTER TABLE users ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_name TEXT NOT NULL DEFAULT '';

UPDATE users
SET first_name = CASE
        WHEN strpos(trim(full_name), ' ') = 0 THEN trim(full_name)
        ELSE substr(trim(full_name), 1, strpos(trim(full_name), ' ') - 1)
    END,
    last_name = CASE
        WHEN strpos(trim(full_name), ' ') = 0 THEN ''
        ELSE trim(substr(trim(full_name), strpos(trim(full_name), ' ') + 1))
    END;

ALTER TABLE users DROP COLUMN full_name;
