-- The rate limits' counters (login_attempts) hold windows of more than one length: a minute for
-- logins, an hour for signups. Each row says its own, so the pruning deletes a window only once
-- it has ended (src/server/accounts/attempts.ts).

ALTER TABLE login_attempts ADD COLUMN window_ms integer NOT NULL DEFAULT 60000;
