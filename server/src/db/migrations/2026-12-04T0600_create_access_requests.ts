import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('access_requests')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('beneficiary_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('filed_by', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('steps', 'text', (column) => column.notNull())
    .addColumn('current_step', 'integer', (column) => column.notNull())
    .addColumn('auto_approved', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .addColumn('decided_at', 'text')
    .execute();
  await db.schema.createIndex('access_requests_status_idx').on('access_requests').columns(['status', 'created_at']).execute();

  // One row per completed step: the primary key makes a second approval of the same step fail,
  // so two approvers acting at the same moment cannot both complete it.
  await db.schema
    .createTable('access_request_decisions')
    .addColumn('request_id', 'text', (column) => column.notNull().references('access_requests.id'))
    .addColumn('step', 'integer', (column) => column.notNull())
    .addColumn('approver_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('decision', 'text', (column) => column.notNull())
    .addColumn('note', 'text')
    .addColumn('decided_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('access_request_decisions_pk', ['request_id', 'step'])
    .execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('rule', 'text', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('evidence', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('alerts').execute();
  await db.schema.dropTable('access_request_decisions').execute();
  await db.schema.dropTable('access_requests').execute();
}
