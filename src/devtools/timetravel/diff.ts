import { entriesOf, isBranch } from '../format'

export interface Change {
  /** Where, as `lines[0].quantity`; '' for the value itself. */
  path: string
  kind: 'added' | 'removed' | 'changed'
  before?: unknown
  after?: unknown
}

/** What changed from `before` to `after`, leaf by leaf (objects, arrays, Maps and Sets are opened). */
export function diff(before: unknown, after: unknown, limit = 500): Change[] {
  const changes: Change[] = []
  walk(before, after, '', changes, limit, new Set())
  return changes
}

function walk(before: unknown, after: unknown, path: string, out: Change[], limit: number, seen: Set<unknown>): void {
  if (out.length >= limit || same(before, after)) return
  const branches = isBranch(before) && isBranch(after) && Array.isArray(before) === Array.isArray(after)
  if (!branches || seen.has(before) || seen.has(after)) return void out.push({ path, kind: 'changed', before, after })
  seen.add(before)
  seen.add(after)
  const left = new Map(entriesOf(before))
  const right = new Map(entriesOf(after))
  for (const [key, value] of left) {
    const at = join(path, key, Array.isArray(before))
    if (!right.has(key)) out.push({ path: at, kind: 'removed', before: value })
    else walk(value, right.get(key), at, out, limit, seen)
  }
  for (const [key, value] of right) if (!left.has(key)) out.push({ path: join(path, key, Array.isArray(after)), kind: 'added', after: value })
  seen.delete(before)
  seen.delete(after)
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  return false
}

const join = (path: string, key: string, index: boolean) => (index ? `${path}[${key}]` : path ? `${path}.${key}` : key)
