// How the shop syncs: carts and the shopper's current-cart stream rebase (pending changes that the
// domain still takes on the server's state are pushed again), orders are rejected on a conflict.
// The same rules the server applies (shopRules) decide what a rebase keeps.
import { shopRules } from '../domain'
import { shopReadModels } from '../projections'
import { defineSync, syncTables } from '../sync'

export const shopSync = defineSync({
  policies: { Cart: 'rebase', Shopper: 'rebase', Order: 'reject' },
  rules: shopRules,
})

/** The shop's database: its read models and sync's tables (a version above the read models' own). */
export const shopDatabase = {
  version: shopReadModels.version + 1,
  stores: { ...shopReadModels.stores, ...syncTables },
}
