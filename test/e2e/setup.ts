// Builds the app once and serves it with `vite preview` on 127.0.0.1 for the journeys.
import type { TestProject } from 'vitest/node'
import { build, preview, type PreviewServer } from 'vite'

let server: PreviewServer | undefined

export default async function setup(project: TestProject) {
  // Vitest sets NODE_ENV=test, which would make Vite build a development bundle (no service
  // worker registration, React's dev build): build exactly what `npm run build` builds.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({ mode: 'production', logLevel: 'warn' })
  } finally {
    process.env.NODE_ENV = nodeEnv
  }
  server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' })
  const address = server.httpServer.address()
  if (!address || typeof address === 'string') throw new Error('vite preview did not report a port')
  project.provide('baseURL', `http://127.0.0.1:${address.port}`)
  return async () => {
    await server?.close()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string
  }
}
