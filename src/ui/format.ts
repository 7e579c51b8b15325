// en-US prints ¥ (U+00A5), which every font has; ja-JP prints the full-width ￥.
const yenFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'JPY' })

export const yen = (amount: number): string => yenFormat.format(amount)

export const dateTime = (date: Date): string =>
  date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
