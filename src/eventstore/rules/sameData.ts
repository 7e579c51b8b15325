// Event data compared as it travels: JSON-like values, key order ignored, and a key holding
// undefined the same as no key (JSON drops it on the way to the server and back).

/** Where `made` and `given` first differ, as `data.lines.0.price 1200, not 1` (made first); undefined when they are the same. */
export function differenceOf(made: unknown, given: unknown, path = 'data'): string | undefined {
  if (Object.is(made, given) || made === given) return undefined
  if (made instanceof Date || given instanceof Date) {
    return made instanceof Date && given instanceof Date && made.getTime() === given.getTime() ? undefined : differs(path, made, given)
  }
  if (Array.isArray(made) || Array.isArray(given)) {
    if (!Array.isArray(made) || !Array.isArray(given)) return differs(path, made, given)
    if (made.length !== given.length) return `${path} with ${made.length} items, not ${given.length}`
    for (let index = 0; index < made.length; index++) {
      const difference = differenceOf(made[index], given[index], `${path}.${index}`)
      if (difference !== undefined) return difference
    }
    return undefined
  }
  if (!isRecord(made) || !isRecord(given)) return differs(path, made, given)
  const keys = new Set([...Object.keys(made), ...Object.keys(given)])
  for (const key of [...keys].sort()) {
    const difference = differenceOf(made[key], given[key], `${path}.${key}`)
    if (difference !== undefined) return difference
  }
  return undefined
}

/** Whether two values of event data are the same (key order ignored, undefined keys as none). */
export const sameData = (a: unknown, b: unknown): boolean => differenceOf(a, b) === undefined

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

const differs = (path: string, made: unknown, given: unknown): string => `${path} ${shown(made)}, not ${shown(given)}`

function shown(value: unknown): string {
  if (value === undefined) return 'none'
  let text: string
  try {
    text = value instanceof Date ? value.toISOString() : (JSON.stringify(value) ?? String(value))
  } catch {
    text = String(value)
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}
