import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvents, contentOf, dropAppendOnlyTriggers, readRows, rewriteChain } from './audit-fixture.js';
import { type TestApp, createTestApp } from './test-app.js';

const run = promisify(execFile);
let app: TestApp;

/**
 * Ten events with signed checkpoints at 3, 7 and 10 (each checkpoint's own announcement event),
 * then the append-only triggers dropped, as a database administrator could.
 */
beforeEach(async () => {
  app = await createTestApp();
  await appendEvents(app, 2, 'a');
  await app.auditIntegrity.signCheckpoint(new Date());
  await appendEvents(app, 3, 'b');
  await app.auditIntegrity.signCheckpoint(new Date());
  await appendEvents(app, 2, 'c');
  await app.auditIntegrity.signCheckpoint(new Date());
  await dropAppendOnlyTriggers(app);
});

afterEach(async () => {
  await app.dispose();
});

const localFile = () => path.join(app.config.dataDir, 'audit', 'checkpoints.jsonl');

/** Removes events after `lastKept` and points the chain head at the new end, hiding the cut from the database. */
async function truncateAfter(lastKept: number): Promise<void> {
  const newEnd = await app.db.selectFrom('audit_events').select('hash').where('seq', '=', lastKept).executeTakeFirstOrThrow();
  await app.db.deleteFrom('audit_events').where('seq', '>', lastKept).execute();
  await app.db.updateTable('audit_head').set({ seq: lastKept, hash: newEnd.hash }).where('id', '=', 1).execute();
}

describe('tamper detection with signed checkpoints', () => {
  it('accepts the untouched log', async () => {
    expect(await app.auditIntegrity.verify()).toEqual({ intact: true, checked: 10, checkpoints: { checked: 3, lastSeq: 10 } });
  });

  it('names a changed event', async () => {
    await app.db.updateTable('audit_events').set({ reason: 'edited' }).where('seq', '=', 5).execute();

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 5, problem: 'hash_mismatch' });
  });

  it('catches a changed event under a rehashed chain', async () => {
    const rows = await readRows(app);
    rows[4] = { ...rows[4]!, actor_username: 'someone-else' };
    await rewriteChain(app, rows.map(contentOf));

    // The database alone is consistent again; only the checkpoints show the change.
    expect((await app.audit.verify()).intact).toBe(true);
    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 4, problem: 'checkpoint_mismatch', checkpoints: { checked: 1, lastSeq: 3 } });
  });

  it('catches a deleted event under a rehashed chain', async () => {
    const rows = await readRows(app);
    rows.splice(4, 1);
    await rewriteChain(app, rows.map(contentOf));

    expect((await app.audit.verify()).intact).toBe(true);
    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 4, problem: 'checkpoint_mismatch' });
  });

  it('catches an inserted event under a rehashed chain', async () => {
    const rows = await readRows(app);
    rows.splice(4, 0, { ...rows[3]!, actor_username: 'alibi' });
    await rewriteChain(app, rows.map(contentOf));

    expect((await app.audit.verify()).intact).toBe(true);
    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 4, problem: 'checkpoint_mismatch' });
  });

  it('catches swapped events under a rehashed chain', async () => {
    const rows = await readRows(app);
    [rows[4], rows[5]] = [rows[5]!, rows[4]!];
    await rewriteChain(app, rows.map(contentOf));

    expect((await app.audit.verify()).intact).toBe(true);
    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 4, problem: 'checkpoint_mismatch' });
  });

  it('catches a swap without rehashing', async () => {
    const fifth = await app.db.selectFrom('audit_events').selectAll().where('seq', '=', 5).executeTakeFirstOrThrow();
    const sixth = await app.db.selectFrom('audit_events').selectAll().where('seq', '=', 6).executeTakeFirstOrThrow();
    await app.db.deleteFrom('audit_events').where('seq', 'in', [5, 6]).execute();
    await app.db.insertInto('audit_events').values([{ ...sixth, seq: 5 }, { ...fifth, seq: 6 }]).execute();

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 5, problem: 'link_broken' });
  });

  it('catches a truncated tail behind the last checkpoint', async () => {
    await truncateAfter(8);

    expect((await app.audit.verify()).intact).toBe(true);
    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 9, problem: 'truncated' });
  });

  it('catches truncation with the checkpoint rows deleted too', async () => {
    await truncateAfter(8);
    await app.db.deleteFrom('audit_checkpoints').where('seq', '>', 8).execute();

    // The file outside the database still contains the checkpoint at 10.
    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 9, problem: 'truncated', checkpoints: { checked: 2, lastSeq: 7 } });
  });

  it('catches truncation through an exported file alone', async () => {
    const exported = path.join(app.config.dataDir, 'safe-copy.jsonl');
    const { content } = await app.auditIntegrity.exportCheckpoints({ requester: { actor: null }, now: new Date(), via: 'cli' });
    writeFileSync(exported, content);
    await truncateAfter(6);
    await app.db.deleteFrom('audit_checkpoints').where('seq', '>', 6).execute();
    rmSync(localFile());

    expect((await app.auditIntegrity.verify()).intact).toBe(true);
    expect(await app.auditIntegrity.verify({ checkpointFile: exported })).toMatchObject({ intact: false, firstBrokenSeq: 7, problem: 'truncated' });
  });

  it('rejects a checkpoint row changed in the database', async () => {
    await app.db.updateTable('audit_checkpoints').set({ chain_hash: 'f'.repeat(64) }).where('seq', '=', 7).execute();

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 7, problem: 'checkpoint_signature_invalid' });
  });

  it('rejects a checkpoint line changed in the outside file', async () => {
    const lines = readFileSync(localFile(), 'utf8').trim().split('\n');
    lines[1] = JSON.stringify({ ...(JSON.parse(lines[1]!) as object), seq: 6 });
    writeFileSync(localFile(), `${lines.join('\n')}\n`);

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 6, problem: 'checkpoint_signature_invalid' });
  });

  it('reports truncation on the command line in both languages', async () => {
    await truncateAfter(8);
    const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: app.config.dataDir, LOG_LEVEL: 'silent' };
    if (app.config.databaseUrl && app.config.databaseSchema) {
      environment.DATABASE_URL = app.config.databaseUrl;
      environment.DATABASE_SCHEMA = app.config.databaseSchema;
    }

    const failure = (await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'verify'], { env: environment }).catch((error: unknown) => error)) as { code: number; stderr: string };

    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('自第 9 条事件起不可信');
    expect(failure.stderr).toContain('截断');
    expect(failure.stderr).toContain('audit log broken at event 9 (truncated)');
  });
});
