import type { CreateTableBuilder, Kysely } from 'kysely';

/** Adds the ciphertext, stored masked form and (when searched) blind index of a protected field. */
type TableBuilder = CreateTableBuilder<string, string>;

function protectedColumns(table: TableBuilder, column: string, searchable: boolean): TableBuilder {
  let builder: TableBuilder = table.addColumn(`${column}_enc`, 'text').addColumn(`${column}_masked`, 'text');
  if (searchable) {
    builder = builder.addColumn(`${column}_bidx`, 'text');
  }
  return builder;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  let clients: TableBuilder = db.schema
    .createTable('clients')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('name_key', 'text', (column) => column.notNull())
    .addColumn('uscc', 'text', (column) => column.notNull().unique())
    .addColumn('taxpayer_type', 'text')
    .addColumn('registered_address', 'text')
    .addColumn('registered_capital', 'text')
    .addColumn('legal_rep_name', 'text');
  clients = protectedColumns(clients, 'legal_rep_id_number', true);
  clients = clients.addColumn('contact_name', 'text');
  clients = protectedColumns(clients, 'contact_phone', true);
  clients = clients.addColumn('bank_name', 'text');
  clients = protectedColumns(clients, 'bank_account', true);
  clients = clients
    .addColumn('tax_bureau', 'text')
    .addColumn('service_start', 'text')
    .addColumn('service_end', 'text')
    .addColumn('last_year_revenue', 'text')
    .addColumn('notes', 'text');
  clients = protectedColumns(clients, 'confidential_notes', false);
  await clients
    .addColumn('department_id', 'text', (column) => column.references('departments.id'))
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();

  await db.schema.createIndex('clients_name_idx').on('clients').columns(['name', 'id']).execute();
  await db.schema.createIndex('clients_department_idx').on('clients').columns(['department_id', 'name', 'id']).execute();
  await db.schema.createIndex('clients_id_number_bidx').on('clients').column('legal_rep_id_number_bidx').execute();
  await db.schema.createIndex('clients_phone_bidx').on('clients').column('contact_phone_bidx').execute();
  await db.schema.createIndex('clients_bank_bidx').on('clients').column('bank_account_bidx').execute();

  let people: TableBuilder = db.schema
    .createTable('client_people')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('client_id', 'text', (column) => column.notNull().references('clients.id'))
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull());
  people = protectedColumns(people, 'id_number', true);
  people = protectedColumns(people, 'phone', true);
  await people.addColumn('created_at', 'text', (column) => column.notNull()).execute();
  await db.schema.createIndex('client_people_client_idx').on('client_people').column('client_id').execute();

  await db.schema
    .createTable('client_assignments')
    .addColumn('client_id', 'text', (column) => column.notNull().references('clients.id'))
    .addColumn('user_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('client_assignments_pk', ['client_id', 'user_id'])
    .execute();
  await db.schema.createIndex('client_assignments_user_idx').on('client_assignments').columns(['user_id', 'client_id']).execute();

  await db.schema
    .createTable('data_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('client_id', 'text')
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('wrapped', 'text', (column) => column.notNull())
    .addColumn('kek_version', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('data_keys_client_idx').on('data_keys').columns(['client_id', 'version']).execute();

  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('file_name', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('total', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('accepted', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('created', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('duplicates', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('error_code', 'text')
    .addColumn('rejections', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['import_jobs', 'data_keys', 'client_assignments', 'client_people', 'clients']) {
    await db.schema.dropTable(table).execute();
  }
}
