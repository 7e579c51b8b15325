// /api/spaces and /api/invitations: thin routes over src/server/spaces (sign in, validate, call the
// use case, map the result). Each names its account by `c.var.account.partition`, the users row
// id the use cases take; members are named by the id the app knows them by.
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { Db } from '../db/Db'
import { acceptInvitation, changesOf, createSpace, invite, membersOf, removeMember, ROLES, setRole, spacesOf, type Role } from '../spaces'
import { readJson } from './json'
import type { AppEnv } from './session'

const NewSpace = z.object({ name: z.string() })
// Types only: the use cases check the ranges, with messages that say them.
const NewInvitation = z.object({
  role: z.enum(['editor', 'viewer']),
  expiresInHours: z.number().optional(),
  maxUses: z.number().nullable().optional(),
})
const NewRole = z.object({ role: z.enum(ROLES as [Role, ...Role[]]) })

/** The spaces' routes, to mount under /api (they answer /spaces/… and /invitations/…). */
export function spaceRoutes(db: Db, requireAccount: MiddlewareHandler<AppEnv>): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/spaces', requireAccount, async (c) => c.json({ spaces: await spacesOf(db, c.var.account.partition) }, 200))
    .post('/spaces', requireAccount, async (c) => {
      const { name } = await readJson(c, NewSpace)
      return c.json({ space: await createSpace(db, c.var.account.partition, name) }, 201)
    })
    .post('/spaces/:id/invitations', requireAccount, async (c) => {
      const { role, expiresInHours, maxUses } = await readJson(c, NewInvitation)
      const invitation = await invite(db, c.var.account.partition, c.req.param('id'), { role, expiresInHours, maxUses: maxUses ?? undefined })
      return c.json({ invitation: { ...invitation, url: `${c.var.client.origin}/#/join/${invitation.token}` } }, 201)
    })
    .post('/invitations/:token/accept', requireAccount, async (c) => c.json({ space: await acceptInvitation(db, c.var.account.partition, c.req.param('token')) }, 200))
    .get('/spaces/:id/members', requireAccount, async (c) => c.json({ members: await membersOf(db, c.var.account.partition, c.req.param('id')) }, 200))
    .patch('/spaces/:id/members/:userId', requireAccount, async (c) => {
      const { role } = await readJson(c, NewRole)
      return c.json({ member: await setRole(db, c.var.account.partition, c.req.param('id'), c.req.param('userId'), role) }, 200)
    })
    .delete('/spaces/:id/members/:userId', requireAccount, async (c) => {
      await removeMember(db, c.var.account.partition, c.req.param('id'), c.req.param('userId'))
      return c.body(null, 204)
    })
    .get('/spaces/:id/changes', requireAccount, async (c) => c.json({ changes: await changesOf(db, c.var.account.partition, c.req.param('id')) }, 200))
}

/** Mounts the spaces' routes on `app` under /api: /api/spaces/… and /api/invitations/…. */
export function mountSpaceRoutes(app: Hono<AppEnv>, db: Db, requireAccount: MiddlewareHandler<AppEnv>): void {
  app.route('/api', spaceRoutes(db, requireAccount))
}
