// Renders the app icons (PNG, as the web manifest wants) from their SVG sources with Debian's
// Chromium. Run after changing an icon: node scripts/make-icons.mjs
import { readFile } from 'node:fs/promises'
import { chromium } from 'playwright-core'

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
})
const outputs = [
  ['public/icons/icon.svg', 192, 'public/icons/icon-192.png'],
  ['public/icons/icon.svg', 512, 'public/icons/icon-512.png'],
  ['public/icons/icon-maskable.svg', 512, 'public/icons/icon-maskable-512.png'],
  ['public/icons/icon.svg', 180, 'public/icons/apple-touch-icon.png'],
]
for (const [source, size, target] of outputs) {
  const page = await browser.newPage({ viewport: { width: size, height: size } })
  const svg = await readFile(source, 'utf8')
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`)
  await page.screenshot({ path: target, omitBackground: true })
  await page.close()
  console.log(`${target} (${size}×${size})`)
}
await browser.close()
