import { sql } from 'kysely';
import { computeEventHash } from '../src/audit/chain.js';
import type { AuditRow } from '../src/audit/audit.repository.js';
import type { TestApp } from './test-app.js';

/** Appends `count` plain events, one transaction each, as ordinary activity would. */
export async function appendEvents(app: TestApp, count: number, label = 'member'): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await app.audit.record({ action: 'client.view', outcome: 'success', actor: { id: `${label}-${index}`, username: `${label}${index}` }, details: { index } });
  }
}

/**
 * Acts as a database administrator who wants to hide something: drops the append-only
 * triggers, which anyone with owner rights on the tables can do.
 */
export async function dropAppendOnlyTriggers(app: TestApp): Promise<void> {
  if (app.database.dialect === 'sqlite') {
    for (const name of ['audit_events_no_update', 'audit_events_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete', 'audit_archives_no_update', 'audit_archives_no_delete']) {
      await sql`drop trigger if exists ${sql.id(name)}`.execute(app.db);
    }
    return;
  }
  for (const table of ['audit_events', 'audit_checkpoints', 'audit_archives']) {
    await sql`drop trigger if exists ${sql.id(`${table}_append_only`)} on ${sql.id(table)}`.execute(app.db);
    await sql`drop trigger if exists ${sql.id(`${table}_no_truncate`)} on ${sql.id(table)}`.execute(app.db);
  }
}

export async function readRows(app: TestApp): Promise<AuditRow[]> {
  return app.db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
}

/**
 * Replaces every event row and recomputes every hash and the chain head. An administrator who
 * has read the hash scheme (it is no secret) can do this after changing, inserting, deleting or
 * reordering events, and only the signed checkpoints reveal such a rewrite.
 */
export async function rewriteChain(app: TestApp, rows: Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>[]): Promise<void> {
  let previousHash = '0'.repeat(64);
  const rewritten: AuditRow[] = rows.map((row, index) => {
    const unhashed = { ...row, seq: index + 1, prev_hash: previousHash };
    previousHash = computeEventHash(unhashed);
    return { ...unhashed, hash: previousHash };
  });

  await app.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('audit_events').execute();
    if (rewritten.length > 0) await trx.insertInto('audit_events').values(rewritten).execute();
    await trx.updateTable('audit_head').set({ seq: rewritten.length, hash: previousHash }).where('id', '=', 1).execute();
  });
}

/** Returns a row's content without its position in the chain. */
export function contentOf(row: AuditRow): Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'> {
  const { seq: _seq, prev_hash: _prev, hash: _hash, ...content } = row;
  return content;
}
