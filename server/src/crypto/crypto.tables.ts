/** Row types of the tables for key versions and rotation jobs (migration 1500); part of DatabaseSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface CryptoTables {}
