import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineEvent } from '../../src/eventstore'
import { openTestStore } from '../support/stores'
import { change, click, field, renderPanel, row, section, text, waitFor } from './support'

const IMG = '<img src=x onerror=alert(1)>'
const MARK = '<img src=x onerror="window.__kirokuXss=(window.__kirokuXss||0)+1">'
const JS_URL = 'javascript:window.__kirokuXss=1'
const Hostile = defineEvent<Record<string, unknown>>(IMG)

declare global {
  interface Window {
    __kirokuXss?: number
  }
}

afterEach(() => {
  vi.restoreAllMocks()
  delete window.__kirokuXss
})

/** Resolves once the page has handled an image load error: by then one from the panel would have fired too. */
function imageErrorHandled(): Promise<void> {
  return new Promise((resolve) => {
    const probe = new Image()
    probe.onerror = () => resolve()
    probe.src = `x-probe-${Math.random()}`
  })
}

/** Every attribute in the panel that could run or load something. */
function activeAttributes(root: HTMLElement): string[] {
  return [root, ...root.querySelectorAll('*')].flatMap((el) =>
    [...el.attributes]
      .filter((a) => a.name.startsWith('on') || ((a.name === 'href' || a.name === 'src' || a.name === 'action') && /javascript:|^x$/i.test(a.value)))
      .map((a) => `${el.tagName.toLowerCase()}[${a.name}=${a.value}]`),
  )
}

describe('devtools safety: event data is text, never markup', () => {
  it('shows HTML and javascript: URLs in data, type, streams and metadata as text, creating no element and running nothing', async () => {
    const alert = vi.spyOn(window, 'alert').mockImplementation(() => undefined)
    const store = await openTestStore()
    await store.append(
      [
        Hostile(
          { html: MARK, link: JS_URL, href: JS_URL, [IMG]: { src: 'javascript:alert(1)', script: '<script>window.__kirokuXss=1</script>' } },
          { eventId: 'evil', metadata: { note: IMG, url: JS_URL } },
        ),
      ],
      { stream: `<svg onload=alert(1)>$1` },
    )
    const view = await renderPanel({ store })
    await waitFor(() => row(view, 'evil'))
    await click(row(view, 'evil'))
    await waitFor(() => section(view, 'Data'))
    await waitFor(() => expect(text(section(view, 'Streams'))).toBe('Streams <svg onload=alert(1)>$1 at position 0'))
    await waitFor(() => section(view, 'Correlation'))
    // Open every collapsed level, so all of the payload is on screen.
    for (const details of view.querySelectorAll('details')) details.open = true
    await waitFor(() => expect([...field<HTMLSelectElement>(view, 'Event type').options].map((o) => o.value)).toContain(IMG))

    const shown = text(view)
    expect(shown).toContain(IMG)
    expect(shown).toContain(JSON.stringify(MARK)) // strings are shown quoted, as JSON writes them
    expect(shown).toContain(JS_URL)
    expect(shown).toContain('<script>window.__kirokuXss=1</script>')
    expect(view.querySelector('.kd-detail h3')?.textContent).toBe(IMG)
    expect(view.querySelectorAll('img, script, svg, iframe, object, embed, a[href]')).toHaveLength(0)
    expect(activeAttributes(view)).toEqual([])

    await imageErrorHandled()
    expect(window.__kirokuXss).toBeUndefined()
    expect(alert).not.toHaveBeenCalled()
  })

  it('keeps filter text that looks like markup as text, too', async () => {
    const store = await openTestStore()
    await store.append([Hostile({ html: MARK }, { eventId: 'evil' })])
    const view = await renderPanel({ store })
    await change(field(view, 'Text in data'), '<img src=x')
    await waitFor(() => row(view, 'evil'))
    expect(view.querySelectorAll('img')).toHaveLength(0)
    await imageErrorHandled()
    expect(window.__kirokuXss).toBeUndefined()
  })
})
