// Invitations: a link that lets whoever holds it join a space with the role it gives, until it
// expires or has been used as often as it may be.
import type { Db } from '../db/Db'
import { protocolError } from '../protocol'
import { lockedMembershipOf, requireOwner, requireShared } from './membershipOf'
import { newInvitationToken, tokenHash } from './tokens'

export interface InvitationOptions {
  role: 'editor' | 'viewer'
  /** Whole hours until it expires, 1…720; default 168 (a week). */
  expiresInHours?: number
  /** How many accounts may join with it, 1…1000; absent: any number until it expires. */
  maxUses?: number
}

export interface Invitation {
  /** The link's secret: shown once, stored only as its sha-256. */
  token: string
  role: 'editor' | 'viewer'
  /** ISO 8601. */
  expiresAt: string
}

export const DEFAULT_EXPIRES_IN_HOURS = 168
export const MAX_EXPIRES_IN_HOURS = 720
export const MAX_USES = 1000

const HOUR_MS = 60 * 60 * 1000

const wholeIn = (value: unknown, low: number, high: number): value is number => Number.isInteger(value) && (value as number) >= low && (value as number) <= high

/** `options` checked (400 `invalid` for a role, a time or a number of uses out of range), with the defaults. */
function checked(options: InvitationOptions): { role: 'editor' | 'viewer'; hours: number; maxUses: number | null } {
  const { role, expiresInHours = DEFAULT_EXPIRES_IN_HOURS, maxUses } = options
  if (role !== 'editor' && role !== 'viewer') throw protocolError('invalid', 'An invitation gives the role editor or viewer.')
  if (!wholeIn(expiresInHours, 1, MAX_EXPIRES_IN_HOURS)) throw protocolError('invalid', `expiresInHours is a whole number from 1 to ${MAX_EXPIRES_IN_HOURS}.`)
  if (maxUses !== undefined && !wholeIn(maxUses, 1, MAX_USES)) throw protocolError('invalid', `maxUses is a whole number from 1 to ${MAX_USES}, or absent for any number.`)
  return { role, hours: expiresInHours, maxUses: maxUses ?? null }
}

/**
 * An invitation to shared space `spaceId`, made by one of its owners `userId` (a users row id):
 * 404 `not_found` for a non-member, 403 `forbidden` for a member who is not an owner and for a
 * personal space.
 */
export async function invite(db: Db, userId: string, spaceId: string, options: InvitationOptions, now = new Date()): Promise<Invitation> {
  const { role, hours, maxUses } = checked(options)
  const token = newInvitationToken()
  const expiresAt = new Date(now.getTime() + hours * HOUR_MS).toISOString()
  await db.transaction(async (tx) => {
    const member = await lockedMembershipOf(tx, userId, spaceId)
    requireOwner(member, 'invite')
    requireShared(member)
    await tx.query('INSERT INTO space_invitations (token_hash, space_id, role, created_by, expires_at, max_uses) VALUES ($1, $2, $3, $4, $5, $6)', [
      tokenHash(token),
      member.spaceId,
      role,
      userId,
      expiresAt,
      maxUses,
    ])
  })
  return { token, role, expiresAt }
}
