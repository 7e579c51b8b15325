import { defineEvent } from '../../src/eventstore'

// Generic events for the store's behaviour suite; the shop's own events live in src/domain.
export const Noted = defineEvent<{ text: string }, 'Test.Noted'>('Test.Noted')
export const Counted = defineEvent<{ n: number }, 'Test.Counted'>('Test.Counted')
export const Flagged = defineEvent<{ flag: boolean }, 'Test.Flagged'>('Test.Flagged')

/** `count` Noted events with ids e1…en (or with the given prefix). */
export const notes = (count: number, prefix = 'e') =>
  Array.from({ length: count }, (_, i) => Noted({ text: `note ${i + 1}` }, { eventId: `${prefix}${i + 1}` }))

export const ids = (events: ReadonlyArray<{ eventId: string }>) => events.map((e) => e.eventId)
