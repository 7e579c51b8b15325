import { entriesOf, isBranch, leafText } from './format'

const MAX_CHILDREN = 200

/**
 * A value as a collapsible tree: objects and arrays are <details> (keyboard-usable as they are),
 * leaves are text. Every key and value is a React text node, whatever it holds.
 */
export function ValueTree({ value, label, openDepth = 2 }: { value: unknown; label: string; openDepth?: number }) {
  return (
    <ul className="kd-tree" aria-label={label}>
      <Node name={null} value={value} depth={0} openDepth={openDepth} ancestors={[]} />
    </ul>
  )
}

function Node({ name, value, depth, openDepth, ancestors }: { name: string | null; value: unknown; depth: number; openDepth: number; ancestors: readonly object[] }) {
  const key = name === null ? null : <span className="kd-tree__key">{name}</span>
  if (!isBranch(value)) {
    return (
      <li className="kd-tree__leaf">
        {key}
        {key && ': '}
        <span className={`kd-tree__value kd-tree__value--${kindOf(value)}`}>{leafText(value)}</span>
      </li>
    )
  }
  const node = value as object
  if (ancestors.includes(node)) {
    return (
      <li className="kd-tree__leaf">
        {key}
        {key && ': '}
        <span className="kd-tree__value">[circular]</span>
      </li>
    )
  }
  const entries = entriesOf(node)
  const shown = entries.slice(0, MAX_CHILDREN)
  return (
    <li>
      <details open={depth < openDepth}>
        <summary>
          {key}
          {key && ': '}
          <span className="kd-tree__shape">{shapeOf(node, entries.length)}</span>
        </summary>
        <ul>
          {shown.map(([childName, child], i) => (
            <Node key={i} name={childName} value={child} depth={depth + 1} openDepth={openDepth} ancestors={[...ancestors, node]} />
          ))}
          {entries.length > shown.length && <li className="kd-tree__more">…and {entries.length - shown.length} more</li>}
        </ul>
      </details>
    </li>
  )
}

function shapeOf(node: object, size: number): string {
  if (Array.isArray(node)) return `[${size}]`
  if (node instanceof Map) return `Map(${size})`
  if (node instanceof Set) return `Set(${size})`
  return size === 1 ? '{1 key}' : `{${size} keys}`
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value instanceof Date) return 'date'
  return typeof value
}
