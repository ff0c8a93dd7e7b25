/** Row types of the tables for backup runs and verifications (migration 1700); part of DatabaseSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface BackupTables {}
