import { useId, useRef, useState, type ChangeEvent } from 'react'
import { exportNdjson, importNdjson, NdjsonImportError, type EventStore, type NdjsonIssue } from '../eventstore'

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy'; message: string }
  | { kind: 'done'; message: string }
  | { kind: 'failed'; message: string; issues: readonly NdjsonIssue[] }

const MAX_SHOWN = 50

/** Export the log as NDJSON (a download) and import one, all or nothing, with every problem listed. */
export function ImportExport({ store }: { store: EventStore }) {
  const id = useId()
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' })
  const input = useRef<HTMLInputElement>(null)

  const onExport = async () => {
    setOutcome({ kind: 'busy', message: 'Writing the log as NDJSON…' })
    try {
      const parts: string[] = []
      let lines = 0
      for await (const chunk of exportNdjson(store, { batchSize: 2000 })) {
        parts.push(chunk)
        lines += chunk.split('\n').length - 1
      }
      download(new Blob(parts, { type: 'application/x-ndjson' }), `${store.name}-${new Date().toISOString().replaceAll(':', '-')}.ndjson`)
      setOutcome({ kind: 'done', message: `Exported ${lines} ${lines === 1 ? 'event' : 'events'}.` })
    } catch (error) {
      setOutcome({ kind: 'failed', message: `The export failed: ${error instanceof Error ? error.message : String(error)}`, issues: [] })
    }
  }

  const onImport = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0]
    if (!file) return
    setOutcome({ kind: 'busy', message: `Checking ${file.name}…` })
    try {
      const report = await importNdjson(store, await file.text())
      setOutcome({ kind: 'done', message: `Imported ${report.events} ${report.events === 1 ? 'event' : 'events'} in ${report.streams} ${report.streams === 1 ? 'stream' : 'streams'} from ${file.name}.` })
    } catch (error) {
      const issues = error instanceof NdjsonImportError ? error.issues : []
      const message =
        error instanceof NdjsonImportError
          ? `${file.name} was not imported: ${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}. Nothing was written.`
          : `${file.name} was not imported: ${error instanceof Error ? error.message : String(error)}. Nothing was written.`
      setOutcome({ kind: 'failed', message, issues })
    } finally {
      if (input.current) input.current.value = ''
    }
  }

  return (
    <div className="kd-io">
      <button type="button" onClick={() => void onExport()} disabled={outcome.kind === 'busy'}>
        Export NDJSON
      </button>
      <label htmlFor={`${id}-file`} className="kd-io__import">
        Import NDJSON
      </label>
      <input id={`${id}-file`} ref={input} type="file" accept=".ndjson,.jsonl,application/x-ndjson,application/json" onChange={(e) => void onImport(e)} disabled={outcome.kind === 'busy'} />
      <div className="kd-io__outcome" role="status" aria-live="polite">
        {outcome.kind !== 'idle' && outcome.kind !== 'failed' && <p>{outcome.message}</p>}
      </div>
      {outcome.kind === 'failed' && (
        <div className="kd-error" role="alert">
          <p>{outcome.message}</p>
          {outcome.issues.length > 0 && (
            <ul aria-label="Problems by line">
              {outcome.issues.slice(0, MAX_SHOWN).map((issue, i) => (
                <li key={i}>
                  Line {issue.line} {issue.message}
                </li>
              ))}
              {outcome.issues.length > MAX_SHOWN && <li>…and {outcome.issues.length - MAX_SHOWN} more.</li>}
            </ul>
          )}
        </div>
      )}
    </div>
  )
}

/** Saves a Blob through a temporary link to its blob: URL (never to anything the data holds). */
function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
