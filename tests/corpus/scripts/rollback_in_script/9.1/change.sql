BEGIN;
UPDATE settings SET value = 'on' WHERE name = 'trace';
ROLLBACK;
