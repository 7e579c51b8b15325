/** A product of the shop's catalog. Prices are whole yen; its picture is public/products/<id>.svg. */
export interface Product {
  id: string
  name: string
  price: number
  description: string
}

export const catalog: readonly Product[] = Object.freeze([
  { id: 'sencha', name: 'Sencha green tea, 100 g', price: 1200, description: 'Steamed first-flush leaves from Shizuoka.' },
  { id: 'matcha', name: 'Ceremonial matcha, 30 g', price: 2800, description: 'Stone-ground, for whisking.' },
  { id: 'hojicha', name: 'Hojicha roasted tea, 100 g', price: 900, description: 'Roasted stems and leaves, low in caffeine.' },
  { id: 'yunomi', name: 'Yunomi teacup', price: 1800, description: 'Hand-thrown stoneware, 200 ml.' },
  { id: 'chasen', name: 'Chasen bamboo whisk', price: 2400, description: '100 tines, for matcha.' },
  { id: 'onigiri', name: 'Onigiri mould', price: 600, description: 'Makes three triangles at once.' },
  { id: 'bento', name: 'Bento box', price: 3200, description: 'Two tiers, cedar, with a cord.' },
  { id: 'hashi', name: 'Chopsticks, pair', price: 700, description: 'Lacquered chestnut wood.' },
  { id: 'furoshiki', name: 'Furoshiki cloth', price: 1500, description: 'Cotton wrapping cloth, 70 cm.' },
  { id: 'notebook', name: 'Kiroku notebook', price: 800, description: 'Dot grid, 96 pages, for keeping records.' },
  { id: 'fan', name: 'Uchiwa fan', price: 1100, description: 'Washi paper on a bamboo frame.' },
  { id: 'daruma', name: 'Daruma doll', price: 2000, description: 'Paint one eye when you set a goal.' },
])

export const productById = (id: string): Product | undefined => catalog.find((p) => p.id === id)
