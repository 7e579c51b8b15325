// A throwaway PostgreSQL cluster for tests, from Debian's package (docs: RECIPES.md, "A throwaway
// PostgreSQL for tests"). initdb refuses to run as root, so as root the binaries run as `postgres`.
import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = '/usr/lib/postgresql'

export interface PostgresCluster {
  /** The `postgres` database of the cluster, as the `postgres` superuser (trust auth, loopback only). */
  url: string
  port: number
  /** Stops the server (fast shutdown) and removes its folder. */
  stop(): Promise<void>
  /** Restarts the server on the same port and data (fast shutdown, then start): every connection is cut. */
  restart(): Promise<void>
}

export interface StartOptions {
  /**
   * fsync on, as a real deployment runs: for benchmarks. Off by default (`-c fsync=off`), which
   * is fine for correctness tests and faster.
   */
  durable?: boolean
}

/** Initialises and starts a fresh cluster in a temp folder on a free loopback port. */
export async function startPostgres({ durable = false }: StartOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBin()
  const dir = mkdtempSync(join(tmpdir(), 'kiroku-pg-'))
  const asRoot = process.getuid?.() === 0
  if (asRoot) chownSync(dir, postgresUid(), -1)
  const data = join(dir, 'data')
  const pgCtl = join(bin, 'pg_ctl')
  const exec = (file: string, args: string[]) =>
    asRoot ? run('su', ['postgres', '-c', [file, ...args].map(shellQuote).join(' ')]) : run(file, args)
  const stopped = async () => {
    await exec(pgCtl, ['-D', data, '-m', 'fast', 'stop']).catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const port = await freePort()
    await exec(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'])
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${durable ? '' : ' -c fsync=off'}`
    // -l: the server's output goes to a file, so pg_ctl's own pipes close once it has started.
    const start = () => exec(pgCtl, ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
    await start()
    const restart = async () => {
      await exec(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop'])
      await start()
    }
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop: stopped, restart }
  } catch (error) {
    await stopped()
    throw error
  }
}

/** Debian's newest installed PostgreSQL binaries, or a clear error saying how to get them. */
function postgresBin(): string {
  const versions = existsSync(ROOT)
    ? readdirSync(ROOT)
        .filter((name) => existsSync(join(ROOT, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  const newest = versions[0]
  if (newest === undefined) {
    throw new Error(`No PostgreSQL binaries under ${ROOT}/<version>/bin: the server tests need them. Install Debian's package: apt-get install -y postgresql`)
  }
  return join(ROOT, newest, 'bin')
}

/** The `postgres` system user that Debian's package creates (it owns the cluster's folder). */
function postgresUid(): number {
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('postgres:'))
  const uid = Number(entry?.split(':')[2])
  if (entry === undefined || !Number.isInteger(uid)) throw new Error("No `postgres` user to run the cluster as. Install Debian's package: apt-get install -y postgresql")
  return uid
}

/** A free loopback port: bind port 0, read what the kernel chose, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port ? resolve(port) : reject(new Error('No free port'))))
    })
  })
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`
}
