// Untrusted event data turned into plain strings, for React to render as text nodes. Nothing here
// builds markup: whatever a payload holds ends up as characters on screen.

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** Local time as 2024-05-01 10:00:00.123: fixed width, the same in every locale. */
export function formatTime(date: unknown): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '—'
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  )
}

/**
 * A compact JSON-like text of any stored value (Dates, Maps, Sets, bigints, cycles included),
 * cut at `max` characters. Never throws: IndexedDB keeps values JSON.stringify refuses.
 */
export function toText(value: unknown, max = Infinity): string {
  const out = { text: '' }
  write(value, out, max, new Set())
  return out.text.length > max ? `${out.text.slice(0, Math.max(0, max - 1))}…` : out.text
}

/** One line for the timeline: the data's top-level fields, `key: value, …`. */
export function summarize(data: unknown, max = 160): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || data instanceof Date) return toText(data, max)
  const text = entriesOf(data)
    .map(([key, value]) => `${key}: ${toText(value, max)}`)
    .join(', ')
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/**
 * The timeline's Data cell: the fields that tell this event from its neighbours. A top-level
 * field whose value is the id of one of the event's streams (`cartId` in `Cart$<that id>`) says
 * what the Streams cell says already, on every row of that stream, so it is left out; when
 * nothing else is left the whole summary is shown.
 */
export function distinctSummary(data: unknown, streams: readonly string[], max = 160): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data) || data instanceof Date || data instanceof Map || data instanceof Set) return summarize(data, max)
  const ids = new Set(streams.map((stream) => stream.slice(stream.indexOf('$') + 1)).filter((id, i) => id && streams[i]?.includes('$')))
  const rest = Object.entries(data).filter(([, value]) => !(typeof value === 'string' && ids.has(value)))
  if (rest.length === 0 || rest.length === Object.keys(data).length) return summarize(data, max)
  return summarize(Object.fromEntries(rest), max)
}

/** The entries a viewer shows for an object-like value, or null for a leaf. */
export function entriesOf(value: unknown): Array<[string, unknown]> {
  if (value instanceof Map) return [...value.entries()].map(([k, v], i) => [typeof k === 'string' ? k : `${i}: ${toText(k, 60)}`, v])
  if (value instanceof Set) return [...value.values()].map((v, i) => [String(i), v])
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v])
  if (value !== null && typeof value === 'object') return Object.entries(value)
  return []
}

/** Whether a viewer opens the value (object-like) or prints it (a leaf). */
export function isBranch(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  return !(value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || (typeof Blob !== 'undefined' && value instanceof Blob) || value instanceof Error || value instanceof RegExp)
}

/** A leaf as text: strings quoted, Dates as ISO, binary as its kind and size. */
export function leafText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`
  if (typeof Blob !== 'undefined' && value instanceof Blob) return `Blob(${value.size} bytes${value.type ? `, ${value.type}` : ''})`
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (value instanceof RegExp) return String(value)
  return String(value)
}

function write(value: unknown, out: { text: string }, max: number, ancestors: Set<object>): void {
  if (out.text.length > max) return
  if (!isBranch(value)) return void (out.text += leafText(value))
  const node = value as object
  if (ancestors.has(node)) return void (out.text += '[circular]')
  ancestors.add(node)
  const list = Array.isArray(node) || node instanceof Set
  out.text += node instanceof Map ? 'Map{' : node instanceof Set ? 'Set[' : list ? '[' : '{'
  entriesOf(node).forEach(([key, item], i) => {
    if (out.text.length > max) return
    if (i > 0) out.text += ','
    if (!list) out.text += `${JSON.stringify(key)}:`
    write(item, out, max, ancestors)
  })
  out.text += list ? ']' : '}'
  ancestors.delete(node)
}
