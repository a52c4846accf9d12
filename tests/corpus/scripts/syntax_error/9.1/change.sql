UPDATE settings SET value = 'off' WHERE;
