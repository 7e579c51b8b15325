import { useId } from 'react'
import type { PendingCommit } from '../../sync'
import { ScrollX } from '../ScrollX'

/** The commits waiting for the server, in the order they are pushed. */
export function PendingCommits({ commits }: { commits: readonly PendingCommit[] }) {
  const id = useId()
  return (
    <section aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Pending commits ({commits.length})</h4>
      {commits.length === 0 ? (
        <p className="kd-muted">Nothing waits: the server has every local change.</p>
      ) : (
        <ScrollX label="Pending commits">
          <table className="kd-table kd-pending">
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Confirmed version</th>
                <th scope="col">Events</th>
                <th scope="col">Types</th>
              </tr>
            </thead>
            <tbody>
              {commits.map((commit, i) => (
                <tr key={`${commit.stream}:${i}`}>
                  <th scope="row">
                    <code>{commit.stream}</code>
                  </th>
                  <td>{commit.confirmed < 0 ? 'none (-1)' : commit.confirmed}</td>
                  <td>{commit.events}</td>
                  <td>{commit.types.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollX>
      )}
    </section>
  )
}
