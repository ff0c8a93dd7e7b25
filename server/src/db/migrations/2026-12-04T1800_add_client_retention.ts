import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per client that left: when, by whom and why; `destroyed_at` is set once its keys are shredded.
  await db.schema
    .createTable('client_archives')
    .addColumn('client_id', 'text', (column) => column.primaryKey().references('clients.id'))
    .addColumn('archived_at', 'text', (column) => column.notNull())
    .addColumn('archived_by', 'text')
    .addColumn('reason', 'text')
    .addColumn('personal_erased_at', 'text')
    .addColumn('destroyed_at', 'text')
    .execute();

  // Tombstones of destroyed documents: ids, category and dates only, never a file name.
  await db.schema
    .createTable('destroyed_documents')
    .addColumn('document_id', 'text', (column) => column.primaryKey())
    .addColumn('client_id', 'text', (column) => column.notNull())
    .addColumn('category', 'text', (column) => column.notNull())
    .addColumn('uploaded_at', 'text', (column) => column.notNull())
    .addColumn('destroyed_at', 'text', (column) => column.notNull())
    .addColumn('rule', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('destroyed_documents_client_idx').on('destroyed_documents').column('client_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('destroyed_documents').execute();
  await db.schema.dropTable('client_archives').execute();
}
