// The little of PouchDB's API the peers bench uses (pouchdb-core ships no types).
declare module 'pouchdb-core' {
  interface Row {
    id: string
    key: string
    value: { rev: string }
    doc?: unknown
  }
  interface Change {
    id: string
    seq: number | string
    doc?: unknown
  }
  interface Database<Doc> {
    allDocs(options: { startkey?: string; endkey?: string; descending?: boolean; limit?: number; include_docs?: boolean }): Promise<{ rows: Row[]; total_rows: number }>
    bulkDocs(docs: Doc[]): Promise<({ ok: true; id: string; rev: string } | { error: string; status: number; id: string })[]>
    put(doc: Doc): Promise<{ ok: true; id: string; rev: string }>
    changes(options: { since: number | string; limit: number; include_docs: boolean }): Promise<{ results: Change[]; last_seq: number | string }>
    info(): Promise<{ doc_count: number; update_seq: number | string }>
    destroy(): Promise<void>
  }
  interface PouchStatic {
    new <Doc>(name: string, options?: { adapter?: string }): Database<Doc>
    plugin(plugin: unknown): PouchStatic
  }
  const PouchDB: PouchStatic
  export default PouchDB
}
declare module 'pouchdb-adapter-indexeddb' {
  const plugin: unknown
  export default plugin
}
