// GET /api/orders: the signed-in user's orders from the server's read model (./projection.ts), newest first.
import type { App, RouteDeps } from '../../src/server'
import { ordersOf } from './projection'

export function orderRoutes(app: App, { db, requireAccount }: RouteDeps): void {
  app.get('/api/orders', requireAccount, async (c) => c.json({ orders: await ordersOf(db, c.var.account.partition) }, 200))
}
