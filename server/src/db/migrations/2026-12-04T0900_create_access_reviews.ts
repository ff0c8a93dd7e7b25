import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A campaign fixes its population, deadline and deadline rule when it starts; its items are a
  // snapshot of the access held at that moment, so later changes do not move what is reviewed.
  await db.schema
    .createTable('access_review_campaigns')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('population_kind', 'text', (column) => column.notNull())
    .addColumn('population_ref', 'text')
    .addColumn('deadline_at', 'text', (column) => column.notNull())
    .addColumn('deadline_rule', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('started_by', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text', (column) => column.references('users.id'))
    .execute();
  await db.schema.createIndex('access_review_campaigns_due_idx').on('access_review_campaigns').columns(['status', 'deadline_at']).execute();

  // Client, grant and department ids carry no foreign key: erasing a client or pruning ended
  // grants must not be blocked by the record of an old review.
  await db.schema
    .createTable('access_review_items')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('campaign_id', 'text', (column) => column.notNull().references('access_review_campaigns.id'))
    .addColumn('member_id', 'text', (column) => column.notNull().references('users.id'))
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('role_key', 'text')
    .addColumn('client_id', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('department_id', 'text')
    .addColumn('reviewer_id', 'text', (column) => column.references('users.id'))
    .addColumn('reviewer_role', 'text')
    .addColumn('due_at', 'text', (column) => column.notNull())
    .addColumn('escalated_at', 'text')
    .addColumn('decision', 'text')
    .addColumn('decision_source', 'text')
    .addColumn('decided_by', 'text', (column) => column.references('users.id'))
    .addColumn('decided_at', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('access_review_items_campaign_idx').on('access_review_items').columns(['campaign_id', 'decision']).execute();
  await db.schema.createIndex('access_review_items_reviewer_idx').on('access_review_items').columns(['reviewer_id', 'decision']).execute();
  await db.schema.createIndex('access_review_items_due_idx').on('access_review_items').columns(['decision', 'due_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('access_review_items').execute();
  await db.schema.dropTable('access_review_campaigns').execute();
}
