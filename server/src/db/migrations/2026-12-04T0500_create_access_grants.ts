import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A grant widens one member's access to one client or one department's clients, for some
  // categories and actions, between two instants. The decision checks the window itself, so a
  // grant ends on time even when no job runs.
  await db.schema
    .createTable('access_grants')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('client_id', 'text', (column) => column.references('clients.id'))
    .addColumn('department_id', 'text', (column) => column.references('departments.id'))
    .addColumn('categories', 'text', (column) => column.notNull())
    .addColumn('actions', 'text', (column) => column.notNull())
    .addColumn('starts_at', 'text', (column) => column.notNull())
    .addColumn('ends_at', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('access_grants_user_idx').on('access_grants').columns(['user_id', 'ends_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('access_grants').execute();
}
