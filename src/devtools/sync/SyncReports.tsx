import { useId } from 'react'
import type { SyncReport } from '../../sync'
import { summarize } from '../format'
import { timeOf } from './timeOf'
import { ScrollX } from '../ScrollX'

/** Every event the server did not take: dropped in a rebase, or rejected; newest first. */
export function SyncReports({ reports }: { reports: readonly SyncReport[] }) {
  const id = useId()
  const newestFirst = [...reports].reverse()
  return (
    <section aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Dropped and rejected events ({reports.length})</h4>
      {reports.length === 0 ? (
        <p className="kd-muted">None: the server took every change of this device.</p>
      ) : (
        <ScrollX label="Dropped and rejected events">
          <table className="kd-table kd-reports">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">Stream</th>
                <th scope="col">Type</th>
                <th scope="col">Event id</th>
                <th scope="col">Reason</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((report) => (
                <tr key={report.id ?? `${report.eventId}:${report.at}`} data-event-id={report.eventId}>
                  <td>{timeOf(report.at)}</td>
                  <td>{report.kind}</td>
                  <td>
                    <code>{report.stream}</code>
                  </td>
                  <td>{report.type}</td>
                  <td>
                    <code>{report.eventId}</code>
                  </td>
                  <td>
                    <code>{report.reason.code}</code>
                    {report.reason.error ? ` (${report.reason.error})` : ''}: {report.reason.message}
                  </td>
                  <td>
                    <code>{summarize(report.data)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollX>
      )}
    </section>
  )
}
