// Node has no IndexedDB: fake-indexeddb stands in for it (correct, not fast).
import 'fake-indexeddb/auto'
