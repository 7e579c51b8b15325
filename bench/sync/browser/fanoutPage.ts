// The fan-out bench's watcher in device B's page (an init script, plain JavaScript: a function
// handed over from tsx-compiled code may call helpers the page does not have). `kirokuFanOut.arm(n)`
// waits for the header's "Cart (n)"; a MutationObserver notes, on the page's clock
// (performance.timeOrigin + now), the first moment the page shows it.
export interface FanOutMark {
  target: number
  seenAt?: number
}

export const watchFanOut = `(() => {
  const now = () => performance.timeOrigin + performance.now()
  const state = { mark: null }
  const cartText = () => {
    for (const a of document.querySelectorAll('a')) {
      const text = (a.textContent || '').trim()
      if (/^Cart\\b/.test(text)) return text
    }
    return null
  }
  const check = () => {
    const mark = state.mark
    if (mark && mark.seenAt === undefined && cartText() === 'Cart (' + mark.target + ')') mark.seenAt = now()
  }
  window.kirokuFanOut = {
    now,
    cartText,
    arm(target) {
      state.mark = { target }
      check()
    },
    mark: () => state.mark,
  }
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true })
})()`
