// The per-user order history: a read model of Order.Placed and Order.Completed, kept by a server
// projection (its table made by ./001_orders.sql) and served by GET /api/orders (./routes.ts). Event data is stored as the client sent it (the
// domain's order events have no schema), so the handler reads it defensively. Its times are the
// server's (recordedAt): the client's metadata.timestamp is only its claim, and a date JavaScript
// accepts (year +275760, year 0) can be one PostgreSQL's timestamptz cannot hold.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { OrderCompleted, OrderPlaced, type OrderLine } from '../../src/domain/order/events'
import type { Queryable, ServerProjection, StoredEvent } from '../../src/server'

export interface OrderView {
  id: string
  status: 'placed' | 'completed'
  lines: OrderLine[]
  subtotal: number
  discount: number
  total: number
  placedAt: string
  completedAt: string | null
}

const amount = (value: unknown): number => (typeof value === 'number' && Number.isSafeInteger(value) ? value : 0)

/** The time of record: when the server stored the event. */
const recordedAt = (event: StoredEvent): string => event.recordedAt.toISOString()

function orderIdOf(data: unknown): string | null {
  const orderId = (data as { orderId?: unknown } | null)?.orderId
  return typeof orderId === 'string' && orderId.length > 0 ? orderId : null
}

export const ordersProjection: ServerProjection = {
  name: 'orders',
  batchSize: 100,
  migrations: ['001_orders.sql', '002_orders_of_spaces.sql'].map((file) => ({ name: `orders/${file}`, sql: readFileSync(join(import.meta.dirname, file), 'utf8') })),
  async handle(events, tx) {
    for (const event of events) {
      const orderId = orderIdOf(event.data)
      if (orderId === null) continue
      if (event.type === OrderPlaced.type) {
        const data = event.data as Partial<Record<'lines' | 'subtotal' | 'discount' | 'total', unknown>>
        const lines = Array.isArray(data.lines) ? data.lines : []
        await tx.query(
          `INSERT INTO orders (user_id, order_id, status, lines, subtotal, discount, total, placed_at, placed_position)
           VALUES ($1, $2, 'placed', $3::text::jsonb, $4, $5, $6, $7, $8)
           ON CONFLICT (user_id, order_id) DO NOTHING`,
          [event.partition, orderId, JSON.stringify(lines), amount(data.subtotal), amount(data.discount), amount(data.total), recordedAt(event), event.globalPosition],
        )
      } else if (event.type === OrderCompleted.type) {
        await tx.query(`UPDATE orders SET status = 'completed', completed_at = $3 WHERE user_id = $1 AND order_id = $2 AND status = 'placed'`, [
          event.partition,
          orderId,
          recordedAt(event),
        ])
      }
    }
  },
}

type OrderRow = {
  order_id: string
  status: 'placed' | 'completed'
  lines: OrderLine[]
  subtotal: string | number
  discount: string | number
  total: string | number
  placed_at: Date | string
  completed_at: Date | string | null
}

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString()

/** The orders of a partition (a user's own), newest first: by time of record, then (orders pushed together) by commit. */
export async function ordersOf(db: Queryable, partition: string): Promise<OrderView[]> {
  const rows = await db.query<OrderRow>(
    'SELECT order_id, status, lines, subtotal, discount, total, placed_at, completed_at FROM orders WHERE user_id = $1 ORDER BY placed_at DESC, placed_position DESC',
    [partition],
  )
  return rows.map((row) => ({
    id: row.order_id,
    status: row.status,
    lines: row.lines,
    subtotal: Number(row.subtotal),
    discount: Number(row.discount),
    total: Number(row.total),
    placedAt: iso(row.placed_at),
    completedAt: row.completed_at === null ? null : iso(row.completed_at),
  }))
}
