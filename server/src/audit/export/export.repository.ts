import type { DbOrTrx } from '../../db/index.js';
import { type AuditFilters, findClientNames, toAuditEvent, whereAuditFilters } from '../audit.repository.js';
import type { ExportedEvent } from './export-columns.js';

/** Returns the highest sequence number written so far, or 0 for an empty log. */
export async function findLastSeq(db: DbOrTrx): Promise<number> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('last')).executeTakeFirst();
  return Number(row?.last ?? 0);
}

export async function countExportableEvents(db: DbOrTrx, filters: AuditFilters, throughSeq: number): Promise<number> {
  const row = await whereAuditFilters(db.selectFrom('audit_events'), filters)
    .where('seq', '<=', throughSeq)
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/**
 * Reads the matching events up to `throughSeq` in chain order, a page at a time, with each
 * event's client name. Paging by sequence number keeps memory flat for large exports.
 */
export async function* readExportPages(db: DbOrTrx, { filters, throughSeq, pageSize = 2000 }: { filters: AuditFilters; throughSeq: number; pageSize?: number }): AsyncGenerator<ExportedEvent[]> {
  const clientNames = new Map<string, string>();
  let after = 0;

  for (;;) {
    const rows = await whereAuditFilters(db.selectFrom('audit_events'), filters)
      .where('seq', '>', after)
      .where('seq', '<=', throughSeq)
      .selectAll()
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    const events = rows.map(toAuditEvent);

    const unknownClients = events.map((event) => event.clientId).filter((id): id is string => id !== null && !clientNames.has(id));
    for (const [id, name] of await findClientNames(db, unknownClients)) {
      clientNames.set(id, name);
    }
    yield events.map((event) => ({ ...event, clientName: event.clientId === null ? null : (clientNames.get(event.clientId) ?? null) }));

    if (rows.length < pageSize) return;
    after = events[events.length - 1]!.seq;
  }
}
