// The random names of spaces and invitations. A space's id is all a member needs to name it and
// all a stranger would need to guess: 16 random bytes. An invitation's token lets anyone holding it
// in: 32 random bytes, stored only as its sha-256 (like a session's), so a leaked table lets nobody in.
import { createHash, randomBytes } from 'node:crypto'

/** A new space's id: 16 random bytes, base64url (22 characters). */
export const newSpaceId = (): string => randomBytes(16).toString('base64url')

/** A new invitation's token: 32 random bytes, base64url (43 characters). */
export const newInvitationToken = (): string => randomBytes(32).toString('base64url')

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex')

// Ids the server makes are base64url; anything else (too long, a NUL that PostgreSQL's text cannot
// hold) names no space, and is answered as an unknown one without asking the database.
const SPACE_ID = /^[A-Za-z0-9_-]{1,64}$/

export const isSpaceId = (id: string): boolean => SPACE_ID.test(id)

/** Longer than any token made here: not one, and not worth hashing. */
export const MAX_TOKEN = 100
