// npm run dev: the sync server (server/main.ts, PGlite in .kiroku/db unless DATABASE_URL is set)
// and Vite's dev server for the app, on one origin: Vite proxies /api to the server (vite.config.ts).
import { spawn } from 'node:child_process'

const apiPort = process.env.KIROKU_API_PORT ?? '8787'
const children = [
  spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { stdio: 'inherit', env: { ...process.env, HOST: '127.0.0.1', PORT: apiPort } }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, KIROKU_API_PORT: apiPort } }),
]

let stopping = false
const stop = (code = 0) => {
  if (stopping) return
  stopping = true
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  // The server closes within 10 s of SIGTERM; then this process goes too.
  setTimeout(() => process.exit(code), 11_000).unref()
  Promise.all(children.map((child) => (child.exitCode !== null ? null : new Promise((resolve) => child.once('exit', resolve))))).then(() => process.exit(code))
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(0))
for (const child of children) child.once('exit', (code) => stop(code ?? 1))
