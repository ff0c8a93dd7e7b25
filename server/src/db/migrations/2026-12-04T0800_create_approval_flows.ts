import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Approval flows the security administrator has changed; kinds without a row use the
  // built-in default flow.
  await db.schema
    .createTable('approval_flows')
    .addColumn('kind', 'text', (column) => column.primaryKey())
    .addColumn('steps', 'text', (column) => column.notNull())
    .addColumn('auto_approve', 'integer', (column) => column.notNull())
    .addColumn('updated_by', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('approval_flows').execute();
}
