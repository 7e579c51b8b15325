// Changes the shop did not take, told once: every report newer than the last one the person
// dismissed (remembered per account in localStorage, so other tabs and later visits agree).
import { useEffect, useState } from 'react'
import type { SyncReport } from '../sync'
import { hrefOf } from './router'
import { useAccount, useSync } from './ShopContext'
import { describeReport } from './syncWords'

/** The newest report dismissed: its id, and its time for reports kept without one. */
interface Seen {
  id: number | null
  at: string
}

const seenKey = (userId: string) => `kiroku:sync-reports-seen:${userId}`

function readSeen(key: string): Seen | null {
  try {
    const value = JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<Seen> | null
    return typeof value?.at === 'string' ? { id: typeof value.id === 'number' ? value.id : null, at: value.at } : null
  } catch {
    return null
  }
}

function isNewer(report: SyncReport, seen: Seen | null): boolean {
  if (seen === null) return true
  if (typeof report.id === 'number' && seen.id !== null) return report.id > seen.id
  return report.at > seen.at
}

/** The last report dismissed in any tab, for this account. */
function useSeen(key: string | null): [Seen | null, (seen: Seen) => void] {
  const [seen, setSeen] = useState(() => (key ? readSeen(key) : null))
  useEffect(() => {
    if (!key) return
    setSeen(readSeen(key))
    const onStorage = (event: StorageEvent) => event.key === key && setSeen(readSeen(key))
    window.addEventListener('storage', onStorage)
    return () => window.removeEventListener('storage', onStorage)
  }, [key])
  const remember = (next: Seen) => {
    if (key) localStorage.setItem(key, JSON.stringify(next))
    setSeen(next)
  }
  return [seen, remember]
}

export function SyncNotice() {
  const user = useAccount().user
  const view = useSync()
  const [seen, remember] = useSeen(user ? seenKey(user.id) : null)
  const unseen = (view?.status.reports ?? []).filter((report) => isNewer(report, seen))
  const newest = unseen.at(-1)
  if (!newest) return null
  return (
    <section className="sync-notice" role="alert" aria-labelledby="sync-notice-title">
      <h2 id="sync-notice-title">{unseen.length === 1 ? 'A change did not reach the shop' : `${unseen.length} changes did not reach the shop`}</h2>
      <ul>
        {unseen.map((report) => (
          <li key={report.id ?? `${report.eventId}:${report.at}`}>{describeReport(report)}</li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" onClick={() => remember({ id: typeof newest.id === 'number' ? newest.id : null, at: newest.at })}>
          Dismiss
        </button>
        <a href={hrefOf({ screen: 'devtools', section: 'sync' })}>Details in the devtools</a>
      </div>
    </section>
  )
}
