import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await extendAlerts(db);

  await db.schema
    .createTable('alert_notes')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('alert_id', 'text', (column) => column.notNull().references('alerts.id'))
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text')
    .addColumn('username', 'text')
    .addColumn('from_status', 'text', (column) => column.notNull())
    .addColumn('to_status', 'text', (column) => column.notNull())
    .addColumn('note', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('alert_notes_alert_idx').on('alert_notes').columns(['alert_id', 'at']).execute();

  await db.schema
    .createTable('alert_responses')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('alert_id', 'text', (column) => column.notNull().references('alerts.id'))
    .addColumn('position', 'integer', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('at', 'text', (column) => column.notNull())
    .addColumn('outcome', 'text', (column) => column.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('alert_responses_alert_idx').on('alert_responses').columns(['alert_id', 'position']).execute();

  // Only rules a security administrator changed have a row; the others run on their defaults.
  await db.schema
    .createTable('detection_rules')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('enabled', 'integer', (column) => column.notNull())
    .addColumn('severity', 'text', (column) => column.notNull())
    .addColumn('params', 'text', (column) => column.notNull())
    .addColumn('responses', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('work_calendar')
    .addColumn('date', 'text', (column) => column.primaryKey())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .execute();

  await createDetectorState(db);
  await createActivityTables(db);

  // A security response can demand a fresh second factor even right after one was given.
  await db.schema.alterTable('users').addColumn('step_up_required_after', 'text').execute();

  // The rules count events in a time window before the event under evaluation: failures per
  // address, failures per account name, and one member's actions of one kind.
  await db.schema.createIndex('audit_events_ip_time_idx').on('audit_events').columns(['ip', 'occurred_at']).execute();
  await db.schema.createIndex('audit_events_account_time_idx').on('audit_events').columns(['actor_username', 'occurred_at']).execute();
  await db.schema.createIndex('audit_events_actor_action_time_idx').on('audit_events').columns(['actor_id', 'action', 'occurred_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_events_actor_action_time_idx').execute();
  await db.schema.dropIndex('audit_events_account_time_idx').execute();
  await db.schema.dropIndex('audit_events_ip_time_idx').execute();
  await db.schema.alterTable('users').dropColumn('step_up_required_after').execute();
  for (const table of ['member_day_clients', 'member_activity_days', 'alert_revision', 'detector_cursors', 'work_calendar', 'detection_rules', 'alert_responses', 'alert_notes']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('alerts_revision_idx').execute();
  await db.schema.dropIndex('alerts_group_idx').execute();
  await db.schema.dropIndex('alerts_created_idx').execute();
  for (const column of ['revision', 'responses', 'facts', 'updated_at', 'last_seen_at', 'first_seen_at', 'count', 'group_key']) {
    await db.schema.alterTable('alerts').dropColumn(column).execute();
  }
}

/** Adds grouping, facts and change tracking to the alerts table of migration 0600. */
async function extendAlerts(db: Kysely<unknown>): Promise<void> {
  // SQLite adds one column per statement.
  await db.schema.alterTable('alerts').addColumn('group_key', 'text', (column) => column.notNull().defaultTo('')).execute();
  await db.schema.alterTable('alerts').addColumn('count', 'integer', (column) => column.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('alerts').addColumn('first_seen_at', 'text', (column) => column.notNull().defaultTo('')).execute();
  await db.schema.alterTable('alerts').addColumn('last_seen_at', 'text', (column) => column.notNull().defaultTo('')).execute();
  await db.schema.alterTable('alerts').addColumn('updated_at', 'text', (column) => column.notNull().defaultTo('')).execute();
  await db.schema.alterTable('alerts').addColumn('facts', 'text', (column) => column.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('alerts').addColumn('responses', 'text', (column) => column.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('alerts').addColumn('revision', 'integer', (column) => column.notNull().defaultTo(0)).execute();
  await sql`update alerts set first_seen_at = created_at, last_seen_at = created_at, updated_at = created_at`.execute(db);

  // Break-glass alerts written before this migration kept an object as evidence; evidence is now
  // a list of audit sequence numbers, and the grant id moves to the facts.
  const old = await sql<{ id: string; evidence: string }>`select id, evidence from alerts`.execute(db);
  for (const row of old.rows) {
    if (row.evidence.trimStart().startsWith('[')) continue;
    const parsed = safeParse(row.evidence);
    const facts = typeof parsed?.grantId === 'string' ? { grantId: parsed.grantId } : {};
    await sql`update alerts set evidence = '[]', facts = ${JSON.stringify(facts)} where id = ${row.id}`.execute(db);
  }

  await db.schema.createIndex('alerts_group_idx').on('alerts').columns(['rule', 'group_key', 'status']).execute();
  await db.schema.createIndex('alerts_revision_idx').on('alerts').column('revision').execute();
  await db.schema.createIndex('alerts_created_idx').on('alerts').column('created_at').execute();
}

/** The detector's cursor into the audit log and the counter that orders alert changes. */
async function createDetectorState(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('detector_cursors')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('last_seq', 'integer', (column) => column.notNull())
    .addColumn('claimed_at', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  // An existing installation starts after its current events: alerts about the past would all
  // arrive at once and say nothing about what is happening now.
  const head = await sql<{ seq: number | string | null }>`select max(seq) as seq from audit_events`.execute(db);
  const lastSeq = Number(head.rows[0]?.seq ?? 0);
  await sql`insert into detector_cursors (name, last_seq, claimed_at, updated_at) values ('main', ${lastSeq}, null, ${new Date().toISOString()})`.execute(db);

  await db.schema
    .createTable('alert_revision')
    .addColumn('id', 'integer', (column) => column.primaryKey())
    .addColumn('value', 'integer', (column) => column.notNull())
    .execute();
  await sql`insert into alert_revision (id, value) values (1, 0)`.execute(db);
}

/** Per-member daily activity, kept by the detector for baselines and usual departments. */
async function createActivityTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('member_activity_days')
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('day', 'text', (column) => column.notNull())
    .addColumn('clients_accessed', 'integer', (column) => column.notNull())
    .addColumn('values_revealed', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('member_activity_days_pk', ['user_id', 'day'])
    .execute();

  await db.schema
    .createTable('member_day_clients')
    .addColumn('user_id', 'text', (column) => column.notNull())
    .addColumn('day', 'text', (column) => column.notNull())
    .addColumn('client_id', 'text', (column) => column.notNull())
    .addColumn('department_id', 'text')
    .addPrimaryKeyConstraint('member_day_clients_pk', ['user_id', 'day', 'client_id'])
    .execute();
  await db.schema.createIndex('member_day_clients_client_idx').on('member_day_clients').columns(['user_id', 'client_id', 'day']).execute();
}

function safeParse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
