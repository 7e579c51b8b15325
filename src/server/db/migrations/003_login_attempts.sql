-- Login attempts, counted in the database so that every server process on it shares the rate
-- limit: one row per key (the sha-256 of the email and the client's address) and fixed one-minute
-- window. The pruning (src/server/accounts/pruning.ts) deletes the windows that have ended.

CREATE TABLE login_attempts (
  key           text NOT NULL,
  window_start  timestamptz NOT NULL,
  count         integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX login_attempts_window ON login_attempts (window_start);
