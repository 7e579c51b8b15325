// The server's migrations, then the shop's own tables (its orders read model).
import { migrate as migrateLibrary, migrations, type Migration } from '../../../src/server/db/migrate'
import type { Db } from '../../../src/server/db/Db'
import { shopMigrations } from '../../../server/shop'

export { migrations, type Migration }

export const migrate = (db: Db, list?: Migration[]) => migrateLibrary(db, list, shopMigrations)
