-- What each event and each account weigh, for the limits of pull and push (docs/SYNC.md "Limits").
-- `events.bytes`: the event's data and metadata as PostgreSQL writes them out; a pull page is cut
-- by their running sum in the database, so the server never loads more than a page. Generated,
-- so every row has it, whoever inserts it (made now for the rows already stored).
-- `partitions.stored_bytes`: what the account stores, its quota's counter, bumped by each append
-- in the statement that bumps `head` (by the events' data and metadata as JSON); counted here for
-- the events already stored.

ALTER TABLE events ADD COLUMN bytes integer GENERATED ALWAYS AS (octet_length(data::text) + octet_length(metadata::text)) STORED;

ALTER TABLE partitions ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0;

UPDATE partitions p SET stored_bytes = s.bytes
  FROM (SELECT user_id, sum(bytes) AS bytes FROM events GROUP BY user_id) s
 WHERE p.user_id = s.user_id;
