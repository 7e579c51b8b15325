import { valueSource, type ValueSource } from './ValueSource'

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>
}

export interface Installer extends ValueSource<boolean> {
  /** Shows the browser's install dialog; true when the user accepted. */
  install(): Promise<boolean>
}

/** `getSnapshot()` is true while the browser offers to install the app. */
export function installer(): Installer {
  const source = valueSource(false)
  let deferred: BeforeInstallPromptEvent | null = null
  window.addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault()
    deferred = event as BeforeInstallPromptEvent
    source.set(true)
  })
  window.addEventListener('appinstalled', () => {
    deferred = null
    source.set(false)
  })
  return {
    ...source,
    async install() {
      if (!deferred) return false
      const prompt = deferred
      deferred = null
      source.set(false)
      await prompt.prompt()
      return (await prompt.userChoice).outcome === 'accepted'
    },
  }
}
