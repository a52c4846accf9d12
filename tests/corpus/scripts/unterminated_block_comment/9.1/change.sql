/* Turn tracing off.
UPDATE settings SET value = 'off' WHERE name = 'trace';
