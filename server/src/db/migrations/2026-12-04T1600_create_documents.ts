import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The file name and the content key are field ciphertexts under the client's data key, so
  // deleting that key makes both the name and the stored file unreadable.
  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('client_id', 'text', (column) => column.notNull().references('clients.id'))
    .addColumn('category', 'text', (column) => column.notNull())
    .addColumn('file_name_enc', 'text', (column) => column.notNull())
    .addColumn('file_type', 'text', (column) => column.notNull())
    .addColumn('size_bytes', 'bigint', (column) => column.notNull())
    .addColumn('sha256', 'text', (column) => column.notNull())
    .addColumn('content_key', 'text', (column) => column.notNull())
    .addColumn('storage_name', 'text', (column) => column.notNull())
    .addColumn('uploaded_by', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('uploaded_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('documents_client_idx').on('documents').columns(['client_id', 'uploaded_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('documents').execute();
}
