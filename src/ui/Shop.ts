// The shop's services: the store, the views the screens read, and the commands they run.
import {
  AggregateRepository,
  SyncDispatcher,
  defaultComposedDispatcher,
  openEventStore,
  type Dispatcher,
  type EventStore,
} from '../eventstore'
import { addItem, applyCoupon, checkout, completeOrder, productById, removeItem, updateItemQuantity, type Cart } from '../domain'
import {
  createCartView,
  createOrdersView,
  currentCartId,
  loadOrders,
  projectCartView,
  refreshCart,
  setCurrentCartId,
  shopReadModels,
  showCart,
  type CartViewStore,
  type OrdersViewStore,
} from '../projections'
import { ProjectionWorkerClient } from '../worker'

export interface ShopOptions {
  database: string
  /** Wraps the store's dispatcher (the devtools' instrumentation, for one). */
  instrument?: (dispatcher: Dispatcher) => Dispatcher
  /** Starts the projection worker (off in tests that have no Worker). */
  worker?: boolean
  /** Another tab opened a newer version of the database: this tab must reload. */
  onVersionChange?: () => void
}

export class Shop {
  readonly repository: AggregateRepository
  readonly cart: CartViewStore = createCartView()
  readonly orders: OrdersViewStore = createOrdersView()
  readonly projections: ProjectionWorkerClient
  private readonly stops: Array<() => void> = []

  private constructor(
    readonly store: EventStore,
    worker: boolean,
  ) {
    this.repository = new AggregateRepository(store)
    this.projections = new ProjectionWorkerClient(store)
    this.stops.push(projectCartView(store, this.repository, this.cart))
    // Another tab changed something: the shown cart (or which cart is shown) may have moved on.
    this.stops.push(this.projections.onRemoteCommit(() => void this.followOtherTabs()))
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
      readModels: shopReadModels,
      dispatcher: options.instrument ? options.instrument(composed) : composed,
      ...(options.onVersionChange ? { onVersionChange: options.onVersionChange } : {}),
    })
    const shop = new Shop(store, options.worker ?? true)
    await shop.showCurrentCart()
    await loadOrders(store, shop.orders)
    return shop
  }

  async addItem(productId: string, quantity = 1): Promise<void> {
    const product = productById(productId)
    const price = product ? product.price : Number.NaN
    this.settle(await addItem(this.repository, { cartId: this.cartId, itemId: productId, quantity, price }))
  }

  async updateQuantity(itemId: string, quantity: number): Promise<void> {
    this.settle(await updateItemQuantity(this.repository, { cartId: this.cartId, itemId, quantity }))
  }

  async removeItem(itemId: string): Promise<void> {
    this.settle(await removeItem(this.repository, { cartId: this.cartId, itemId }))
  }

  async applyCoupon(code: string): Promise<void> {
    this.settle(await applyCoupon(this.repository, { cartId: this.cartId, code }))
  }

  /** Turns the cart into a draft order and starts a new, empty cart; resolves with the order id. */
  async checkout(): Promise<string> {
    const orderId = crypto.randomUUID()
    await checkout(this.store, this.repository, { cartId: this.cartId, orderId })
    await this.startNewCart()
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

  /** The command's own view of the cart wins if the projection has not caught up with it. */
  private settle(cart: Cart): void {
    const shown = this.cart.getState()
    if (shown.cartId === cart.id && shown.version < cart.version) void refreshCart(this.repository, this.cart)
  }

  private async showCurrentCart(): Promise<void> {
    const cartId = await currentCartId(this.store)
    if (cartId) await showCart(this.repository, this.cart, cartId)
    else await this.startNewCart()
  }

  private async startNewCart(): Promise<void> {
    const cartId = crypto.randomUUID()
    await setCurrentCartId(this.store, cartId)
    await showCart(this.repository, this.cart, cartId)
  }

  private async followOtherTabs(): Promise<void> {
    const cartId = await currentCartId(this.store)
    if (cartId && cartId !== this.cart.getState().cartId) await showCart(this.repository, this.cart, cartId)
    else await refreshCart(this.repository, this.cart)
  }
}
