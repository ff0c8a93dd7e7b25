/** Row types of the tables for client documents (migration 1600); part of DatabaseSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DocumentTables {}
