// The library's HTTP app as the shop configures it (its rules and its orders route), for tests
// that build the app on a Db of their own; a test's own `routes` come after the shop's.
import { createApp as createLibraryApp, type AppOptions } from '../../../src/server/http'
import { shopOptions } from '../../../server/shop'

export * from '../../../src/server/http'

export const createApp = ({ routes, ...options }: Omit<AppOptions, 'rules'> & Partial<Pick<AppOptions, 'rules'>>) =>
  createLibraryApp({
    rules: shopOptions.rules,
    ...options,
    routes: (app, deps) => {
      shopOptions.routes(app, deps)
      routes?.(app, deps)
    },
  })
