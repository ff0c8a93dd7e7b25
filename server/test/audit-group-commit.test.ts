import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppendedEvent, AuditLog } from '../src/audit/index.js';
import type { AuditEventInput } from '../src/audit/index.js';
import type { DatabaseHandle } from '../src/db/index.js';
import { type TestApp, createTestApp } from './test-app.js';

/**
 * `AuditLog.record()` commits the calls that arrive while another commit is in flight in one
 * shared transaction. These tests check what callers rely on: one linear chain, each call's own
 * sequence numbers, its events stored by the time it resolves, and a failed group that rejects
 * all of its calls without leaving anything behind.
 */

let app: TestApp;
const extraHandles: DatabaseHandle[] = [];

beforeEach(async () => {
  app = await createTestApp();
});

afterEach(async () => {
  await Promise.all(extraHandles.splice(0).map((handle) => handle.close()));
  await app.dispose();
});

const REJECTED_TARGET = 'reject-me';

function viewEvent(index: number, targetId = `client-${index}`): AuditEventInput {
  return { action: 'client.view', outcome: 'success', actor: { id: `u${index}`, username: `member${index}` }, targetType: 'client', targetId, details: { index } };
}

/** Makes the database itself reject any event aimed at REJECTED_TARGET, as a failing disk or constraint would. */
async function rejectMarkedEvents(): Promise<void> {
  if (app.database.dialect === 'sqlite') {
    await sql`create trigger audit_events_reject_marked before insert on audit_events when new.target_id = ${sql.lit(REJECTED_TARGET)} begin select raise(abort, 'marked event rejected'); end`.execute(app.db);
    return;
  }
  await sql`create function reject_marked_audit_event() returns trigger language plpgsql as $$ begin if new.target_id = ${sql.lit(REJECTED_TARGET)} then raise exception 'marked event rejected'; end if; return new; end $$`.execute(app.db);
  await sql`create trigger audit_events_reject_marked before insert on audit_events for each row execute function reject_marked_audit_event()`.execute(app.db);
}

async function expectOneLinearChain(count: number): Promise<void> {
  const rows = await app.db.selectFrom('audit_events').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
  expect(rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: count }, (_, index) => index + 1));
  for (let index = 1; index < rows.length; index += 1) {
    expect(rows[index]!.prev_hash).toBe(rows[index - 1]!.hash);
  }
  expect(await app.audit.verify()).toEqual({ intact: true, checked: count });
}

describe('group commit of record()', () => {
  it('gives concurrent calls distinct places in one chain', async () => {
    const calls = Array.from({ length: 300 }, (_, index) => (index % 10 === 0 ? app.audit.record(viewEvent(index), viewEvent(index + 1000)) : app.audit.record(viewEvent(index))));

    const results = await Promise.all(calls);

    const seqs = results.flat().map((event) => event.seq);
    expect(new Set(seqs).size).toBe(330);
    await expectOneLinearChain(330);
    const stored = new Map((await app.db.selectFrom('audit_events').select(['seq', 'hash', 'target_id']).execute()).map((row) => [Number(row.seq), row]));
    results.forEach((appended, index) => {
      expect(stored.get(appended[0]!.seq)?.target_id).toBe(`client-${index}`);
      for (const event of appended) expect(stored.get(event.seq)?.hash).toBe(event.hash);
    });
  });

  it('keeps the events of one call adjacent', async () => {
    const calls = Array.from({ length: 40 }, (_, index) => app.audit.record(viewEvent(index), viewEvent(index), viewEvent(index)));

    const results = await Promise.all(calls);

    for (const appended of results) {
      expect(appended.map((event) => event.seq)).toEqual([appended[0]!.seq, appended[0]!.seq + 1, appended[0]!.seq + 2]);
    }
    await expectOneLinearChain(120);
  });

  it('resolves each call only after its event is committed', async () => {
    // A second connection sees only committed rows, so a call that resolved early shows up as missing here.
    const observer = app.openAnotherDatabase({ poolSize: 2 });
    extraHandles.push(observer);
    const seen: boolean[] = [];

    await Promise.all(
      Array.from({ length: 60 }, async (_, index) => {
        const [appended] = await app.audit.record(viewEvent(index));
        const row = await observer.db.selectFrom('audit_events').select('seq').where('seq', '=', appended!.seq).executeTakeFirst();
        seen.push(row !== undefined);
      }),
    );

    expect(seen).toHaveLength(60);
    expect(seen.every(Boolean)).toBe(true);
  });

  it('rejects every call of a failed group and keeps the chain intact', async () => {
    await app.audit.record(viewEvent(0));
    await rejectMarkedEvents();

    // Calls made in one tick share one transaction, so the marked event fails all ten.
    const failing = Array.from({ length: 10 }, (_, index) => app.audit.record(viewEvent(index + 1, index === 4 ? REJECTED_TARGET : undefined)));
    const outcomes = await Promise.allSettled(failing);
    const after = await Promise.all(Array.from({ length: 5 }, (_, index) => app.audit.record(viewEvent(index + 20))));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: 10 }, () => 'rejected'));
    for (const outcome of outcomes) {
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/marked event rejected/);
    }
    expect(after.flat().map((event: AppendedEvent) => event.seq)).toEqual([2, 3, 4, 5, 6]);
    await expectOneLinearChain(6);
    const head = await app.db.selectFrom('audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    const last = await app.db.selectFrom('audit_events').select('hash').where('seq', '=', 6).executeTakeFirstOrThrow();
    expect({ seq: Number(head.seq), hash: head.hash }).toEqual({ seq: 6, hash: last.hash });
  });

  it('rejects only the call whose event cannot be serialized', async () => {
    const calls = Array.from({ length: 5 }, (_, index) =>
      index === 2 ? app.audit.record({ ...viewEvent(index), details: { count: BigInt(index) } }) : app.audit.record(viewEvent(index)),
    );

    const outcomes = await Promise.allSettled(calls);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    await expectOneLinearChain(4);
  });

  it('appends within a caller transaction while record() calls run', async () => {
    const recorded = Array.from({ length: 30 }, (_, index) => app.audit.record(viewEvent(index)));
    const inTransaction = app.db.transaction().execute((trx) => app.audit.append(trx, viewEvent(100), viewEvent(101)));

    const [appended] = await Promise.all([inTransaction, Promise.all(recorded)]);

    expect(appended.map((event) => event.seq)).toEqual([appended[0]!.seq, appended[0]!.seq + 1]);
    await expectOneLinearChain(32);
  });

  // Several processes writing one chain exist only on PostgreSQL; see audit-concurrency.test.ts.
  it.skipIf(!process.env.TEST_DATABASE_URL)('keeps one chain when several logs group-commit at once', async () => {
    const writers = [app.audit];
    for (let index = 0; index < 3; index += 1) {
      const handle = app.openAnotherDatabase({ poolSize: 3 });
      extraHandles.push(handle);
      writers.push(new AuditLog({ db: handle.db, dialect: handle.dialect }));
    }

    const results = await Promise.all(writers.flatMap((writer, instance) => Array.from({ length: 120 }, (_, index) => writer.record(viewEvent(instance * 1000 + index)))));

    expect(new Set(results.flat().map((event) => event.seq)).size).toBe(480);
    await expectOneLinearChain(480);
  });
});
