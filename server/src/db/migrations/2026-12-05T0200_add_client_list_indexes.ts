import type { Kysely } from 'kysely';

// The client list's sort keys; each gets one index per access path below.
const SORT_COLUMNS = ['name', 'service_start', 'created_at'] as const;

/**
 * Indexes for the keyset-paged client list, which reads a page's ids from an index before it
 * reads any row.
 *
 * - `clients_<sort>_list_idx` (sort value, id, status, department_id): pages for the whole firm,
 *   walked in order from a cursor. Status and department come last, so a department's page is
 *   also found in this index without reading rows, and so SQLite, which plans without table
 *   statistics until ANALYZE runs, does not mistake an in-order walk for a narrow range when the
 *   scope is a few hundred assigned clients.
 * - `clients_department_<sort>_idx` (department_id, status, sort value, id): department scopes and
 *   the department filter, which read only their own departments' entries.
 * - `clients_id_list_idx` (id, status, department_id, sort values): assigned clients, found
 *   through `client_assignments_user_idx` (user_id, client_id) from the clients migration, are
 *   checked and sorted in this index, so a bookkeeper's few hundred clients need no row reads
 *   except for the rows of the page itself.
 *
 * The two indexes replaced here, on (name, id) and (department_id, name, id), are covered by the
 * new ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of SORT_COLUMNS) {
    await db.schema.createIndex(`clients_${column}_list_idx`).on('clients').columns([column, 'id', 'status', 'department_id']).execute();
    await db.schema.createIndex(`clients_department_${column}_idx`).on('clients').columns(['department_id', 'status', column, 'id']).execute();
  }

  await db.schema.createIndex('clients_id_list_idx').on('clients').columns(['id', 'status', 'department_id', ...SORT_COLUMNS]).execute();

  await db.schema.dropIndex('clients_name_idx').execute();
  await db.schema.dropIndex('clients_department_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('clients_name_idx').on('clients').columns(['name', 'id']).execute();
  await db.schema.createIndex('clients_department_idx').on('clients').columns(['department_id', 'name', 'id']).execute();

  await db.schema.dropIndex('clients_id_list_idx').execute();
  for (const column of SORT_COLUMNS) {
    await db.schema.dropIndex(`clients_department_${column}_idx`).execute();
    await db.schema.dropIndex(`clients_${column}_list_idx`).execute();
  }
}
