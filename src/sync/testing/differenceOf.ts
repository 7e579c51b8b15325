// Two values compared as a test means them: plain objects by their keys in any order (a key holding
// undefined is as no key), arrays in order, Maps by key and Sets by member in any order (a device
// that rebased inserts in another order than one that pulled), Dates by time.

/** Where `actual` first differs from `expected`, as `columns.doing.1 "c2", not "c3"` (actual first); undefined when they are the same. */
export function differenceOf(actual: unknown, expected: unknown, path = ''): string | undefined {
  if (Object.is(actual, expected)) return undefined
  if (actual instanceof Date || expected instanceof Date) {
    return actual instanceof Date && expected instanceof Date && actual.getTime() === expected.getTime() ? undefined : differs(path, actual, expected)
  }
  if (actual instanceof Map || expected instanceof Map) {
    if (!(actual instanceof Map) || !(expected instanceof Map)) return differs(path, actual, expected)
    for (const key of expected.keys()) if (!actual.has(key)) return `${at(path)}has no key ${shown(key)}`
    for (const [key, value] of actual) {
      if (!expected.has(key)) return `${at(path)}has the key ${shown(key)} too many`
      const difference = differenceOf(value, expected.get(key), `${path}[${shown(key)}]`)
      if (difference !== undefined) return difference
    }
    return undefined
  }
  if (actual instanceof Set || expected instanceof Set) {
    if (!(actual instanceof Set) || !(expected instanceof Set)) return differs(path, actual, expected)
    const unmatched = [...expected]
    for (const member of actual) {
      const index = unmatched.findIndex((other) => differenceOf(member, other) === undefined)
      if (index === -1) return `${at(path)}holds ${shown(member)}, which is not expected`
      unmatched.splice(index, 1)
    }
    return unmatched.length === 0 ? undefined : `${at(path)}lacks ${shown(unmatched[0])}`
  }
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected)) return differs(path, actual, expected)
    for (let index = 0; index < Math.min(actual.length, expected.length); index++) {
      const difference = differenceOf(actual[index], expected[index], `${path}[${index}]`)
      if (difference !== undefined) return difference
    }
    return actual.length === expected.length ? undefined : `${at(path)}has ${actual.length} items, not ${expected.length}`
  }
  if (!isRecord(actual) || !isRecord(expected)) return differs(path, actual, expected)
  const keys = new Set([...Object.keys(actual), ...Object.keys(expected)])
  for (const key of [...keys].sort()) {
    const difference = differenceOf(actual[key], expected[key], path === '' ? key : `${path}.${key}`)
    if (difference !== undefined) return difference
  }
  return undefined
}

/** A value as it is after a trip to the server and back (JSON): what event data is compared as. */
export const asSent = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)))

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

const at = (path: string): string => (path === '' ? '' : `${path} `)

const differs = (path: string, actual: unknown, expected: unknown): string => `${at(path)}${shown(actual)}, not ${shown(expected)}`

function shown(value: unknown): string {
  if (value === undefined) return 'nothing'
  let text: string
  try {
    text =
      value instanceof Date
        ? value.toISOString()
        : value instanceof Map
          ? `a Map of ${value.size}`
          : value instanceof Set
            ? `a Set of ${value.size}`
            : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}
