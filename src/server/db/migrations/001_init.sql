-- Accounts, sessions and the event store of the sync server.

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL UNIQUE,          -- trimmed and lower-cased
  password_hash text NOT NULL,                 -- scrypt$N$r$p$salt$hash (base64)
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash    text PRIMARY KEY,              -- sha-256 of the cookie's token: a leaked table signs nobody in
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One partition per user: `head` is bumped in every append transaction, which serialises only
-- that user's writers and hands out gapless partition positions (the pull cursor).
CREATE TABLE partitions (
  user_id       bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  head          bigint NOT NULL DEFAULT 0
);

CREATE TABLE streams (
  stream        text PRIMARY KEY,
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- the first writer owns it
  version       bigint NOT NULL DEFAULT -1                              -- its last position, -1 when empty
);

CREATE TABLE events (
  global_position     bigserial PRIMARY KEY,
  transaction_id      xid8 NOT NULL DEFAULT pg_current_xact_id(),  -- commit order for readers of all users' events
  user_id             bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  partition_position  bigint NOT NULL,
  stream              text NOT NULL REFERENCES streams(stream),
  stream_position     bigint NOT NULL,
  event_id            uuid NOT NULL UNIQUE,
  type                text NOT NULL,
  data                jsonb NOT NULL,
  metadata            jsonb NOT NULL,
  client_id           text NOT NULL,
  recorded_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream, stream_position),
  UNIQUE (user_id, partition_position)
);
-- Server subscriptions read all users' events in (transaction_id, global_position) order.
CREATE INDEX events_commit_order ON events (transaction_id, global_position);

-- Where each server-side subscription stands, committed with the read model it moves.
CREATE TABLE subscription_checkpoints (
  name                text PRIMARY KEY,
  transaction_id      xid8 NOT NULL DEFAULT '0',
  global_position     bigint NOT NULL DEFAULT 0,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
