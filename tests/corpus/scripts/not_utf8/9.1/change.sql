UPDATE settings SET value = 'café' WHERE name = 'trace';
