import react from '@vitejs/plugin-react'
import { playwright } from '@vitest/browser-playwright'
import type { Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import { defineConfig } from 'vitest/config'

/** Debian's Chromium; nothing here downloads a browser of its own. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * The built app's Content Security Policy: scripts, workers and styles only from the app itself;
 * no inline script, no eval. (Dev mode injects inline scripts for hot reload, so build only.)
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "worker-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ')

const contentSecurityPolicy = (): Plugin => ({
  name: 'kiroku-csp',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
})

const pwa = () =>
  VitePWA({
    strategies: 'generateSW',
    // The page asks before a new version takes over (src/pwa/serviceWorker.ts registers it).
    registerType: 'prompt',
    injectRegister: false,
    includeAssets: ['icons/*.png', 'icons/*.svg'],
    manifest: {
      name: 'Kiroku shop',
      short_name: 'Kiroku',
      description: 'A small shop whose cart and orders live on your device, online or offline.',
      lang: 'en',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      background_color: '#fbfaf7',
      theme_color: '#1f3a5f',
      icons: [
        { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      // The shell, the catalog (bundled in the JS), the worker and the icons: all the app needs offline.
      globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
      navigateFallback: '/index.html',
      // The sync server's /api is never the service worker's: no fallback page, no cache (and no
      // runtime caching anywhere: only the precached shell is served from the cache).
      navigateFallbackDenylist: [/^\/api(\/|$)/],
      cleanupOutdatedCaches: true,
      // The first install takes control at once, so the very first visit is enough to work offline.
      clientsClaim: true,
    },
  })

export default defineConfig(({ mode }) => ({
  // Vitest's own servers run in mode "test" and need no service worker; builds (the e2e one too) do.
  plugins: [react(), ...(mode === 'test' ? [] : [pwa(), contentSecurityPolicy()])],
  preview: { host: '127.0.0.1' },
  // npm run dev (scripts/dev.mjs) runs the sync server beside Vite: one origin for the app and /api.
  server: { proxy: { '/api': { target: `http://127.0.0.1:${process.env.KIROKU_API_PORT ?? '8787'}`, changeOrigin: false } } },
  // Pre-bundled up front, so the browser test server does not re-optimise (and reload) mid-run.
  optimizeDeps: {
    include: ['react', 'react-dom/client', 'react/jsx-dev-runtime', 'dexie', 'zustand', 'zustand/vanilla', 'workbox-window', '@tanstack/react-virtual', 'fast-check'],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['test/e2e/**', 'test/**/*.browser.test.{ts,tsx}'],
          setupFiles: ['test/setup/node.ts'],
        },
      },
      {
        extends: true,
        test: {
          // A person's journeys through the built app, served by vite preview, in Debian's Chromium.
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          // The store's behaviour suite again, on real IndexedDB, plus browser-only tests.
          include: ['test/eventstore/**/*.test.ts', 'test/**/*.browser.test.{ts,tsx}'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            instances: [{ browser: 'chromium' }],
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
          },
        },
      },
    ],
  },
}))
