// Import of an NDJSON log, all or nothing: every line is checked first, against the file and
// against the store, and only a file with no problem at all is written, in one transaction.
import type { NewEvent, RecordedEvent } from '../events'
import { EventStoreError, registerError } from '../errors'
import type { EventStore } from '../client'
import { decodeLine, encodeEvent, type DecodedLine } from './ndjson'
import { membershipsOf, storedIds, streamVersions } from './streamCatalog'

/** A problem with one line (1-based), phrased to follow "Line N …". */
export interface NdjsonIssue {
  line: number
  message: string
  /**
   * Set for the one refusal an app may want to explain in its own words: `'stream_occupied'`,
   * the file starts a stream that this store already holds events of (a backup restores into a
   * store that holds none of its streams, such as a fresh install).
   */
  code?: 'stream_occupied'
}

export class NdjsonImportError extends EventStoreError {
  override name = 'NdjsonImportError'
  constructor(readonly issues: readonly NdjsonIssue[]) {
    const shown = issues.slice(0, 5).map((issue) => `line ${issue.line} ${issue.message}`)
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : ''
    super(`The file was not imported, nothing was written: ${shown.join('; ')}${more}.`, { issues: issues.map((i) => ({ ...i })) })
  }
}

registerError('NdjsonImportError', (fields) => new NdjsonImportError((fields.issues as NdjsonIssue[]) ?? []))

export interface ImportReport {
  /** Events written. */
  events: number
  /** Streams events were written to. */
  streams: number
  /**
   * Lines whose event this store already holds, the same in every way (an export imported
   * again): nonzero only when every line is one, and then nothing is written.
   */
  alreadyStored: number
}

/** How far an import is: `done` of `total` lines checked, or events written. */
export interface ImportProgress {
  phase: 'checking' | 'writing'
  done: number
  total: number
}

export interface ImportOptions {
  /** Called as the import moves on (often for a big file; at least at the start and end of each phase). */
  onProgress?: (progress: ImportProgress) => void
}

/** Lines decoded, or events appended, between two progress calls. */
const STEP = 1000

/** Stream memberships to write with one `link` call: consecutive positions of one stream. */
interface LinkGroup {
  stream: string
  first: number
  eventIds: string[]
}

export interface ImportPlan {
  events: NewEvent[]
  links: LinkGroup[]
  streams: number
  /** See ImportReport: when nonzero, `events` and `links` are empty. */
  alreadyStored: number
}

/**
 * Checks the file and writes it in one `store.transaction`: the events are appended to the log in
 * the file's order with their ids and metadata, then joined to their streams at the positions
 * the file gives. Throws NdjsonImportError, having written nothing, when any line has a problem.
 */
export async function importNdjson(store: EventStore, text: string, options: ImportOptions = {}): Promise<ImportReport> {
  const { onProgress } = options
  const plan = await planImport(store, text, options)
  const total = plan.events.length
  onProgress?.({ phase: 'writing', done: 0, total })
  await store.transaction(async (tx) => {
    // In slices, so a progress bar can move; one transaction all the same.
    for (let done = 0; done < total; ) {
      const slice = plan.events.slice(done, done + STEP)
      await tx.append(slice)
      done += slice.length
      onProgress?.({ phase: 'writing', done, total })
    }
    for (const group of plan.links) await tx.link(group.eventIds, { stream: group.stream, expectedVersion: group.first - 1 })
  })
  return { events: total, streams: plan.streams, alreadyStored: plan.alreadyStored }
}

/** Every check of `importNdjson`, without writing: the plan, or NdjsonImportError. */
export async function planImport(store: EventStore, text: string, options: ImportOptions = {}): Promise<ImportPlan> {
  const { onProgress } = options
  const issues: NdjsonIssue[] = []
  const lines: DecodedLine[] = []
  const firstLineOf = new Map<string, number>()
  const raws = text.split(/\r?\n/)
  if (raws.length > 1 && raws.at(-1) === '') raws.pop() // the newline that ends the last line starts none
  onProgress?.({ phase: 'checking', done: 0, total: raws.length })
  for (let i = 0; i < raws.length; i++) {
    if (onProgress && i > 0 && i % STEP === 0) {
      onProgress({ phase: 'checking', done: i, total: raws.length })
      // Let the page paint the progress: decoding a big file is otherwise one long task.
      await new Promise((resolve) => setTimeout(resolve, 0))
    }
    const raw = raws[i] as string
    if (raw.trim() === '') continue
    const decoded = decodeLine(raw, i + 1)
    if (!decoded.ok) {
      issues.push(...decoded.problems.map((message) => ({ line: i + 1, message })))
      continue
    }
    const { eventId } = decoded.value.event
    const earlier = firstLineOf.get(eventId)
    if (earlier !== undefined) {
      issues.push({ line: i + 1, message: `repeats event id "${eventId}" from line ${earlier}` })
      continue
    }
    firstLineOf.set(eventId, i + 1)
    lines.push(decoded.value)
  }
  const stored = await storedIds(store, lines.map((l) => l.event.eventId))
  onProgress?.({ phase: 'checking', done: raws.length, total: raws.length })
  if (issues.length === 0 && lines.length > 0 && stored.size === lines.length && (await allTheSame(store, lines))) {
    return { events: [], links: [], streams: 0, alreadyStored: lines.length }
  }
  for (const { line, event } of lines) {
    if (stored.has(event.eventId)) issues.push({ line, message: `holds event "${event.eventId}", which this store already has` })
  }
  // Stream positions are only worth checking once every line could be read.
  if (issues.length === 0) issues.push(...(await checkStreams(store, lines)))
  const links = issues.length === 0 ? linkOrder(lines, issues) : []
  if (issues.length) throw new NdjsonImportError(issues.sort((a, b) => a.line - b.line))
  return { events: lines.map((l) => l.event), links, streams: new Set(links.map((g) => g.stream)).size, alreadyStored: 0 }
}

/**
 * Whether the store holds every line's event as the line has it: type, data, metadata and
 * streams at the same positions. Both sides are compared as the export writes them, so Dates,
 * bigints and key order count the way they do in the file.
 */
async function allTheSame(store: EventStore, lines: DecodedLine[]): Promise<boolean> {
  const ids = lines.map((l) => l.event.eventId)
  const [events, memberships] = await Promise.all([store.read.withIds(ids).toArray(), membershipsOf(store, ids)])
  const byId = new Map(events.map((event) => [event.eventId, event]))
  return lines.every(({ event, streams }) => {
    const stored = byId.get(event.eventId)
    if (!stored) return false
    const mine = encodeEvent({ ...stored, globalPosition: 0 }, memberships.get(event.eventId) ?? [])
    // As storing the line would make it: validAt is the timestamp unless the line gives one.
    const metadata = { ...event.metadata }
    metadata.validAt ??= metadata.timestamp
    const theirs = encodeEvent({ ...event, metadata, globalPosition: 0 } as RecordedEvent, streams)
    return sameJson(JSON.parse(mine), JSON.parse(theirs))
  })
}

/** Deep equality of two parsed JSON values, whatever the order of their keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (keysA.length !== keysB.length) return false
  return keysA.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
}

/** Each stream's positions must run without gaps or repeats from the stream's next position here. */
async function checkStreams(store: EventStore, lines: DecodedLine[]): Promise<NdjsonIssue[]> {
  const byStream = new Map<string, Array<{ position: number; line: number }>>()
  for (const { line, streams } of lines) {
    for (const { stream, position } of streams) listIn(byStream, stream).push({ position, line })
  }
  const versions = await streamVersions(store, [...byStream.keys()])
  const issues: NdjsonIssue[] = []
  for (const [stream, entries] of byStream) {
    entries.sort((a, b) => a.position - b.position || a.line - b.line)
    const version = versions.get(stream) ?? -1
    const head = entries[0] as { position: number; line: number }
    if (head.position !== version + 1) {
      issues.push(
        version === -1
          ? { line: head.line, message: `puts the first event of stream "${stream}" at position ${head.position}, but the stream starts at 0` }
          : {
              line: head.line,
              message: `puts an event at position ${head.position} of stream "${stream}", which already holds positions 0–${version} here`,
              code: 'stream_occupied',
            },
      )
    }
    entries.forEach((entry, i) => {
      const before = entries[i - 1]
      if (!before) return
      if (entry.position === before.position) {
        issues.push({ line: entry.line, message: `puts an event at position ${entry.position} of stream "${stream}", as line ${before.line} does` })
      } else if (entry.position !== before.position + 1) {
        issues.push({ line: entry.line, message: `puts an event at position ${entry.position} of stream "${stream}", but position ${before.position + 1} is missing` })
      }
    })
  }
  return issues
}

/**
 * An order of `link` calls that gives every stream its positions and every event its streams in
 * the order it joined them: the order the log was written in, reconstructed. Drains one stream
 * as far as it can before moving on, so a stream's consecutive events go in one call.
 */
function linkOrder(lines: DecodedLine[], issues: NdjsonIssue[]): LinkGroup[] {
  type Member = { line: DecodedLine; stream: string; position: number; k: number }
  const chains = new Map<string, Member[]>()
  for (const line of lines) {
    line.streams.forEach(({ stream, position }, k) => listIn(chains, stream).push({ line, stream, position, k }))
  }
  for (const chain of chains.values()) chain.sort((a, b) => a.position - b.position)
  const nextInStream = new Map<string, number>([...chains.keys()].map((s) => [s, 0]))
  const joined = new Map<DecodedLine, number>()
  const ready = (stream: string): Member | undefined => {
    const member = chains.get(stream)?.[nextInStream.get(stream) ?? 0]
    return member && (joined.get(member.line) ?? 0) === member.k ? member : undefined
  }
  const groups: LinkGroup[] = []
  const pending = [...chains.keys()].reverse()
  while (pending.length) {
    const stream = pending.pop() as string
    let group: LinkGroup | undefined
    for (let member = ready(stream); member; member = ready(stream)) {
      group ??= { stream, first: member.position, eventIds: [] }
      group.eventIds.push(member.line.event.eventId)
      nextInStream.set(stream, (nextInStream.get(stream) ?? 0) + 1)
      joined.set(member.line, member.k + 1)
      const then = member.line.streams[member.k + 1]
      if (then) pending.push(then.stream)
    }
    if (group) groups.push(group)
  }
  for (const [stream, chain] of chains) {
    const stuck = chain[nextInStream.get(stream) ?? 0]
    if (stuck) {
      issues.push({ line: stuck.line.line, message: `puts its event in stream "${stream}" in an order that contradicts the other lines' stream positions` })
    }
  }
  return groups
}

function listIn<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key)
  if (!list) map.set(key, (list = []))
  return list
}
