import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // When the end of a grant was written to the audit log; the grant itself ends by its window.
  await db.schema.alterTable('access_grants').addColumn('expiry_recorded_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('access_grants').dropColumn('expiry_recorded_at').execute();
}
