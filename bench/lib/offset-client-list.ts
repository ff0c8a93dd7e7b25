import { sql } from 'kysely';
import { type SubjectSnapshot, clientScopeCondition } from '../../server/src/access/index.js';
import type { ClientTable, DbOrTrx } from '../../server/src/db/index.js';

/**
 * Lists a page of clients as the list did before keyset paging, for the benchmark's reference:
 * the same scope condition, ORDER BY with nulls last, LIMIT and OFFSET, and a count of every
 * match run beside it on each page. Only the parts the benchmark uses (no search, no filters) are kept.
 */
export async function listClientsByOffset(db: DbOrTrx, subject: SubjectSnapshot, { offset, limit }: { offset: number; limit: number }): Promise<{ rows: ClientTable[]; total: number }> {
  const query = db.selectFrom('clients').where((eb) => clientScopeCondition(eb, subject, 'client:list')).where('clients.status', '=', 'active');

  const [rows, count] = await Promise.all([
    query
      .selectAll('clients')
      .orderBy(sql`case when ${sql.ref('clients.name')} is null then 1 else 0 end`)
      .orderBy('clients.name', 'asc')
      .orderBy('clients.id', 'asc')
      .offset(offset)
      .limit(limit)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}
