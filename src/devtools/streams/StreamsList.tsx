import { useEffect, useId, useState } from 'react'
import { listStreams, type AggregateType, type EventStore, type StreamInfo } from '../../eventstore'
import { aggregateOf } from '../timetravel/replay'
import { ScrollX } from '../ScrollX'

const PAGE = 200

interface StreamsListProps {
  store: EventStore
  aggregates: readonly AggregateType[]
  onOpen: (stream: string) => void
}

/** Every stream with its version, by name, a page at a time; open one to see its events. */
export function StreamsList({ store, aggregates, onOpen }: StreamsListProps) {
  const id = useId()
  const [prefix, setPrefix] = useState('')
  const [streams, setStreams] = useState<StreamInfo[]>([])
  const [state, setState] = useState<{ loading: boolean; more: boolean; error: string | null }>({ loading: true, more: false, error: null })

  const load = (after: string | undefined, keep: StreamInfo[], live: () => boolean = () => true) => {
    setState((s) => ({ ...s, loading: true }))
    listStreams(store, { prefix, after, limit: PAGE }).then(
      (page) => {
        if (!live()) return
        setStreams([...keep, ...page])
        setState({ loading: false, more: page.length === PAGE, error: null })
      },
      (error: unknown) => live() && setState({ loading: false, more: false, error: error instanceof Error ? error.message : String(error) }),
    )
  }

  useEffect(() => {
    let live = true
    load(undefined, [], () => live)
    return () => {
      live = false
    }
    // load reads the current prefix and store.
  }, [store, prefix])

  return (
    <section className="kd-streams" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Streams</h3>
      <div className="kd-field">
        <label htmlFor={`${id}-prefix`}>Name starts with</label>
        <input id={`${id}-prefix`} type="search" value={prefix} onChange={(e) => setPrefix(e.target.value)} spellCheck={false} autoComplete="off" placeholder="e.g. Cart$" />
      </div>
      {state.error && <p className="kd-error">The streams could not be read: {state.error}</p>}
      <ScrollX label="Streams">
        <table className="kd-table">
          <thead>
            <tr>
              <th scope="col">Stream</th>
              <th scope="col">Version</th>
              <th scope="col">Events</th>
              <th scope="col">Aggregate</th>
            </tr>
          </thead>
          <tbody>
            {streams.map(({ stream, version }) => (
              <tr key={stream}>
                <td>
                  <button type="button" className="kd-link" onClick={() => onOpen(stream)} aria-label={`Show the events of ${stream}`}>
                    {stream}
                  </button>
                </td>
                <td>{version}</td>
                <td>{version + 1}</td>
                <td>{aggregateOf(stream, aggregates)?.aggregateName ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollX>
      <p role="status">{state.loading ? 'Reading streams…' : `${streams.length} ${streams.length === 1 ? 'stream' : 'streams'}${state.more ? ' so far' : ''}.`}</p>
      {state.more && (
        <button type="button" disabled={state.loading} onClick={() => load(streams.at(-1)?.stream, streams)}>
          Show more streams
        </button>
      )}
    </section>
  )
}
