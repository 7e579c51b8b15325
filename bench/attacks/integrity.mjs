#!/usr/bin/env node
// Black-box attacks on what the server stores and who owns it (issue 24, items 2, 3 and 4): a
// fresh `npm start` on PGlite in a temp folder, on a free loopback port, driven over HTTP only.
// Prints what each attack was answered and whether a bystander's order still reaches /api/orders.
// Every loop is bounded; the server is stopped by its pid at the end.
//
//   node bench/attacks/integrity.mjs
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'kiroku-attack-'))
const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  cwd: ROOT,
  env: { ...process.env, HOST: '127.0.0.1', PORT: '0', KIROKU_DATA_DIR: join(dir, 'db'), DATABASE_URL: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
})
let log = ''
child.stdout.setEncoding('utf8').on('data', (text) => (log += text))
child.stderr.setEncoding('utf8').on('data', (text) => (log += text))

async function started() {
  for (let i = 0; i < 600; i++) {
    const match = /kiroku server: (http:\/\/127\.0\.0\.1:\d+)/.exec(log)
    if (match) return match[1]
    if (child.exitCode !== null) throw new Error(`the server exited: ${log}`)
    await new Promise((done) => setTimeout(done, 100))
  }
  throw new Error(`the server did not start within 60 s: ${log}`)
}

const base = await started()
const results = []
const say = (what, answer) => {
  results.push([what, answer])
  console.log(`${what}: ${answer}`)
}

async function signup(email) {
  const response = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'correct horse battery' }),
  })
  const { user } = await response.json()
  return { id: user.id, cookie: response.headers.get('set-cookie').split(';')[0] }
}

const event = (type, data, metadata = {}) => ({ eventId: randomUUID(), type, data, metadata: { correlationId: randomUUID(), timestamp: new Date().toISOString(), ...metadata } })

async function push(user, commits) {
  const response = await fetch(`${base}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: user.cookie },
    body: JSON.stringify({ clientId: 'attack', commits }),
  })
  const body = await response.json()
  return response.status === 200 ? body.results.map((r) => r.reason ?? r.status) : [`${response.status} ${body.error?.code}`]
}

const counts = (answers) => Object.entries(answers.reduce((all, a) => ({ ...all, [a]: (all[a] ?? 0) + 1 }), {})).map(([a, n]) => `${n} ${a}`).join(', ')

/** A cart with one sencha, checked out to a new order; resolves with the order's ids. */
async function checkedOutCart(user) {
  const cartId = randomUUID()
  const orderId = randomUUID()
  await push(user, [
    { stream: `Cart$${cartId}`, expectedVersion: 'none', events: [event('Cart.ItemAdded', { cartId, itemId: 'sencha', quantity: 1, price: 1200 }), event('Cart.CheckedOut', { cartId, orderId })] },
  ])
  return { cartId, orderId, placed: { orderId, cartId, lines: [{ itemId: 'sencha', quantity: 1, price: 1200 }], subtotal: 1200, discount: 0, total: 1200 } }
}

async function ordersOf(user) {
  const response = await fetch(`${base}/api/orders`, { headers: { cookie: user.cookie } })
  return (await response.json()).orders ?? []
}

try {
  const mallory = await signup('mallory@example.com')
  const victim = await signup('victim@example.com')
  say('user ids', `${mallory.id}, ${victim.id}`)

  // Item 3: squatting streams named after users.
  const numeric = /^\d+$/.test(mallory.id) ? Number(mallory.id) : 0
  const guesses = Array.from({ length: 100 }, (_, i) => String(numeric + 2 + i))
  const squat = await push(
    mallory,
    guesses.map((id) => ({ stream: `Shopper$${id}`, expectedVersion: 'none', events: [event('Shopper.CartStarted', { shopperId: id, cartId: randomUUID(), previousCartId: null })] })),
  )
  say('100 pushes to Shopper$<guessed future ids>', counts(squat))
  say(
    "a push to the victim's own Shopper stream",
    counts(await push(mallory, [{ stream: `Shopper$${victim.id}`, expectedVersion: 'any', events: [event('Shopper.CartStarted', { shopperId: victim.id, cartId: randomUUID(), previousCartId: null })] }])),
  )
  const next = await signup('next@example.com')
  say(
    "the next sign-up's first push to its own Shopper stream",
    counts(await push(next, [{ stream: `Shopper$${next.id}`, expectedVersion: 'none', events: [event('Shopper.CartStarted', { shopperId: next.id, cartId: randomUUID(), previousCartId: null })] }])),
  )

  // Item 4: order rules that need other streams.
  const unknownCarts = []
  for (let i = 0; i < 20; i++) {
    const orderId = randomUUID()
    const data = { orderId, cartId: randomUUID(), lines: [{ itemId: 'sencha', quantity: 1, price: 1200 }], subtotal: 1200, discount: 500, total: 700 }
    unknownCarts.push(...(await push(mallory, [{ stream: `Order$${orderId}`, expectedVersion: 'none', events: [event('Order.Placed', data)] }])))
  }
  say('20 Order.Placed with a discount of 500 naming unknown carts', counts(unknownCarts))
  const victimsCart = await checkedOutCart(victim)
  say(
    "an order from the victim's checked-out cart",
    counts(await push(mallory, [{ stream: `Order$${victimsCart.orderId}`, expectedVersion: 'none', events: [event('Order.Placed', victimsCart.placed)] }])),
  )
  const own = await checkedOutCart(mallory)
  say('its own order, placed in order$X, Y$X and plainX', counts(await push(mallory, ['order$', 'Y$', 'plain'].map((prefix) => ({ stream: `${prefix}${own.orderId}`, expectedVersion: 'none', events: [event('Order.Placed', own.placed)] })))))
  say('Order.Completed in a side stream', counts(await push(mallory, [{ stream: `side-${own.orderId}`, expectedVersion: 'none', events: [event('Order.Completed', { orderId: own.orderId })] }])))

  // Item 2: timestamps outside what PostgreSQL and the orders projection can hold.
  for (const timestamp of ['+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) {
    const order = await checkedOutCart(mallory)
    say(`Order.Placed with timestamp ${timestamp}`, counts(await push(mallory, [{ stream: `Order$${order.orderId}`, expectedVersion: 'none', events: [event('Order.Placed', order.placed, { timestamp })] }])))
  }
  say("a valid Order.Placed of the victim's", counts(await push(victim, [{ stream: `Order$${victimsCart.orderId}`, expectedVersion: 'none', events: [event('Order.Placed', victimsCart.placed)] }])))
  const since = Date.now()
  let shown = false
  while (!shown && Date.now() - since < 15_000) {
    shown = (await ordersOf(victim)).some((order) => order.id === victimsCart.orderId)
    if (!shown) await new Promise((done) => setTimeout(done, 100))
  }
  say("the victim's order in /api/orders", shown ? `shown after ${Date.now() - since} ms` : 'not shown within 15 s')
  const lines = log.split('\n').filter((line) => /projection|error/i.test(line))
  say('server log lines about projections or errors', String(lines.length))
  for (const line of lines.slice(0, 5)) console.log(`  ${line.slice(0, 200)}`)
} finally {
  child.kill('SIGTERM')
  await new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)))
  rmSync(dir, { recursive: true, force: true })
}
