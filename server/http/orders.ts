// GET /api/orders: the signed-in user's orders from the server's read model (server/projections), newest first.
import { Hono } from 'hono'
import type { Db } from '../db/Db'
import { ordersOf } from '../projections'
import { requireUser, type AppEnv } from './session'

export function orderRoutes(db: Db): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  routes.use('*', requireUser(db))
  routes.get('/', async (c) => c.json({ orders: await ordersOf(db, c.var.user.id) }, 200))
  return routes
}
