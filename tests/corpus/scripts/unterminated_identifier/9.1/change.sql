UPDATE "settings SET value = 'off';
