import { useId } from 'react'
import type { SyncSpace } from '../../sync'
import { ScrollX } from '../ScrollX'

/** The shared spaces the user is a member of: the role in each, its head and how far this device has pulled it. */
export function SyncSpaces({ spaces }: { spaces: readonly SyncSpace[] }) {
  const id = useId()
  return (
    <section aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`}>Shared spaces ({spaces.length})</h4>
      {spaces.length === 0 ? (
        <p className="kd-muted">None: everything syncs in the personal space.</p>
      ) : (
        <ScrollX label="Shared spaces">
          <table className="kd-table kd-spaces">
            <thead>
              <tr>
                <th scope="col">Space</th>
                <th scope="col">Role</th>
                <th scope="col">Head</th>
                <th scope="col">Cursor</th>
              </tr>
            </thead>
            <tbody>
              {spaces.map((space) => (
                <tr key={space.id}>
                  <th scope="row">
                    {space.name} <code className="kd-muted">{space.id}</code>
                  </th>
                  <td>{space.role}</td>
                  <td>{space.head}</td>
                  <td>
                    {space.cursor}
                    {space.head > space.cursor ? ` (${space.head - space.cursor} to pull)` : ''}
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
