import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTrx } from '../db/index.js';
import type { AlertSeverity } from './alert-notice.js';
import type { NotificationChannelTable } from './notify.tables.js';

export type ChannelRow = Selectable<NotificationChannelTable>;

export async function insertChannel(db: DbOrTrx, row: Insertable<NotificationChannelTable>): Promise<void> {
  await db.insertInto('notification_channels').values(row).execute();
}

export async function updateChannel(db: DbOrTrx, id: string, changes: Updateable<NotificationChannelTable>): Promise<void> {
  await db.updateTable('notification_channels').set(changes).where('id', '=', id).execute();
}

export async function deleteChannel(db: DbOrTrx, id: string): Promise<boolean> {
  const result = await db.deleteFrom('notification_channels').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function findChannel(db: DbOrTrx, id: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listChannels(db: DbOrTrx): Promise<ChannelRow[]> {
  return db.selectFrom('notification_channels').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** Enabled channels whose minimum severity is one of `severities` (the alert's own and those below it). */
export async function findRoutedChannels(db: DbOrTrx, severities: readonly AlertSeverity[]): Promise<Pick<ChannelRow, 'id' | 'name' | 'kind'>[]> {
  if (severities.length === 0) return [];
  return db.selectFrom('notification_channels').select(['id', 'name', 'kind']).where('enabled', '=', 1).where('min_severity', 'in', [...severities]).orderBy('id').execute();
}
