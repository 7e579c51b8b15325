// The devices' IndexedDB outside vitest (the bench): fake-indexeddb's globals, set when imported.
// Tests get them from test/setup/node.ts.
import 'fake-indexeddb/auto'
