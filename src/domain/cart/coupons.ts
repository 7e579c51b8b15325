/** The shop's coupons: code → yen off the subtotal. */
export const coupons: Readonly<Record<string, number>> = Object.freeze({
  WELCOME500: 500,
  KIROKU1000: 1000,
  SPRING300: 300,
})

/** The discount of a coupon code (case and surrounding spaces ignored), or undefined. */
export function couponDiscount(code: string): number | undefined {
  const key = code.trim().toUpperCase()
  return Object.hasOwn(coupons, key) ? coupons[key] : undefined
}
