-- Keystone Rules Repository 10.1, Definer: a prompt label for every column
-- (MySQL, MariaDB).
--
-- Effect on the sample data: column_defs gets the column label, filled with the
-- column name in lower case with blanks for underscores: 'DEPART_ON' -> 'depart on'.

ALTER TABLE column_defs ADD COLUMN label VARCHAR(255);

UPDATE column_defs SET label = REPLACE(LOWER(name), '_', ' ');
