import { useState } from 'react'
import { catalog, type Product } from '../../domain'
import { yen } from '../format'
import { useCart, useServices } from '../ShopContext'
import { useShopCommand } from '../useShopCommand'

function ProductCard({ product }: { product: Product }) {
  const { shop, storage } = useServices()
  const inCart = useCart((cart) => cart.lines.find((l) => l.itemId === product.id)?.quantity ?? 0)
  const [added, setAdded] = useState(false)
  const { run: add, pending, error } = useShopCommand(async () => {
    await shop.addItem(product.id, 1)
    setAdded(true)
    // The first thing worth keeping: ask the browser not to clear this site's data.
    void storage.request()
  })
  const headingId = `product-${product.id}`
  return (
    <li className="product" aria-labelledby={headingId}>
      {/* Shipped with the app and precached, so the catalog shows offline. */}
      <img className="product-icon" src={`/products/${product.id}.svg`} alt="" width={64} height={64} />
      <h2 id={headingId}>{product.name}</h2>
      <p className="product-description">{product.description}</p>
      <p className="price">{yen(product.price)}</p>
      <button
        type="button"
        onClick={() => void add()}
        disabled={pending}
        aria-label={`Add to cart: ${product.name}`}
        aria-describedby={error ? `${headingId}-error` : undefined}
      >
        Add to cart
      </button>
      <p className="product-status" aria-live="polite">
        {inCart > 0 ? `${inCart} in your cart` : added ? 'Added' : ''}
      </p>
      {error && (
        <p className="field-error" id={`${headingId}-error`} role="alert">
          {error}
        </p>
      )}
    </li>
  )
}

export function CatalogScreen() {
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Shop</h1>
      <ul className="catalog">
        {catalog.map((product) => (
          <ProductCard key={product.id} product={product} />
        ))}
      </ul>
    </section>
  )
}
