// `node --import ./test/support/forbid-dexie.mjs …`: any module that imports Dexie fails to load,
// naming who imported it. Proves a part of the code runs in Node with no browser storage.
import { register } from 'node:module'

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'dexie' || specifier.startsWith('dexie/')) throw new Error('dexie imported by ' + context.parentURL)
  return next(specifier, context)
}`))
