// Bulk seeding of the many-users bench: accounts and their events inserted with SQL, as rows the
// server could have written. Each account's events are carts of 10 events (Cart$<id>, a catalog
// product added then removed, five times: valid for the domain), gapless partition positions 1, 2,
// 3, … per account and stream positions 0…9 per cart; each partition's head and each stream's
// version match their last position. A stage adds events to every account after the ones it has.
import type pg from 'pg'
import { catalog } from '../../../src/domain'

const PER_CART = 10

/** Inserts `count` accounts (users and partitions rows) whose emails start with `prefix`; resolves with their ids. */
export async function seedAccounts(client: pg.ClientBase, prefix: string, count: number): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `WITH made AS (
       INSERT INTO users (email, password_hash)
       SELECT $1 || i || '@bench.example', 'seeded: no password' FROM generate_series(1, $2::int) AS i RETURNING id)
     INSERT INTO partitions (user_id) SELECT id FROM made RETURNING user_id::text AS id`,
    [prefix, count],
  )
  return rows.map((row) => row.id)
}

/**
 * Gives every account in `userIds` the events number `from` … `to - 1` of its history (0-based),
 * `chunk` accounts a statement. The accounts must have exactly `from` seeded events (and no others).
 */
export async function seedEvents(client: pg.ClientBase, userIds: readonly string[], from: number, to: number, chunk = 500): Promise<void> {
  const product = catalog[0]!
  for (let at = 0; at < userIds.length; at += chunk) {
    const ids = userIds.slice(at, at + chunk)
    await client.query('BEGIN')
    // The carts these events fall in: made, or their version moved on.
    await client.query(
      `INSERT INTO streams (stream, user_id, version)
       SELECT 'Cart$' || md5('seed-' || u || '-' || c)::uuid, u, least($3::int, (c + 1) * ${PER_CART}) - 1 - c * ${PER_CART}
         FROM unnest($1::bigint[]) AS u, generate_series($2::int / ${PER_CART}, ($3::int - 1) / ${PER_CART}) AS c
       ON CONFLICT (stream) DO UPDATE SET version = excluded.version`,
      [ids, from, to],
    )
    await client.query(
      `INSERT INTO events (user_id, partition_position, stream, stream_position, event_id, type, data, metadata, client_id, recorded_at)
       SELECT u, k + 1, 'Cart$' || cart.id, k % ${PER_CART}, gen_random_uuid(),
              CASE WHEN k % 2 = 0 THEN 'Cart.ItemAdded' ELSE 'Cart.ItemRemoved' END,
              CASE WHEN k % 2 = 0 THEN jsonb_build_object('cartId', cart.id, 'itemId', $4::text, 'quantity', 1, 'price', $5::int)
                   ELSE jsonb_build_object('cartId', cart.id, 'itemId', $4::text) END,
              jsonb_build_object('correlationId', gen_random_uuid(), 'timestamp', now(), 'userId', u::text, 'clientId', 'seed', 'recordedAt', now()),
              'seed', now()
         FROM unnest($1::bigint[]) AS u, generate_series($2::int, $3::int - 1) AS k,
              LATERAL (SELECT md5('seed-' || u || '-' || (k / ${PER_CART}))::uuid::text AS id) AS cart`,
      [ids, from, to, product.id, product.price],
    )
    await client.query('UPDATE partitions SET head = $2 WHERE user_id = ANY($1::bigint[])', [ids, to])
    await client.query('COMMIT')
  }
}
