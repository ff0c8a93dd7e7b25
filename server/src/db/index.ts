export { openDatabase, type DatabaseHandle, type OpenDatabaseOptions } from './db.js';
export { migrateToLatestOrThrow } from './migrate.js';
export type * from './db.types.js';
