// Composition root: opens the event store and renders the app.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { openEventStore } from './eventstore'
import { App } from './ui/App'

const store = await openEventStore({ name: 'kiroku-shop' })
const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
)
