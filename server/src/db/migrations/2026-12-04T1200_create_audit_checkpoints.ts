import { type Kysely, SqliteAdapter, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('seq', 'integer', (column) => column.primaryKey())
    .addColumn('chain_hash', 'text', (column) => column.notNull())
    .addColumn('signed_at', 'text', (column) => column.notNull())
    .addColumn('algorithm', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('signature', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('audit_archives')
    .addColumn('first_seq', 'integer', (column) => column.primaryKey())
    .addColumn('last_seq', 'integer', (column) => column.notNull().unique())
    .addColumn('first_prev_hash', 'text', (column) => column.notNull())
    .addColumn('last_hash', 'text', (column) => column.notNull())
    .addColumn('event_count', 'integer', (column) => column.notNull())
    .addColumn('file_name', 'text', (column) => column.notNull())
    .addColumn('file_sha256', 'text', (column) => column.notNull())
    .addColumn('before_at', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('algorithm', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text', (column) => column.notNull())
    .addColumn('signature', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('audit_verifications')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('verified_at', 'text', (column) => column.notNull())
    .addColumn('trigger', 'text', (column) => column.notNull())
    .addColumn('intact', 'integer', (column) => column.notNull())
    .addColumn('checked', 'integer', (column) => column.notNull())
    .addColumn('first_broken_seq', 'integer')
    .addColumn('problem', 'text')
    .addColumn('checkpoints_checked', 'integer', (column) => column.notNull())
    .addColumn('last_checkpoint_seq', 'integer')
    .addColumn('actor_id', 'text')
    .execute();
  await db.schema.createIndex('audit_verifications_time_idx').on('audit_verifications').column('verified_at').execute();

  // Defence in depth: the database itself rejects changes to the log. Events leave only through
  // archiving, which records the covering segment in audit_archives first, in the same transaction.
  // Someone who can drop these triggers can still tamper; the hash chain and the signed
  // checkpoints are what reveal that.
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await createSqliteTriggers(db);
  } else {
    await createPostgresTriggers(db);
  }
}

async function createSqliteTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create trigger audit_events_no_update before update on audit_events
    begin select raise(abort, 'audit_events is append-only: update rejected'); end`.execute(db);
  await sql`create trigger audit_events_no_delete before delete on audit_events
    when not exists (select 1 from audit_archives where old.seq between first_seq and last_seq)
    begin select raise(abort, 'audit_events is append-only: rows leave only by archiving'); end`.execute(db);
  for (const table of ['audit_checkpoints', 'audit_archives']) {
    await sql`create trigger ${sql.id(`${table}_no_update`)} before update on ${sql.id(table)}
      begin select raise(abort, 'audit records are append-only: update rejected'); end`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_delete`)} before delete on ${sql.id(table)}
      begin select raise(abort, 'audit records are append-only: delete rejected'); end`.execute(db);
  }
}

async function createPostgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create function audit_events_reject_change() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and exists (select 1 from audit_archives a where old.seq between a.first_seq and a.last_seq) then
        return old;
      end if;
      raise exception 'audit_events is append-only: % rejected', tg_op using errcode = 'integrity_constraint_violation';
    end $$`.execute(db);
  await sql`create function audit_records_reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit records are append-only: % on % rejected', tg_op, tg_table_name using errcode = 'integrity_constraint_violation';
    end $$`.execute(db);

  await sql`create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function audit_events_reject_change()`.execute(db);
  // TRUNCATE fires no row triggers, so it needs a statement trigger of its own.
  await sql`create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_records_reject_change()`.execute(db);
  for (const table of ['audit_checkpoints', 'audit_archives']) {
    await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.id(table)}
      for each row execute function audit_records_reject_change()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.id(table)}
      for each statement execute function audit_records_reject_change()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`drop trigger audit_events_no_update`.execute(db);
    await sql`drop trigger audit_events_no_delete`.execute(db);
  } else {
    await sql`drop trigger audit_events_append_only on audit_events`.execute(db);
    await sql`drop trigger audit_events_no_truncate on audit_events`.execute(db);
  }
  await db.schema.dropTable('audit_verifications').execute();
  await db.schema.dropTable('audit_archives').execute();
  await db.schema.dropTable('audit_checkpoints').execute();
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    await sql`drop function audit_records_reject_change()`.execute(db);
    await sql`drop function audit_events_reject_change()`.execute(db);
  }
}
