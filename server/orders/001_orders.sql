-- The server's own read model of each user's orders, kept by the `orders` projection
-- (./projection.ts) from Order.Placed and Order.Completed. Its times are the server's
-- (recorded_at); placed_position is the Order.Placed event's global position, which orders
-- orders pushed together. IF NOT EXISTS: a database made before the server was a library has
-- this table already, in this very shape.
CREATE TABLE IF NOT EXISTS orders (
  user_id          bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  order_id         text NOT NULL,
  status           text NOT NULL,                 -- 'placed' | 'completed'
  lines            jsonb NOT NULL DEFAULT '[]',   -- [{ itemId, quantity, price }]
  subtotal         bigint NOT NULL DEFAULT 0,     -- yen
  discount         bigint NOT NULL DEFAULT 0,
  total            bigint NOT NULL DEFAULT 0,
  placed_at        timestamptz NOT NULL,
  completed_at     timestamptz,
  placed_position  bigint NOT NULL,
  PRIMARY KEY (user_id, order_id)
);
CREATE INDEX IF NOT EXISTS orders_newest ON orders (user_id, placed_at DESC, placed_position DESC);
