-- Nothing one account is told may depend on another account's data, and no account's id can be
-- guessed from another's.

-- New accounts get random ids: 52 random bits (from gen_random_uuid, PostgreSQL's strong random
-- source) above 2^52, so 16 digits within JavaScript's safe integers and never one of the small
-- sequential ids handed out before. `user.id` stays the id as a string. The sequence goes, so
-- nothing hands out the next id any more.
ALTER TABLE users ALTER COLUMN id SET DEFAULT (4503599627370496 + ('x' || substr(translate(gen_random_uuid()::text, '-', ''), 1, 12) || substr(translate(gen_random_uuid()::text, '-', ''), 1, 1))::bit(52)::bigint);
DROP SEQUENCE users_id_seq;

-- Event ids are unique per account, not across accounts: an id stored by another account is not a
-- duplicate of yours, so a push learns nothing of what other accounts stored. The index also
-- serves the push's duplicate lookup, which names the account.
ALTER TABLE events DROP CONSTRAINT events_event_id_key;
ALTER TABLE events ADD CONSTRAINT events_user_event_id_key UNIQUE (user_id, event_id);
