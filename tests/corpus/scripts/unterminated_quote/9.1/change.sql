UPDATE settings SET value = 'off WHERE name = 'trace';
