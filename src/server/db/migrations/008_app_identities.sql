-- Users an app identifies itself (createSyncServer's `identify`): a users row per id the app gives,
-- made on first use, with no email and no password. Built-in accounts have an email and a password
-- hash and no external id; every users row is one or the other.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN external_id text UNIQUE;
ALTER TABLE users ADD CONSTRAINT users_one_kind CHECK ((external_id IS NULL) = (email IS NOT NULL AND password_hash IS NOT NULL));
