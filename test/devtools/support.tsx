// Rendering the devtools into a real DOM (vitest browser mode, headless Chromium) and driving
// it the way a user does: through labelled controls and buttons.
import { act } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach } from 'vitest'
import { DevtoolsPanel, type DevtoolsPanelProps } from '../../src/devtools'

;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

const mounted: Array<{ root: Root; container: HTMLElement }> = []

afterEach(() => {
  for (const { root, container } of mounted.splice(0)) {
    act(() => root.unmount())
    container.remove()
  }
})

/** Renders the panel into a fresh container in the page, 1280 px wide unless told (390: a phone). */
export async function renderPanel(props: DevtoolsPanelProps, width = 1280): Promise<HTMLElement> {
  const container = document.createElement('div')
  container.style.width = `${width}px`
  document.body.append(container)
  const root = createRoot(container)
  mounted.push({ root, container })
  await act(async () => root.render(<DevtoolsPanel {...props} />))
  return container
}

export { waitFor } from '../support/waitFor'

/** The element for a selector; throws while there is none (for waitFor). */
export function find(container: HTMLElement, selector: string): HTMLElement {
  const found = container.querySelector<HTMLElement>(selector)
  if (!found) throw new Error(`nothing matches ${selector}`)
  return found
}

/** The timeline's rows, top to bottom, by event id. */
export const rowIds = (container: HTMLElement): string[] =>
  [...container.querySelectorAll<HTMLElement>('.kd-timeline .kd-row')].map((row) => row.dataset.eventId ?? '')

/** The row of an event; throws while it is not rendered. */
export function row(container: HTMLElement, eventId: string): HTMLButtonElement {
  const found = [...container.querySelectorAll<HTMLButtonElement>('.kd-timeline .kd-row')].find((r) => r.dataset.eventId === eventId)
  if (!found) throw new Error(`no row for ${eventId} (rows: ${rowIds(container).join(', ')})`)
  return found
}

/** The control a <label> with this text points at. */
export function field<T extends HTMLElement = HTMLInputElement>(container: HTMLElement, label: string): T {
  const element = [...container.querySelectorAll('label')].find((l) => l.textContent?.trim() === label)
  const target = element?.htmlFor ? container.querySelector<T>(`[id="${element.htmlFor}"]`) : null
  if (!target) throw new Error(`no control labelled "${label}"`)
  return target
}

/** A button by its visible text or aria-label. */
export function button(container: HTMLElement, name: string): HTMLButtonElement {
  const found = [...container.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === name || b.textContent?.trim() === name)
  if (!found) throw new Error(`no button "${name}"`)
  return found
}

export async function click(element: HTMLElement): Promise<void> {
  await act(async () => element.click())
}

/** Sets a controlled input's or select's value as typing or picking would, so React sees it. */
export async function change(element: HTMLInputElement | HTMLSelectElement, value: string): Promise<void> {
  const prototype = element instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype
  await act(async () => {
    Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(element, value)
    element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }))
  })
}

/** Scrolls the timeline to its end, as a user dragging to the bottom would. */
export async function scrollToEnd(container: HTMLElement): Promise<void> {
  const scroller = container.querySelector('.kd-timeline__scroll') as HTMLElement
  await act(async () => {
    scroller.scrollTop = scroller.scrollHeight
    scroller.dispatchEvent(new Event('scroll'))
  })
}

/** Picks a file in an <input type="file">. */
export async function pickFile(input: HTMLInputElement, file: File): Promise<void> {
  const transfer = new DataTransfer()
  transfer.items.add(file)
  await act(async () => {
    input.files = transfer.files
    input.dispatchEvent(new Event('change', { bubbles: true }))
  })
}

/** The text of the element as rendered (not what closed <details> hide), squeezed to single spaces. */
export const text = (element: Element | null | undefined): string => ((element as HTMLElement | null)?.innerText ?? '').replace(/\s+/g, ' ').trim()

/** The detail pane's section with this heading. */
export function section(container: HTMLElement, heading: string): HTMLElement {
  const h = [...container.querySelectorAll('.kd-detail h4, .kd-detail h5')].find((el) => text(el) === heading || text(el).startsWith(`${heading}:`))
  const found = h?.closest('section') ?? h?.parentElement
  if (!found) throw new Error(`no section "${heading}"`)
  return found as HTMLElement
}
