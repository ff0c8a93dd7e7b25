/** Row types of the tables for client archiving, retention and destruction (migration 1800); part of DatabaseSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface RetentionTables {}
