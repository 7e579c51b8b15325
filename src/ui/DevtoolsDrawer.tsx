import { useEffect, useState } from 'react'
import { useDevtools } from './useDevtools'

function DrawerContent() {
  const ShopDevtools = useDevtools('ShopDevtools')
  return ShopDevtools ? <ShopDevtools /> : <p>Loading the devtools…</p>
}

/** Alt+Shift+D opens and closes the devtools over any screen. */
export const DEVTOOLS_SHORTCUT = 'Alt+Shift+D'
const isShortcut = (e: KeyboardEvent) => e.altKey && e.shiftKey && e.code === 'KeyD'

export function DevtoolsToggle() {
  const [open, setOpen] = useState(false)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isShortcut(e)) {
        e.preventDefault()
        setOpen((o) => !o)
      } else if (e.key === 'Escape') setOpen(false)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  return (
    <>
      <button type="button" className="devtools-toggle" aria-expanded={open} aria-controls="devtools-drawer" aria-keyshortcuts={DEVTOOLS_SHORTCUT} title={`Devtools (${DEVTOOLS_SHORTCUT})`} onClick={() => setOpen(!open)}>
        {open ? 'Close devtools' : 'Devtools'}
      </button>
      {open && (
        <aside id="devtools-drawer" className="devtools-drawer" aria-label="Devtools">
          <DrawerContent />
        </aside>
      )}
    </>
  )
}
