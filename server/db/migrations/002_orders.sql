-- The server's own read model of each user's orders, kept by the `orders` subscription
-- (server/projections/orders.ts) from Order.Placed and Order.Completed.

CREATE TABLE orders (
  user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  order_id      text NOT NULL,
  status        text NOT NULL,                 -- 'placed' | 'completed'
  lines         jsonb NOT NULL DEFAULT '[]',   -- [{ itemId, quantity, price }]
  subtotal      bigint NOT NULL DEFAULT 0,     -- yen
  discount      bigint NOT NULL DEFAULT 0,
  total         bigint NOT NULL DEFAULT 0,
  placed_at     timestamptz NOT NULL,
  completed_at  timestamptz,
  PRIMARY KEY (user_id, order_id)
);
CREATE INDEX orders_newest ON orders (user_id, placed_at DESC, order_id DESC);
