-- Lattice 9.1, script 01_normalise_user_emails: e-mail addresses become canonical (PostgreSQL).
--
-- Effect: every users.email is set to lower(trim(email)). Addresses that are
-- already lower case without surrounding blanks do not change. After that,
-- e-mail addresses are unique (new index users_email_uq).
--
-- With the demo sample data:
--   user 1  ' Admin@Example.COM '               becomes 'admin@example.com'
--   user 2  'Ada.Lovelace@Example.com'          becomes 'ada.lovelace@example.com'
--   user 3  'grace.hopper@example.com'          is unchanged
--   user 4  'CHER@EXAMPLE.COM'                  becomes 'cher@example.com'
--   user 17 ' margaret.ritchie17@example.com '  becomes 'margaret.ritchie17@example.com'
--   user 27 'Adele.Berners-Lee27@Example.com'   becomes 'adele.berners-lee27@example.com'
-- 97 rows change in total. If two users end up with the same address, the
-- index cannot be created and the script fails (and rolls back): merge the
-- accounts first.

UPDATE users
SET email = lower(trim(email))
WHERE email <> lower(trim(email));

CREATE UNIQUE INDEX users_email_uq ON users (email);
