/** Row types of the tables for notification channels and deliveries (migration 1400); part of DatabaseSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface NotificationTables {}
