/** Row types of the tables for audit checkpoints, archives and retention (migration 1200); part of DatabaseSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface AuditIntegrityTables {}
