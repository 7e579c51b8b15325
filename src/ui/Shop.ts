// The shop's services: the store, the views the screens read, and the commands they run.
import { AggregateRepository, defaultComposedDispatcher, type Dispatcher, type Durability, type EventStore, openEventStore, ProjectionWorkerClient, SyncDispatcher } from '../eventstore'
import {
  Cart as CartAggregate,
  CartCheckedOutError,
  CartStarted,
  LOCAL_SHOPPER,
  MAX_QUANTITY,
  addItem,
  applyCoupon,
  checkout,
  completeOrder,
  openCurrentCart,
  productById,
  Shopper,
  currentCartOf,
  removeItem,
  updateItemQuantity,
  type Cart,
} from '../domain'
import {
  createCartView,
  createOrdersView,
  followCurrentCart,
  legacyCartId,
  loadOrders,
  projectCartView,
  showCart,
  showCartState,
  showMoreOrders,
  storedOrderIds,
  type CartViewStore,
  type CurrentCartFollower,
  type OrdersViewStore,
} from '../projections'
import type { SyncClient } from '../sync'
import { shopDatabase } from '../worker/shopSync'

export interface ShopOptions {
  database: string
  /** Wraps the store's dispatcher (the devtools' instrumentation, for one). */
  instrument?: (dispatcher: Dispatcher) => Dispatcher
  /** Starts the projection worker (off in tests that have no Worker). */
  worker?: boolean
  /** Another tab opened a newer version of the database: this tab must reload. */
  onVersionChange?: () => void
  /** Whose carts these are: the signed-in user's id, or this device's shopper (the default). */
  shopperId?: string
  /** Handed to the worker's lead (sync's settings, when signed in). */
  workerOptions?: unknown
  /** Signed in: follows sync for this page (made once the store is open). */
  sync?: (store: EventStore) => SyncClient
  /** How long a device with no events yet waits for its first pull before it starts a cart of its own (ms). */
  firstPullWait?: number
  /**
   * IndexedDB durability of this page's writes (its commands): the browser's default (relaxed in
   * Chromium) unless set; 'strict' waits for the disk on every commit (docs/EVENTSTORE.md).
   */
  durability?: Durability
}

export class Shop {
  readonly repository: AggregateRepository
  readonly cart: CartViewStore = createCartView()
  readonly orders: OrdersViewStore = createOrdersView()
  readonly projections: ProjectionWorkerClient
  private readonly currentCart: CurrentCartFollower
  private readonly stops: Array<() => void> = []
  /** Sync's view for this page; null when signed out. */
  sync: SyncClient | null = null
  private reloading = false
  private queuedReload: { rewritten: boolean } | null = null

  private constructor(
    readonly store: EventStore,
    worker: boolean,
    /** Whose carts these are: the signed-in user's id, or this device's shopper. */
    readonly shopperId: string,
    workerOptions: unknown,
  ) {
    this.repository = new AggregateRepository(store)
    this.projections = new ProjectionWorkerClient(store, {
      // The shop's worker entry: which deferred projections run (and, signed in, sync), and where.
      createWorker: () => new Worker(new URL('../worker/projections.worker.ts', import.meta.url), { type: 'module', name: 'kiroku-projections' }),
      workerOptions,
    })
    this.stops.push(projectCartView(store, this.repository, this.cart))
    this.currentCart = followCurrentCart(store, this.repository, this.cart, this.shopperId)
    this.stops.push(() => this.currentCart.stop())
    let ordersAt = -1
    this.stops.push(
      this.projections.subscribe((view) => {
        // Once it has caught up: not after every batch of a long catch-up or rebuild.
        const orders = view.projections.find((p) => p.name === 'orders')
        if (orders && orders.checkpoint !== ordersAt && (orders.state === 'idle' || orders.state === 'stopped')) {
          ordersAt = orders.checkpoint
          void loadOrders(store, this.orders)
        }
      }),
    )
    if (worker) this.projections.start()
  }

  static async open(options: ShopOptions): Promise<Shop> {
    const sync = new SyncDispatcher()
    const composed = defaultComposedDispatcher(sync)
    const store = await openEventStore({
      name: options.database,
      readModels: shopDatabase,
      dispatcher: options.instrument ? options.instrument(composed) : composed,
      ...(options.onVersionChange ? { onVersionChange: options.onVersionChange } : {}),
      ...(options.durability ? { durability: options.durability } : {}),
    })
    const shop = new Shop(store, options.worker ?? true, options.shopperId ?? LOCAL_SHOPPER, options.workerOptions)
    if (options.sync) await shop.follow(options.sync(store), options.firstPullWait ?? 4000)
    await shop.openCurrentCart()
    await loadOrders(store, shop.orders)
    return shop
  }

  /**
   * Follows sync: what it writes shows here. A device with no events yet first waits (a while) for
   * its first pull, so it takes up the account's current cart instead of starting one of its own.
   */
  private async follow(sync: SyncClient, firstPullWait: number): Promise<void> {
    this.sync = sync
    this.stops.push(
      () => sync.stop(),
      sync.onChanged((change) => this.reloadSoon(change)),
    )
    if ((await this.store.read.last()) !== undefined) return
    const pulled = sync.waitFor(({ status, state }) => status.lastPull !== null || state === 'offline' || state === 'signed-out')
    await Promise.race([pulled, new Promise((resolve) => setTimeout(resolve, firstPullWait))])
  }

  /**
   * One reload at a time, and one more after it for whatever changed meanwhile: a long catch-up
   * announces hundreds of pages, and reading the views again for each would slow the pull itself.
   */
  private reloadSoon(change: { rewritten: boolean }): void {
    this.queuedReload = { rewritten: (this.queuedReload?.rewritten ?? false) || change.rewritten }
    if (this.reloading) return
    this.reloading = true
    void (async () => {
      for (let next = this.queuedReload; next !== null; next = this.queuedReload) {
        this.queuedReload = null
        await this.reload(next).catch(() => undefined)
      }
      this.reloading = false
    })()
  }

  /**
   * Sync wrote to the log (events from other devices, or a rebase): the views read it again. A
   * rebase may have changed the shown cart's events without moving its version, so it is read anew.
   */
  async reload({ rewritten }: { rewritten: boolean }): Promise<void> {
    const shown = this.cart.getState().cartId
    if (rewritten && shown !== null) await showCart(this.repository, this.cart, shown)
    await this.currentCart.follow()
    if (rewritten) await this.adoptSupersededCarts()
    await loadOrders(this.store, this.orders)
  }

  /**
   * A rebase dropped this device's start of a new cart (another device made another one current
   * first): the lines added to that cart meanwhile move to the current one, so none is hidden.
   * Moved in one transaction that empties the old cart, so no tab moves them twice.
   */
  private async adoptSupersededCarts(): Promise<void> {
    const reports = this.sync?.getSnapshot().status.reports ?? []
    const current = this.cart.getState().cartId
    for (const report of reports) {
      const superseded = (report.data as { cartId?: unknown } | null)?.cartId
      if (report.type !== CartStarted.type || typeof superseded !== 'string' || superseded === current || current === null) continue
      await this.store.transaction(async (tx) => {
        const repo = this.repository.using(tx)
        const from = await repo.load(CartAggregate, superseded)
        if (from.orderId !== null || from.lines.length === 0) return
        const to = await repo.load(CartAggregate, current)
        if (to.orderId !== null) return
        for (const line of [...from.lines]) {
          // Up to the most a line may hold; what does not fit stays where it was.
          const room = MAX_QUANTITY - (to.lines.find((l) => l.itemId === line.itemId)?.quantity ?? 0)
          if (room < line.quantity) continue
          to.addItem(line.itemId, line.quantity, line.price)
          from.removeItem(line.itemId)
        }
        await repo.store(to)
        await repo.store(from)
      }).catch((error: unknown) => console.warn('The lines of a superseded cart could not be moved:', error))
    }
    await this.currentCart.follow()
  }

  /** The orders list shows a page more of the older orders. */
  showMoreOrders(): Promise<void> {
    return showMoreOrders(this.store, this.orders)
  }

  /** Which of these orders this device holds, shown or not. */
  storedOrderIds(orderIds: readonly string[]): Promise<Set<string>> {
    return storedOrderIds(this.store, orderIds)
  }

  /** Leaves the current cart as it is and makes a new, empty one current. */
  async startNewCart(): Promise<void> {
    const next = crypto.randomUUID()
    await this.repository.withAggregate(Shopper, this.shopperId, (shopper) => shopper.startCart(next, shopper.cartId), { retries: 3 })
    await this.currentCart.follow()
  }

  /** Adds to the current cart (the first one, on a device where nobody has shopped yet): to the next one if another tab has just checked out the one shown. */
  async addItem(productId: string, quantity = 1): Promise<void> {
    const product = productById(productId)
    const price = product ? product.price : Number.NaN
    await this.onCart((cartId) => addItem(this.repository, { cartId, itemId: productId, quantity, price }), { onNextCart: true })
  }

  async updateQuantity(itemId: string, quantity: number): Promise<void> {
    await this.onCart((cartId) => updateItemQuantity(this.repository, { cartId, itemId, quantity }))
  }

  async removeItem(itemId: string): Promise<void> {
    await this.onCart((cartId) => removeItem(this.repository, { cartId, itemId }))
  }

  async applyCoupon(code: string): Promise<void> {
    await this.onCart((cartId) => applyCoupon(this.repository, { cartId, code }))
  }

  /**
   * Turns the cart into a draft order and, in the same transaction, makes a new, empty cart the
   * current one; resolves with the order id once the new cart is shown.
   */
  async checkout(): Promise<string> {
    const orderId = crypto.randomUUID()
    const cartId = await this.currentCartId()
    await checkout(this.store, this.repository, { cartId, orderId, shopperId: this.shopperId, nextCartId: crypto.randomUUID() })
    await this.currentCart.follow()
    return orderId
  }

  async completeOrder(orderId: string): Promise<void> {
    await completeOrder(this.repository, orderId)
  }

  close(): void {
    for (const stop of this.stops.splice(0)) stop()
    this.projections.stop()
    this.store.close()
  }

  private get cartId(): string {
    const { cartId } = this.cart.getState()
    if (!cartId) throw new Error('No cart is shown yet.')
    return cartId
  }

  /**
   * The cart shown, or on a device where nobody has shopped yet the first one, started now: a
   * fresh install writes nothing until the person acts (see `openCurrentCart`).
   */
  private async currentCartId(): Promise<string> {
    if (this.cart.getState().cartId === null) {
      await openCurrentCart(this.store, this.repository, { shopperId: this.shopperId, newCartId: crypto.randomUUID() })
      await this.currentCart.follow()
    }
    return this.cartId
  }

  /** The command's own view of the cart shows at once, before the projection has read where the events went. */
  private settle(cart: Cart): void {
    showCartState(this.cart, cart)
  }

  /**
   * Runs a command on the shown cart. If another tab checked that cart out and this one has not
   * heard yet, it shows the current cart; a command that means "my cart" (adding) runs again there.
   */
  private async onCart(command: (cartId: string) => Promise<Cart>, { onNextCart = false } = {}): Promise<void> {
    const cartId = await this.currentCartId()
    try {
      this.settle(await command(cartId))
    } catch (error) {
      if (!(error instanceof CartCheckedOutError)) throw error
      await this.currentCart.follow()
      const current = this.cart.getState().cartId
      if (!onNextCart || current === null || current === cartId) throw error
      this.settle(await command(current))
    }
  }

  /**
   * Shows the shopper's current cart, starting one if there is none or it was checked out. Signed
   * out, a shopper with no cart yet (a fresh install) gets none until the first command: nothing is
   * written, so a backup of another install restores into it as it is. Signed in, the account's
   * copy on the server is the backup, and the first cart starts once the first pull is in (see
   * `follow`), so every device of the account takes up the same one.
   */
  private async openCurrentCart(): Promise<void> {
    const adoptCartId = await legacyCartId(this.store)
    if (!this.sync && adoptCartId === null && (await currentCartOf(this.repository, this.shopperId)) === null) return
    await openCurrentCart(this.store, this.repository, { shopperId: this.shopperId, newCartId: crypto.randomUUID(), adoptCartId })
    await this.currentCart.follow()
  }
}
