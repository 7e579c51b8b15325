// The sync engine: one per browser (in the leading tab's worker). A cycle looks for new local
// events, pulls what the server has past the cursor (writing it and the cursor in one
// transaction), then pushes each synced stream's pending tail as a commit with its expected
// version. Conflicts and refusals are settled by the stream's policy (see reconcile.ts). A failed
// cycle is tried again after a back-off of at most 10 s; the live channel and local commits start
// one at once. A stream whose check failed (not a refusal) is held: this engine pushes nothing of
// it and shows the problem, while the other streams go on.
import type { EventStore, RecordedEvent } from '../eventstore'
import type { SyncDefinition } from './definition'
import { describeFailure, isNetworkFailure, SyncServerError, SyncUnauthenticatedError, SyncUnreachableError } from './errors'
import { PUSH_LIMITS, type CommitResult, type PulledEvent, type PushAnswer, type PushCommit } from './protocol'
import { recheck, reconcilePulled, resolveRefused, type Reconciled } from './reconcile'
import { initialSyncStatus, type LiveState, type PendingCommit, type SyncExchange, type SyncProblem, type SyncSpace, type SyncStatus } from './status'
import { SyncTables } from './tables'
import type { SyncTransport } from './transport'
import { toWire } from './wire'

/** The live channel: calls `onHead` with the user's head whenever it moves; returns its close. */
export type LiveChannel = (handlers: {
  onHead(head: number): void
  onState(state: LiveState): void
  /** A shared space's head (`event: space`). */
  onSpace?(space: string, head: number): void
  /** The user's memberships changed (`event: spaces`). */
  onSpaces?(): void
}) => () => void

export interface SyncEngineOptions {
  store: EventStore
  transport: SyncTransport
  definition: SyncDefinition
  /** Server-sent heads; without it the engine polls. */
  live?: LiveChannel
  onStatus?: (status: SyncStatus) => void
  /** The engine wrote to the log: `rewritten` when it took events out (read models must be rebuilt). */
  onChanged?: (change: { streams: string[]; rewritten: boolean; position: number }) => void | Promise<void>
  /** Waits between failed tries, in ms; the last repeats. */
  backoff?: readonly number[]
  /** How often to pull while the live channel is not open, in ms. */
  pollMs?: number
  /** How often to pull while it is open (a safety net), in ms. */
  livePollMs?: number
  /** Events per pushed commit (a local tail longer than this goes in several, in order). */
  commitSize?: number
  pullLimit?: number
  now?: () => Date
  /** Whether the browser says it is online (navigator.onLine by default). */
  online?: () => boolean
}

const DEFAULT_BACKOFF = [500, 1000, 2000, 4000, 8000, 10_000]
/** Rounds of pull-then-push in one cycle when pushes keep meeting conflicts. */
const MAX_ROUNDS = 5
const PUSH_BYTES = PUSH_LIMITS.bytes * 0.8

export class SyncEngine {
  readonly id = crypto.randomUUID()
  private readonly tables: SyncTables
  private state: SyncStatus = { ...initialSyncStatus }
  private running: Promise<void> | null = null
  private again = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private failures = 0
  private started = false
  private stopped = false
  private closeLive: (() => void) | null = null
  private clientId: string | null = null
  /** Streams held because the app's check failed on them (not a refusal), with why: not pushed by this engine. */
  private readonly held = new Map<string, SyncProblem>()

  constructor(private readonly options: SyncEngineOptions) {
    this.tables = new SyncTables(options.store)
    this.state = { ...initialSyncStatus, engine: this.id }
  }

  get status(): SyncStatus {
    return this.state
  }

  /** Syncs now and from then on: after failures (backing off), on live heads, and by polling. */
  start(): void {
    if (this.started || this.stopped) return
    this.started = true
    this.openLive()
    this.syncNow()
  }

  stop(): void {
    this.stopped = true
    this.clearTimer()
    this.closeLive?.()
    this.closeLive = null
  }

  /** Starts a cycle now (or right after the one running). */
  syncNow(): void {
    if (this.stopped) return
    this.clearTimer()
    void this.sync()
  }

  /** Runs a cycle (after the running one, if any) and resolves once it is over. Never rejects: failures are in the status. */
  sync(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    const run = (async () => {
      do {
        this.again = false
        await this.cycle()
      } while (this.again && !this.stopped)
    })()
    this.running = run.finally(() => {
      this.running = null
      this.scheduleNext()
    })
    return this.running
  }

  /** The server says the user's head is `head` (the live channel). */
  heard(head: number): void {
    this.update({ head: Math.max(head, 0) })
    if (head !== this.state.cursor) this.syncNow()
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return
    try {
      this.clientId ??= await this.ensureClientId()
      // News first: most cycles start on a live head, and what another device did shows before
      // this device looks at its own (a pull settles any pending tail of the streams it meets).
      await this.pullAll()
      await this.pullSpaces()
      await this.scan()
      // What waits is known from here on, also while the push is on its way.
      await this.refreshPending()
      for (let round = 0; round < MAX_ROUNDS; round++) {
        if (round > 0) {
          await this.pullAll()
          await this.pullSpaces()
        }
        if (!(await this.pushAll())) break
      }
      // Past what this cycle wrote itself, so pages know nothing of theirs is left unseen.
      await this.scan()
      this.failures = 0
      this.update({ connection: 'online', problem: this.heldProblem(), retryAt: null })
      if (this.started && this.closeLive === null) this.openLive()
    } catch (error) {
      this.failed(error)
      // The pull comes first: when it fails, local changes are still looked at, so they count as waiting.
      await this.scan().catch(() => undefined)
    }
    await this.refreshPending().catch(() => undefined)
  }

  private failed(error: unknown): void {
    if (error instanceof SyncUnauthenticatedError) {
      // Nothing to retry until someone signs in again (a page asks with syncNow then).
      this.update({ connection: 'signed-out', problem: this.heldProblem(), retryAt: null })
      return
    }
    this.failures++
    const online = this.options.online?.() ?? globalThis.navigator?.onLine ?? true
    if (error instanceof SyncUnreachableError) {
      this.update({ connection: online ? 'unreachable' : 'offline', problem: this.heldProblem() })
      return
    }
    if (error instanceof SyncServerError && error.code === 'rate_limited') {
      // "Later", not a problem: the server is there and keeps everything; try again when it said.
      const wait = error.retryAfterMs ?? 1_000
      this.update({ connection: 'online', problem: this.heldProblem(), retryAt: new Date(this.now().getTime() + wait).toISOString() })
      return
    }
    const code = error instanceof SyncServerError ? error.code : error instanceof Error ? error.name : 'error'
    const message = error instanceof Error ? error.message : String(error)
    // The server answered: it is reachable. Anything else says nothing of the network, except that
    // a browser that is offline is.
    const connection = error instanceof SyncServerError ? 'online' : online ? this.state.connection : 'offline'
    this.update({ connection, problem: { code, message } })
  }

  /** The first held stream's problem (and how many more there are), null when none is held. */
  private heldProblem(): SyncProblem | null {
    const [first] = this.held.values()
    if (first === undefined) return null
    const more = this.held.size - 1
    return more === 0 ? first : { code: first.code, message: `${first.message} (${more} more stream${more === 1 ? ' is' : 's are'} held the same way.)` }
  }

  /** What a reconcile said of the stream's check: held, or free again. */
  private noteHeld(stream: string, done: Reconciled): void {
    if (done.held) this.held.set(stream, done.held)
    else if (done.held === null) this.held.delete(stream)
  }

  /** After a cycle: the next try after a back-off, or the next poll. */
  private scheduleNext(): void {
    if (!this.started || this.stopped || this.running) return
    this.clearTimer()
    let wait: number
    if (this.state.connection === 'signed-out') return
    if (this.failures > 0) {
      const backoff = this.options.backoff ?? DEFAULT_BACKOFF
      wait = backoff[Math.min(this.failures, backoff.length) - 1] ?? 10_000
      // A server that asked for longer (429 with Retry-After) gets at least that.
      const asked = this.state.retryAt === null ? 0 : Date.parse(this.state.retryAt) - this.now().getTime()
      wait = Math.max(wait, asked)
      this.update({ retryAt: new Date(this.now().getTime() + wait).toISOString() })
    } else {
      wait = this.state.live === 'open' ? (this.options.livePollMs ?? 60_000) : (this.options.pollMs ?? 5_000)
    }
    this.timer = setTimeout(() => {
      this.timer = null
      void this.sync()
    }, wait)
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private openLive(): void {
    const live = this.options.live
    if (!live || this.stopped) return
    this.closeLive = live({
      onHead: (head) => this.heard(head),
      onSpace: (space, head) => {
        const known = this.state.spaces.find((candidate) => candidate.id === space)
        if (known === undefined || known.cursor !== head) this.syncNow()
      },
      onSpaces: () => this.syncNow(),
      onState: (state) => {
        this.update({ live: state })
        // Given up for good (a 401, say): opened again after the next good cycle.
        if (state === 'closed') {
          this.closeLive?.()
          this.closeLive = null
        }
      },
    })
  }

  private async ensureClientId(): Promise<string> {
    const { store } = this.options
    return store.transaction(async () => {
      const known = await this.tables.get<string | null>('clientId', null)
      if (known) return known
      const made = crypto.randomUUID()
      await this.tables.set('clientId', made)
      return made
    })
  }

  /** Finds the synced streams that local events went to since the last scan. */
  private async scan(): Promise<void> {
    const { store, definition } = this.options
    const from = await this.tables.get<number>('scanned', 0)
    let scanned = from
    for await (const page of store.read.after(from).inBatches(500)) {
      const streams = new Set<string>()
      // A stream's first local event that names a shared space (`metadata.spaceId`) puts it there.
      const named = new Map<string, string>()
      const streamsOfEach = await store.streamsOfEach(page.map((event) => event.eventId))
      for (const event of page) {
        for (const stream of streamsOfEach.get(event.eventId) ?? []) {
          if (!definition.syncs(stream)) continue
          streams.add(stream)
          const spaceId = event.metadata.spaceId
          if (typeof spaceId === 'string' && spaceId.length > 0 && !named.has(stream)) named.set(stream, spaceId)
        }
      }
      scanned = (page.at(-1) as { globalPosition: number }).globalPosition
      const last = scanned
      await store.transaction(async () => {
        await this.tables.markDirty(streams)
        for (const [stream, space] of named) if ((await this.tables.spaceOf(stream)) === undefined && (await this.tables.stream(stream)).confirmed === -1) await this.tables.setSpace(stream, space)
        await this.tables.set('scanned', last)
      })
    }
    this.update({ scanned })
  }

  /**
   * Pulls the personal space (no `space`), or a shared one, from its cursor: `cursor` in sync's
   * state table, `cursor:<space id>` for a shared space. A shared space's streams are marked as
   * its own, so their commits are pushed to it. Resolves with the space's cursor and head.
   */
  private async pullAll(space?: string): Promise<{ cursor: number; head: number }> {
    const { transport, store } = this.options
    const limit = this.options.pullLimit ?? 500
    const cursorKey = space === undefined ? 'cursor' : `cursor:${space}`
    const fetchPage = (after: number) => this.exchanging('lastPull', () => (space === undefined ? transport.pull(after, limit) : transport.pull(after, limit, space)))
    let after = await this.tables.get<number>(cursorKey, 0)
    // The stored cursor is the status's from the first pull on, also when this one brings nothing
    // (a new engine on a store that has synced before: a reload, another tab leading).
    if (space === undefined && after !== this.state.cursor) this.update({ cursor: after })
    let next = fetchPage(after)
    for (;;) {
      const answer = await next
      // The next page is on its way while this one is written (a long catch-up waits on both otherwise).
      if (answer.hasMore && answer.events.length > 0) {
        next = fetchPage((answer.events.at(-1) as PulledEvent).position)
        next.catch(() => undefined)
      }
      const changed = new Set<string>()
      let rewritten = false
      if (answer.events.length > 0) {
        const byStream = new Map<string, PulledEvent[]>()
        for (const event of answer.events) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event])
        const cursor = (answer.events.at(-1) as PulledEvent).position
        const settled = new Map<string, Reconciled>()
        await store.transaction(async (tx) => {
          for (const [stream, events] of byStream) {
            if (space !== undefined) await this.tables.setSpace(stream, space)
            const done = await tx.within(() => reconcilePulled(this.context(tx), stream, events))
            settled.set(stream, done)
            if (done.changed) changed.add(stream)
            rewritten ||= done.rewritten
          }
          await this.tables.set(cursorKey, cursor)
        })
        // Only once the transaction committed: an aborted one held nothing.
        for (const [stream, done] of settled) this.noteHeld(stream, done)
        if (space === undefined) this.update({ cursor, problem: this.state.problem ?? this.heldProblem() })
        else this.update({ problem: this.state.problem ?? this.heldProblem() })
      }
      const which = space === undefined ? '' : `space ${space}, `
      this.update({
        ...(space === undefined ? { head: answer.head } : {}),
        lastPull: this.exchange(true, `${which}after ${after}: ${answer.events.length} event(s), head ${answer.head}${answer.hasMore ? ', more to come' : ''}`),
      })
      if (changed.size > 0) await this.changed([...changed], rewritten)
      if (!answer.hasMore || answer.events.length === 0) return { cursor: answer.events.at(-1)?.position ?? after, head: answer.head }
      after = (answer.events.at(-1) as PulledEvent).position
    }
  }

  /**
   * The user's shared spaces, each pulled from its own cursor; a space this device synced that the
   * user is no longer a member of has its copy deleted here (dropSpace). Nothing to do for a
   * transport that knows no spaces.
   */
  private async pullSpaces(): Promise<void> {
    const { transport } = this.options
    if (transport.spaces === undefined) return
    // A server that serves no spaces (one written before them) answers 404: the personal space is all there is.
    const all = await this.exchanging('lastPull', () => transport.spaces!()).catch((error: unknown) => {
      if (error instanceof SyncServerError && error.status === 404) return []
      throw error
    })
    const listed = all.filter((space) => !space.personal)
    const member = new Set(listed.map((space) => space.id))
    const gone = (await this.tables.get<string[]>('spaces', [])).filter((id) => !member.has(id))
    // A stream the user started in a space since the last scan is that space's too: found first,
    // so that it goes with the space instead of being pushed to it and refused.
    if (gone.length > 0) await this.scan()
    for (const space of gone) await this.dropSpace(space)
    await this.tables.set('spaces', [...member])
    const spaces: SyncSpace[] = []
    for (const space of listed) {
      // The list says each space's head: one this device has pulled up to needs no pull.
      const stored = await this.tables.get<number>(`cursor:${space.id}`, 0)
      const { cursor, head } = space.head === stored ? { cursor: stored, head: space.head } : await this.pullAll(space.id)
      spaces.push({ id: space.id, name: space.name, role: space.role, head, cursor })
    }
    this.update({ spaces })
  }

  /**
   * The user was removed from `space` (or left it): its streams' events leave this device, with
   * its read models (a rewrite), and what of them was not sent is reported as such.
   */
  private async dropSpace(space: string): Promise<void> {
    const { store } = this.options
    const streams = await this.tables.streamsOfSpace(space)
    await store.transaction(async (tx) => {
      for (const stream of streams) {
        const row = await this.tables.stream(stream)
        const removed = await tx.truncateStream(stream, -1)
        for (const event of removed.slice(row.confirmed + 1)) {
          await this.tables.report({
            at: this.now().toISOString(),
            kind: 'rejected',
            stream,
            eventId: event.eventId,
            type: event.type,
            data: event.data,
            reason: { code: 'removed_from_space', message: 'This account is no longer a member of the space this stream is in: its copy on this device is deleted, and this change was not sent.' },
          })
        }
        await this.tables.deleteStream(stream)
        await this.tables.delete(`space:${stream}`)
        this.held.delete(stream)
      }
      await this.tables.delete(`cursor:${space}`)
    })
    if (streams.length > 0) await this.changed(streams, true)
  }

  /** Pushes every pending tail; true when there is more to do: news to pull (a conflict, others' events), or events to push again. */
  private async pushAll(): Promise<boolean> {
    const { store } = this.options
    const rows = await this.tables.dirtyStreams()
    // A stream left held here that nothing unchecked waits in any more (its events confirmed, or gone) is free.
    for (const stream of this.held.keys()) if (!rows.some((row) => row.stream === stream && row.unchecked)) this.held.delete(stream)
    const tails: Array<{ stream: string; confirmed: number; events: RecordedEvent[]; space: string | undefined }> = []
    for (const row of rows) {
      if (row.unchecked && !(await this.checkAgain(row.stream))) continue
      const events = await store.read.stream(row.stream).after(row.confirmed).toArray()
      if (events.length > 0) tails.push({ stream: row.stream, confirmed: row.confirmed, events, space: await this.tables.spaceOf(row.stream) })
      else await this.settleClean(row.stream)
    }
    if (tails.length === 0) return false
    // In the order they were written: a cart's checkout reaches the server before its order.
    tails.sort((a, b) => (a.events[0]?.globalPosition ?? 0) - (b.events[0]?.globalPosition ?? 0))
    const size = this.options.commitSize ?? 500
    const commits: PushCommit[] = tails.flatMap(({ stream, confirmed, events, space }) =>
      chunk(events, size).map((part, index) => ({ ...(space === undefined ? {} : { space }), stream, expectedVersion: confirmed + index * size, events: part.map(toWire) })),
    )
    let pullFirst = false
    for (const batch of batches(commits)) {
      const answer = await this.exchanging('lastPush', () => this.options.transport.push({ clientId: this.clientId as string, commits: batch }))
      pullFirst = (await this.settlePush(batch, answer)) || pullFirst
      this.update({ head: answer.head, lastPush: this.exchange(true, `${batch.length} commit(s), ${batch.reduce((n, c) => n + c.events.length, 0)} event(s): ${summarise(answer.results)}`) })
    }
    return pullFirst
  }

  /**
   * A held stream's pending events checked again, once per engine (a new engine may run fixed
   * code): true when the check ran through and what is left may be pushed.
   */
  private async checkAgain(stream: string): Promise<boolean> {
    if (this.held.has(stream)) return false
    const done = await this.options.store.transaction((tx) => tx.within(() => recheck(this.context(tx), stream)))
    this.noteHeld(stream, done)
    if (done.changed) await this.changed([stream], done.rewritten)
    if (done.held) this.update({ problem: this.heldProblem() })
    return !done.held
  }

  /**
   * A call to the server; a failure is recorded as the last push or pull before it is thrown on.
   * What says no answer came (fetch's TypeError, a timeout: see SyncTransport) is thrown on as
   * SyncUnreachableError, so it is told apart from the engine's own failures of the same classes.
   */
  private async exchanging<T>(kind: 'lastPush' | 'lastPull', call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (error) {
      this.update({ [kind]: this.exchange(false, error instanceof Error ? `${error.name}: ${describeFailure(error)}` : String(error)) })
      if (isNetworkFailure(error) && !(error instanceof SyncUnreachableError)) {
        throw new SyncUnreachableError(`The sync server cannot be reached (${error instanceof Error ? `${error.name}: ${describeFailure(error)}` : String(error)}).`, { cause: error })
      }
      throw error
    }
  }

  /** Records what the server said of each commit; true when there is more to do (see pushAll). */
  private async settlePush(batch: readonly PushCommit[], answer: PushAnswer): Promise<boolean> {
    const { store } = this.options
    const { results } = answer
    let more = false
    let accepted = 0
    let rewritten = false
    const changed = new Set<string>()
    const refused = new Set<string>()
    const settled = new Map<string, Reconciled>()
    await store.transaction(async (tx) => {
      for (const [index, commit] of batch.entries()) {
        const result = results[index]
        if (result === undefined || refused.has(commit.stream)) continue
        if (result.status === 'accepted' && commit.space === undefined) accepted += result.positions.length
        if (result.status === 'accepted' || result.status === 'duplicate') {
          const confirmed = result.positions.at(-1) ?? -1
          const row = await this.tables.stream(commit.stream)
          const version = await tx.streamVersion(commit.stream)
          const left = version > confirmed
          await this.tables.putStream({ stream: commit.stream, confirmed: Math.max(row.confirmed, confirmed), dirty: left ? 1 : 0, ...(left && row.unchecked ? { unchecked: true as const } : {}) })
        } else if (result.status === 'conflict' || result.status === 'blocked') {
          more = true
        } else if (result.status === 'rejected') {
          more = true
          refused.add(commit.stream)
          const refusal = { code: result.reason, message: result.message }
          const done: Reconciled = await tx.within(() => resolveRefused(this.context(tx), commit.stream, refusal))
          settled.set(commit.stream, done)
          if (done.changed) changed.add(commit.stream)
          rewritten ||= done.rewritten
        }
      }
      // The user's positions past the cursor are exactly this push's events: nothing to pull for them.
      const cursor = await this.tables.get<number>('cursor', 0)
      if (accepted > 0 && answer.head === cursor + accepted) await this.tables.set('cursor', answer.head)
    })
    for (const [stream, done] of settled) this.noteHeld(stream, done)
    const cursor = await this.tables.get<number>('cursor', 0)
    this.update({ cursor, problem: this.state.problem ?? this.heldProblem() })
    if (changed.size > 0) await this.changed([...changed], rewritten)
    // A shared space's accepted commits come back with its next pull, which confirms nothing new.
    return more || answer.head > cursor || batch.some((commit, index) => commit.space !== undefined && results[index]?.status === 'accepted')
  }

  /** A dirty stream with nothing past its confirmed version is clean (if nothing came meanwhile). */
  private async settleClean(stream: string): Promise<void> {
    await this.options.store.transaction(async (tx) => {
      const row = await this.tables.stream(stream)
      if ((await tx.streamVersion(stream)) <= row.confirmed) await this.tables.putStream({ stream, confirmed: row.confirmed, dirty: 0 })
    })
  }

  private async refreshPending(): Promise<void> {
    const { store } = this.options
    const pendingCommits: PendingCommit[] = []
    for (const row of await this.tables.dirtyStreams()) {
      const events = await store.read.stream(row.stream).after(row.confirmed).toArray()
      if (events.length > 0) pendingCommits.push({ stream: row.stream, confirmed: row.confirmed, events: events.length, types: events.map((e) => e.type) })
    }
    const reports = await this.tables.latestReports(50)
    this.update({ pendingCommits, pending: pendingCommits.reduce((n, c) => n + c.events, 0), reports })
  }

  private async changed(streams: string[], rewritten: boolean): Promise<void> {
    const last = await this.options.store.read.last()
    await this.options.onChanged?.({ streams, rewritten, position: last?.globalPosition ?? 0 })
  }

  private context(tx: EventStore) {
    return { tx, tables: this.tables, definition: this.options.definition, now: () => this.now() }
  }

  private exchange(ok: boolean, summary: string): SyncExchange {
    return { at: this.now().toISOString(), ok, summary }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date()
  }

  private update(patch: Partial<SyncStatus>): void {
    this.state = { ...this.state, ...patch }
    this.options.onStatus?.(this.state)
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const parts: T[][] = []
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size))
  return parts
}

/** Commits in pushes within the protocol's limits (commits, events, bytes), in order. */
function* batches(commits: readonly PushCommit[]): Generator<PushCommit[]> {
  let batch: PushCommit[] = []
  let events = 0
  let bytes = 0
  for (const commit of commits) {
    const size = JSON.stringify(commit).length
    if (batch.length > 0 && (batch.length === PUSH_LIMITS.commits || events + commit.events.length > PUSH_LIMITS.events || bytes + size > PUSH_BYTES)) {
      yield batch
      batch = []
      events = 0
      bytes = 0
    }
    batch.push(commit)
    events += commit.events.length
    bytes += size
  }
  if (batch.length > 0) yield batch
}

function summarise(results: readonly CommitResult[]): string {
  const counts = new Map<string, number>()
  for (const result of results) {
    const key = result.status === 'rejected' ? `rejected (${result.reason})` : result.status
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ')
}
