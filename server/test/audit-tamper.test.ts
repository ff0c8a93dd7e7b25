import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEvents, contentOf, dropAppendOnlyTriggers, readRows, rewriteChain } from './audit-fixture.js';
import { alertsOf, detectAll } from './detect-fixture.js';
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

/** Runs the command line against the test app's database and returns its exit status and output. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: app.config.dataDir, LOG_LEVEL: 'silent' };
  if (app.config.databaseUrl && app.config.databaseSchema) {
    environment.DATABASE_URL = app.config.databaseUrl;
    environment.DATABASE_SCHEMA = app.config.databaseSchema;
  }
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ledgerguard.mjs', ...args], { env: environment });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Exports the checkpoints to a file in the data folder, as an auditor keeping a safe copy would. */
async function exportSafeCopy(): Promise<string> {
  const exported = path.join(app.config.dataDir, 'safe-copy.jsonl');
  const { content } = await app.auditIntegrity.exportCheckpoints({ requester: { actor: null }, now: new Date(), via: 'cli' });
  writeFileSync(exported, content);
  return exported;
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

  it('catches truncation behind the last checkpoint through the detector cursor', async () => {
    await appendEvents(app, 3, 'd');
    const now = new Date().toISOString();
    await app.db.insertInto('detector_cursors').values({ name: 'tamper-test', last_seq: 13, claimed_at: null, updated_at: now }).execute();
    await truncateAfter(11);

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 12, problem: 'truncated' });
  });

  it('catches truncation behind the last checkpoint through alert evidence', async () => {
    await appendEvents(app, 3, 'd');
    const now = new Date().toISOString();
    await app.db
      .insertInto('alerts')
      .values({ id: 'a1b2c3d4-0000-4000-8000-000000000001', rule: 'probing', severity: 'medium', user_id: null, client_id: null, evidence: JSON.stringify([12, 13]), status: 'new', created_at: now, group_key: '', count: 1, first_seen_at: now, last_seen_at: now, updated_at: now, facts: '{}', responses: '[]', revision: 1 })
      .execute();
    await truncateAfter(12);

    expect(await app.auditIntegrity.verify()).toMatchObject({ intact: false, firstBrokenSeq: 13, problem: 'truncated' });
  });

  it('rejects a changed exported file without blaming the log', async () => {
    const exported = await exportSafeCopy();
    const lines = readFileSync(exported, 'utf8').trim().split('\n');
    lines[2] = JSON.stringify({ ...(JSON.parse(lines[2]!) as object), chainHash: 'e'.repeat(64) });
    writeFileSync(exported, `${lines.join('\n')}\n`);

    const result = await app.auditIntegrity.verifyAndRecord({ trigger: 'cli', requester: { actor: null }, now: new Date(), checkpointFile: exported });
    const status = await app.auditIntegrity.chainStatus();
    const cli = await runCli(['audit', 'verify', '--checkpoints', exported]);

    expect(result).toMatchObject({ intact: true, checkpointFile: { genuine: false, invalidSignatures: 1 } });
    expect(status.lastVerification).toMatchObject({ intact: true });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('不是本系统签发的原件');
    expect(cli.stderr).toContain('is not genuine');
    expect(cli.stderr).not.toContain('checkpoint_signature_invalid');
  });

  it('names trusted and untrusted events after a rehash', async () => {
    const rows = await readRows(app);
    rows[8] = { ...rows[8]!, actor_username: 'someone-else' };
    await rewriteChain(app, rows.map(contentOf));

    const cli = await runCli(['audit', 'verify']);

    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('自第 8 条事件起不可信');
    expect(cli.stderr).toContain('第 1–7 条事件与已签名的检查点一致');
    expect(cli.stderr).toContain('events from 8 on cannot be trusted');
    expect(cli.stderr).toContain('Events 1–7 match a signed checkpoint');
    expect(cli.stderr).not.toContain('此前');
  });

  it('exports checkpoints only to a writable path', async () => {
    const before = await app.db.selectFrom('audit_events').select('seq').where('action', '=', 'audit.checkpoints_exported').execute();
    const missingFolder = path.join(app.config.dataDir, 'no-such-folder', 'x.jsonl');

    const cli = await runCli(['audit', 'checkpoints', 'export', missingFolder]);
    const after = await app.db.selectFrom('audit_events').select('seq').where('action', '=', 'audit.checkpoints_exported').execute();

    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('无法写入输出文件');
    expect(cli.stderr).toContain('cannot write the output file');
    expect(after.length).toBe(before.length);
  });

  it('raises one critical alert for a broken chain', async () => {
    // The checkpoint job checks only the events after the last checkpoint, so the change is there.
    await appendEvents(app, 2, 'e');
    await app.db.updateTable('audit_events').set({ reason: 'edited' }).where('seq', '=', 11).execute();

    // A day later a checkpoint is due by time, so the job checks the chain before signing.
    await app.auditIntegrity.runCheckpointJob(new Date(Date.now() + 24 * 60 * 60_000));
    await app.auditIntegrity.verifyAndRecord({ trigger: 'manual', requester: { actor: null }, now: new Date() });
    await detectAll(app);

    const alerts = await alertsOf(app, 'audit_chain_broken');
    const triggers = await app.db.selectFrom('audit_events').select('details').where('action', '=', 'audit.verified').where('outcome', '=', 'failure').execute();
    expect(triggers.map((row) => (JSON.parse(row.details) as { trigger: string }).trigger)).toEqual(['checkpoint', 'manual']);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'critical', user_id: null, count: 2 });
    expect(JSON.parse(alerts[0]!.facts)).toMatchObject({ firstBrokenSeq: 11, problem: 'hash_mismatch' });
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
