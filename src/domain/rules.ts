// The shop's rules, written once: the browser's rebase and the sync server check events made
// elsewhere with them, through the shop's own commands.
import { defineRules } from '../eventstore/rules'
import { cartRules } from './cart/rules'
import { orderRules } from './order/rules'
import { shopperRules } from './shopper/rules'

export const shopRules = defineRules({ categories: [cartRules, orderRules, shopperRules] })
