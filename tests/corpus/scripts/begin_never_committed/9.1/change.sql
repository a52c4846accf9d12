-- vendor
BEGIN TRANSACTION;
UPDATE settings SET value = 'on' WHERE name = 'trace';
