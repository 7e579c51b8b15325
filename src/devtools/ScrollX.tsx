import type { ReactNode } from 'react'

/**
 * A wide table's box: on a narrow screen it scrolls sideways instead of widening the page, and
 * it takes the keyboard focus, so it scrolls without a mouse too.
 */
export function ScrollX({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="kd-scroll-x" role="group" aria-label={label} tabIndex={0}>
      {children}
    </div>
  )
}
