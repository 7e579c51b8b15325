// The fan-out bench's watcher in device B's page (an init script, plain JavaScript: a function
// handed over from tsx-compiled code may call helpers the page does not have). `kirokuFanOut.arm(n)`
// waits for the header's "Cart (n)"; a MutationObserver notes, on the page's clock
// (performance.timeOrigin + now), the first moment the page shows it. On the sync channel it also
// notes when the worker's status first says the head, then the cursor, reached the push's position.
export interface FanOutMark {
  target: number
  /** The account's head once the push is in. */
  head: number
  /** The worker's status says the head moved there (the server's notification reached the engine). */
  headAt?: number
  /** The worker's status says the cursor is there (the engine pulled and wrote it). */
  cursorAt?: number
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
    listen(name) {
      const channel = new BroadcastChannel(name)
      channel.onmessage = (event) => {
        const mark = state.mark
        const status = event.data && event.data.type === 'sync-status' ? event.data.status : null
        if (!mark || !status) return
        if (mark.headAt === undefined && status.head >= mark.head) mark.headAt = now()
        if (mark.cursorAt === undefined && status.cursor >= mark.head) mark.cursorAt = now()
      }
    },
    arm(target, head) {
      state.mark = { target, head }
      check()
    },
    mark: () => state.mark,
  }
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true })
})()`
