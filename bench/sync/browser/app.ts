// The built app served by a real server process, for the browser rows of the sync bench: a
// snapshot of dist/ (built by `npm run build`, or by `vite build` into the snapshot when dist/ is
// older than src/), server/ and src/ in a temp folder beside a link to node_modules, so another
// helper's build or edit does not change what is served halfway through. Bench pages of our own
// go into the snapshot's dist/, so they share the app's origin (its cookie, its IndexedDB).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cp, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

export interface AppSnapshot {
  root: string
  /** How dist/ was had: 'dist/' (copied, newer than src/) or 'vite build'. */
  built: string
  /** Puts a page of our own beside the app (`dist/<name>`). */
  addPage(name: string, html: string): Promise<void>
  dispose(): Promise<void>
}

async function newest(dir: string): Promise<number> {
  let latest = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? await newest(path) : (await stat(path)).mtimeMs)
  }
  return latest
}

export async function appSnapshot(projectRoot: string, log: (...parts: unknown[]) => void): Promise<AppSnapshot> {
  const root = await mkdtemp(join(tmpdir(), 'kiroku-bench-app-'))
  const dist = join(projectRoot, 'dist')
  const built = await stat(join(dist, 'index.html')).then((s) => s.mtimeMs).catch(() => 0)
  let how: string
  const given = process.env.KIROKU_BENCH_DIST
  if (given) {
    // A build made beforehand (while working on the bench: vite build takes a minute here).
    await cp(given, join(root, 'dist'), { recursive: true })
    how = `KIROKU_BENCH_DIST=${given}`
  } else if (built > (await newest(join(projectRoot, 'src')))) {
    await cp(dist, join(root, 'dist'), { recursive: true })
    how = 'dist/ (newer than src/)'
  } else {
    log('dist/ is older than src/: vite build into the snapshot')
    const result = spawnSync('npx', ['vite', 'build', '--outDir', join(root, 'dist'), '--emptyOutDir'], { cwd: projectRoot, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`)
    how = 'vite build'
  }
  for (const part of ['server', 'src', 'package.json', 'tsconfig.json']) await cp(join(projectRoot, part), join(root, part), { recursive: true })
  await symlink(join(projectRoot, 'node_modules'), join(root, 'node_modules'), 'dir')
  return {
    root,
    built: how,
    addPage: (name, html) => writeFile(join(root, 'dist', name), html),
    dispose: () => rm(root, { recursive: true, force: true }),
  }
}

export interface AppServer {
  base: string
  pid: number
  output(): string
  stop(): Promise<void>
}

/** `node --import tsx server/main.ts` in the snapshot, on a free loopback port, against `DATABASE_URL`. */
export async function startAppServer(root: string, databaseUrl: string): Promise<AppServer> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: databaseUrl }
  delete env.KIROKU_DATA_DIR
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
  let exited = false
  const gone = new Promise<void>((done) => child.once('exit', () => ((exited = true), done())))
  const stop = async () => {
    if (exited) return
    child.kill('SIGTERM')
    const late = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await gone
    clearTimeout(late)
  }
  const deadline = Date.now() + 90_000
  let base: string | undefined
  while (!base || (await fetch(`${base}/api/health`).then((r) => r.status, () => 0)) !== 200) {
    if (exited || Date.now() > deadline) {
      await stop()
      throw new Error(`server process ${child.pid}: not healthy\n${text}`)
    }
    base ??= /kiroku server: (http:\/\/127\.0\.0\.1:\d+) /.exec(text)?.[1]
    await new Promise((r) => setTimeout(r, 50))
  }
  return { base, pid: child.pid!, output: () => text, stop }
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** A fresh persistent Chromium profile (IndexedDB on disk, as a person's browser keeps it); closing it deletes the profile. */
export async function freshProfile(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'kiroku-bench-profile-'))
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 850 } })
  return {
    context,
    async close() {
      await context.close().catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    },
  }
}
