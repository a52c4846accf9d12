UPDATE users SET email = lower(trim(email));
