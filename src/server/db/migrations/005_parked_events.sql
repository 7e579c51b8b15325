-- Events a server subscription could not apply, parked with their error while it goes on past
-- them (src/server/projections/parkedEvents.ts); an operator lists and retries them
-- (scripts/projections.ts). The event itself stays in `events`. Parking keeps each stream's
-- order: once an event of a stream is parked for a subscription, that subscription's later events
-- of the stream are parked behind it (`behind`), not applied out of order, until a retry has
-- applied the stream's parked events in order.

CREATE TABLE parked_events (
  subscription     text NOT NULL,                -- subscription_checkpoints.name
  global_position  bigint NOT NULL REFERENCES events(global_position) ON DELETE CASCADE,
  transaction_id   xid8 NOT NULL,                -- with global_position: the event's place in commit order
  stream           text NOT NULL,                -- the event's stream: nothing of it is applied past a parked event
  event_id         uuid NOT NULL,
  type             text NOT NULL,
  error_code       text NOT NULL,                -- the SQLSTATE of a database error, else the error's code or name
  error_message    text NOT NULL,                -- of the last try (it can quote the event's data: never logged)
  behind           bigint,                       -- parked behind this parked event of its stream, not tried; NULL: the handler failed on it
  attempts         integer NOT NULL DEFAULT 1,   -- tries: 1 when parked (0 when parked behind), one more per failed retry
  parked_at        timestamptz NOT NULL DEFAULT now(),
  tried_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription, global_position)
);
-- "Has this stream parked events for this subscription, and which comes first": asked for the
-- streams of each batch of a subscription that has parked events, and by a retry, stream by stream.
CREATE INDEX parked_events_stream ON parked_events (subscription, stream, transaction_id, global_position);
