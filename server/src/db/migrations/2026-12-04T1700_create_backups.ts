import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('backups')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('file_name', 'text', (column) => column.notNull().unique())
    .addColumn('trigger', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('size_bytes', 'bigint')
    .addColumn('body_sha256', 'text')
    .addColumn('error', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('verification', 'text')
    .addColumn('verification_problem', 'text')
    .addColumn('pruned_at', 'text')
    .execute();
  await db.schema.createIndex('backups_created_at').on('backups').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('backups').execute();
}
