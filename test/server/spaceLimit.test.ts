// One account is a member of at most MAX_SHARED_SPACES shared spaces (each has a quota and a head
// of its own): making or joining one more is refused, and leaving one makes room again.
import { beforeAll, describe, expect, it } from 'vitest'
import { signup } from '../../src/server/accounts'
import type { Db } from '../../src/server/db/Db'
import { acceptInvitation, createSpace, invite, MAX_SHARED_SPACES, removeMember, setRole, spacesOf } from '../../src/server/spaces'
import { engines } from './support/engines'

const ENGINES = engines()

describe.each(ENGINES)('the number of shared spaces of one account on $name', (engine) => {
  let db: Db
  beforeAll(async () => {
    db = await engine.open()
  }, 60_000)

  it(`is at most ${MAX_SHARED_SPACES}: one more made or joined is refused, and leaving one makes room`, async () => {
    const hoarder = (await signup(db, 'hoarder@example.com', 'correct horse')).id
    const host = (await signup(db, 'host@example.com', 'correct horse')).id
    const spaces = []
    for (let i = 0; i < MAX_SHARED_SPACES; i++) spaces.push(await createSpace(db, hoarder, `Space ${i}`))
    await expect(createSpace(db, hoarder, 'One more')).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining(`at most ${MAX_SHARED_SPACES} shared spaces`) })
    const elsewhere = await createSpace(db, host, 'Elsewhere')
    const { token } = await invite(db, host, elsewhere.id, { role: 'editor' })
    await expect(acceptInvitation(db, hoarder, token)).rejects.toMatchObject({ code: 'forbidden' })
    expect((await spacesOf(db, hoarder)).filter((space) => !space.personal)).toHaveLength(MAX_SHARED_SPACES)

    // Leaving one (after handing it to another owner: its last owner may not leave) makes room.
    const spare = spaces[0]!
    await acceptInvitation(db, host, (await invite(db, hoarder, spare.id, { role: 'editor' })).token)
    await setRole(db, hoarder, spare.id, host, 'owner')
    await removeMember(db, hoarder, spare.id, hoarder)
    expect((await acceptInvitation(db, hoarder, token)).id).toBe(elsewhere.id)
  }, 120_000)
})
