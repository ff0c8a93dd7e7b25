import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('blind_index_versions')
    .addColumn('version', 'integer', (column) => column.primaryKey())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('retired_at', 'text')
    .execute();
  // No row is seeded: an empty table means version 1 only, so a fresh schema stays empty for restores.

  // Existing jobs are all data key re-encryptions.
  await db.schema.alterTable('key_rotation_jobs').addColumn('kind', 'text', (column) => column.notNull().defaultTo('data')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('key_rotation_jobs').dropColumn('kind').execute();
  await db.schema.dropTable('blind_index_versions').execute();
}
