-- Spaces: a space holds streams, and its members read and write them by their role (owner,
-- editor, viewer). A space is a partition: its streams' and events' `user_id` column names the
-- partition (the name is the old one; for a personal space it is still its owner's id), whose
-- head numbers the space's events 1, 2, 3, … with no gap. Every account has a personal space
-- (partition = its user id, made on first use); a shared space's partition is a negative number
-- from its own sequence, never a user's id, and never shown: clients name a space by its `id`, a
-- random token.

CREATE SEQUENCE shared_partitions;

CREATE TABLE spaces (
  id           text PRIMARY KEY,                                       -- random, unguessable: what clients name it by
  partition    bigint NOT NULL UNIQUE,                                 -- partitions.user_id, streams.user_id, events.user_id
  name         text NOT NULL,
  personal_of  bigint UNIQUE REFERENCES users(id) ON DELETE CASCADE,  -- the account whose personal space it is; NULL when shared
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((personal_of IS NULL) = (partition < 0))
);

CREATE TABLE space_members (
  space_id   text NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
  joined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (space_id, user_id)
);
CREATE INDEX space_members_user ON space_members (user_id);

CREATE TABLE space_invitations (
  token_hash  text PRIMARY KEY,                                        -- sha-256 of the link's token: a leaked table lets nobody in
  space_id    text NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('editor', 'viewer')),
  created_by  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  max_uses    integer CHECK (max_uses IS NULL OR max_uses > 0),       -- NULL: any number of times until it expires
  uses        integer NOT NULL DEFAULT 0
);
CREATE INDEX space_invitations_space ON space_invitations (space_id);

-- Every change of membership, who made it and when: shown to the space's members.
CREATE TABLE space_changes (
  id          bigserial PRIMARY KEY,
  space_id    text NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
  change      text NOT NULL CHECK (change IN ('created', 'joined', 'role_changed', 'removed', 'left')),
  actor       bigint REFERENCES users(id) ON DELETE SET NULL,         -- who made it
  subject     bigint REFERENCES users(id) ON DELETE SET NULL,         -- whose membership it is
  role        text,                                                   -- the role it gave, where it gave one
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX space_changes_space ON space_changes (space_id, id);

-- A partition is a space's now, not always a user's: its rows no longer point at users.
ALTER TABLE partitions DROP CONSTRAINT partitions_user_id_fkey;
ALTER TABLE streams DROP CONSTRAINT streams_user_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_user_id_fkey;
