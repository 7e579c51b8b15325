import { useId, useRef, useState, type ChangeEvent } from 'react'
import { exportNdjson, importNdjson, NdjsonImportError, type EventStore, type ImportProgress, type NdjsonIssue } from '../eventstore'

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy'; message: string; progress?: { done: number; total: number } }
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
    setOutcome({ kind: 'busy', message: `Reading ${file.name}…` })
    const onProgress = ({ phase, done, total }: ImportProgress) =>
      setOutcome({ kind: 'busy', message: progressText(phase, done, total), progress: { done, total } })
    try {
      const report = await importNdjson(store, await file.text(), { onProgress })
      setOutcome({
        kind: 'done',
        message:
          report.alreadyStored > 0
            ? `Already imported: nothing to do. This store holds all ${count(report.alreadyStored, 'event')} of ${file.name}, as the file has them.`
            : `Imported ${count(report.events, 'event')} in ${count(report.streams, 'stream')} from ${file.name}.`,
      })
    } catch (error) {
      const issues = error instanceof NdjsonImportError ? error.issues : []
      const message =
        error instanceof NdjsonImportError
          ? `${file.name} was not imported: ${count(issues.length, 'problem')}. Nothing was written.${issues.some(clashes) ? ` ${HOLDS_ITS_OWN}` : ''}`
          : `${file.name} was not imported: ${error instanceof Error ? error.message : String(error)}. Nothing was written.`
      setOutcome({ kind: 'failed', message, issues })
    } finally {
      if (input.current) input.current.value = ''
    }
  }

  const busy = outcome.kind === 'busy'
  return (
    <div className="kd-io">
      <div className="kd-io__buttons">
        <button type="button" className="kd-button" onClick={() => void onExport()} disabled={busy}>
          Export NDJSON
        </button>
        {/* The real file input, visually hidden but focusable; its label is the button people see. */}
        <input
          id={`${id}-file`}
          ref={input}
          className="kd-visually-hidden kd-io__file"
          type="file"
          accept=".ndjson,.jsonl,application/x-ndjson,application/json"
          onChange={(e) => void onImport(e)}
          disabled={busy}
        />
        <label htmlFor={`${id}-file`} className="kd-button kd-io__import">
          Import NDJSON
        </label>
      </div>
      <div className="kd-io__outcome" id={`${id}-outcome`} role="status" aria-live="polite">
        {outcome.kind !== 'idle' && outcome.kind !== 'failed' && <p>{outcome.message}</p>}
      </div>
      {busy && outcome.progress && (
        <progress className="kd-io__progress" aria-labelledby={`${id}-outcome`} value={outcome.progress.done} max={Math.max(outcome.progress.total, 1)} />
      )}
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

/** A line the store's own events stand in the way of: it holds the stream's first positions already. */
const clashes = (issue: NdjsonIssue) => issue.code === 'stream_occupied'
const HOLDS_ITS_OWN =
  'This store already holds events of its own in the streams the file starts: a backup restores into a store that holds none of them, such as a fresh install (a new browser profile) where nothing was done yet.'

const count = (n: number, noun: string) => `${n.toLocaleString('en')} ${n === 1 ? noun : `${noun}s`}`

function progressText(phase: ImportProgress['phase'], done: number, total: number): string {
  const of = `${done.toLocaleString('en')} of ${total.toLocaleString('en')}`
  if (phase === 'writing') return `Writing ${of} events…`
  // Every line read: what is left is comparing them with what the store holds.
  return done < total ? `Checking ${of} lines…` : `Checking ${count(total, 'line')} against this store…`
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
