import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ChainBrokenError } from '../src/audit/index.js';
import { checkpointMessage } from '../src/audit/checkpoint.js';
import { isValidSignature } from '../src/audit/signing-keys.js';
import { testConfig } from '../src/config/config.js';
import { appendEvents, dropAppendOnlyTriggers } from './audit-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from './test-app.js';

const run = promisify(execFile);
const MINUTE = 60_000;
let app: TestApp;

async function start(settings: Partial<TestApp['config']['auditIntegrity']> = {}): Promise<TestApp> {
  app = await createTestApp({ auditIntegrity: { ...testConfig().auditIntegrity, checkpointEveryEvents: 5, checkpointMinutes: 10, ...settings } });
  return app;
}

afterEach(async () => {
  await app.dispose();
});

function localFileLines(): Record<string, unknown>[] {
  const file = path.join(app.config.dataDir, 'audit', 'checkpoints.jsonl');
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('checkpoint signing', () => {
  it('signs the first checkpoint once events exist', async () => {
    await start();
    const now = new Date();
    expect(await app.auditIntegrity.signCheckpointIfDue(now)).toBeUndefined();
    await appendEvents(app, 2);

    const checkpoint = await app.auditIntegrity.signCheckpointIfDue(now);

    const head = await app.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    expect(checkpoint).toMatchObject({ seq: 3, chainHash: head.hash, signedAt: now.toISOString(), algorithm: 'ed25519' });
    const announced = await app.db.selectFrom('audit_events').select(['seq', 'action', 'details']).where('seq', '=', 3).executeTakeFirstOrThrow();
    expect(announced.action).toBe('audit.checkpoint_signed');
    expect(JSON.parse(announced.details)).toMatchObject({ algorithm: 'ed25519', keyId: checkpoint!.keyId, previousCheckpointSeq: null });
  });

  it('stores the checkpoint in the table and the outside file', async () => {
    await start();
    await appendEvents(app, 2);

    const checkpoint = (await app.auditIntegrity.signCheckpointIfDue(new Date()))!;

    const row = await app.db.selectFrom('audit_checkpoints').selectAll().executeTakeFirstOrThrow();
    expect(row).toEqual({ seq: 3, chain_hash: checkpoint.chainHash, signed_at: checkpoint.signedAt, algorithm: 'ed25519', key_id: checkpoint.keyId, signature: checkpoint.signature });
    expect(localFileLines()).toEqual([{ ...checkpoint }]);
    expect(statSync(path.join(app.config.dataDir, 'audit', 'checkpoints.jsonl')).mode & 0o077).toBe(0);
  });

  it('signs with the key from the key file', async () => {
    await start();
    await appendEvents(app, 1);

    const checkpoint = (await app.auditIntegrity.signCheckpointIfDue(new Date()))!;

    const keyFile = JSON.parse(readFileSync(path.join(app.config.dataDir, 'keys', 'audit-signing.json'), 'utf8')) as { keys: { keyId: string; publicKey: string }[] };
    expect(keyFile.keys).toHaveLength(1);
    expect(keyFile.keys[0]!.keyId).toBe(checkpoint.keyId);
    const publicKey = { keyId: checkpoint.keyId, algorithm: 'ed25519' as const, publicKeyPem: keyFile.keys[0]!.publicKey };
    expect(isValidSignature(publicKey, checkpointMessage(checkpoint), checkpoint.signature)).toBe(true);
    expect(isValidSignature(publicKey, checkpointMessage({ ...checkpoint, seq: checkpoint.seq + 1 }), checkpoint.signature)).toBe(false);
  });

  it('never becomes due again on an idle log', async () => {
    await start();
    await appendEvents(app, 3);
    const now = Date.now();
    await app.auditIntegrity.signCheckpointIfDue(new Date(now));

    expect(await app.auditIntegrity.signCheckpointIfDue(new Date(now + 60 * MINUTE))).toBeUndefined();
    expect(await app.auditIntegrity.signCheckpointIfDue(new Date(now + 24 * 60 * MINUTE))).toBeUndefined();
    expect(await app.db.selectFrom('audit_checkpoints').select('seq').execute()).toHaveLength(1);
  });

  it('becomes due after the configured number of events', async () => {
    await start({ checkpointEveryEvents: 5 });
    await appendEvents(app, 1);
    const now = Date.now();
    await app.auditIntegrity.signCheckpointIfDue(new Date(now));

    await appendEvents(app, 4);
    expect(await app.auditIntegrity.signCheckpointIfDue(new Date(now + MINUTE))).toBeUndefined();
    await appendEvents(app, 1);
    const second = await app.auditIntegrity.signCheckpointIfDue(new Date(now + MINUTE));

    expect(second?.seq).toBe(8);
  });

  it('becomes due after the configured minutes', async () => {
    await start({ checkpointMinutes: 10 });
    await appendEvents(app, 1);
    const now = Date.now();
    await app.auditIntegrity.signCheckpointIfDue(new Date(now));
    await appendEvents(app, 1);

    expect(await app.auditIntegrity.signCheckpointIfDue(new Date(now + 9 * MINUTE))).toBeUndefined();
    expect((await app.auditIntegrity.signCheckpointIfDue(new Date(now + 10 * MINUTE)))?.seq).toBe(4);
  });

  it('signs one checkpoint when two runs race', async () => {
    await start();
    await appendEvents(app, 3);

    const results = await Promise.all([app.auditIntegrity.signCheckpointIfDue(new Date()), app.auditIntegrity.signCheckpointIfDue(new Date()), app.auditIntegrity.signCheckpointIfDue(new Date())]);

    expect(results.filter((result) => result !== undefined)).toHaveLength(1);
    expect(await app.db.selectFrom('audit_checkpoints').select('seq').execute()).toEqual([{ seq: 4 }]);
    expect(await app.db.selectFrom('audit_events').select('seq').where('action', '=', 'audit.checkpoint_signed').execute()).toHaveLength(1);
    expect(localFileLines()).toHaveLength(1);
    expect((await app.auditIntegrity.verify()).intact).toBe(true);
  });

  it('rejects signing over a changed event', async () => {
    await start();
    await appendEvents(app, 3);
    await dropAppendOnlyTriggers(app);
    await app.db.updateTable('audit_events').set({ actor_username: 'someone-else' }).where('seq', '=', 2).execute();

    await expect(app.auditIntegrity.signCheckpointIfDue(new Date())).rejects.toBeInstanceOf(ChainBrokenError);
    expect(await app.db.selectFrom('audit_checkpoints').select('seq').execute()).toEqual([]);
    expect(await app.db.selectFrom('audit_events').select('seq').where('action', '=', 'audit.checkpoint_signed').execute()).toEqual([]);
  });

  it('logs a broken chain once per break', async () => {
    await start();
    await appendEvents(app, 3);
    await dropAppendOnlyTriggers(app);
    await app.db.updateTable('audit_events').set({ actor_username: 'someone-else' }).where('seq', '=', 2).execute();

    await app.auditIntegrity.runCheckpointJob(new Date());
    await app.auditIntegrity.runCheckpointJob(new Date());

    const logged = app.logLines.filter((line) => line.includes('audit checkpoint not signed'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 50, firstBrokenSeq: 2, problem: 'hash_mismatch' });
  });

  it('runs as background work', async () => {
    await start();
    await appendEvents(app, 2);

    app.background.start();
    await expect.poll(async () => (await app.db.selectFrom('audit_checkpoints').select('seq').execute()).length, { timeout: 5000 }).toBe(1);
    await expect.poll(async () => (await app.db.selectFrom('audit_verifications').select('trigger').execute()).map((row) => row.trigger), { timeout: 5000 }).toEqual(['scheduled']);
  });

  it('signs SM2 checkpoints when configured', async () => {
    await start({ signingAlgorithm: 'sm2' });
    await appendEvents(app, 2);

    const checkpoint = await app.auditIntegrity.signCheckpointIfDue(new Date());

    expect(checkpoint?.algorithm).toBe('sm2');
    expect(await app.auditIntegrity.verify()).toEqual({ intact: true, checked: 3, checkpoints: { checked: 1, lastSeq: 3 } });
  });
});

describe('checkpoint routes', () => {
  async function signInAs(username: string, roles: Parameters<typeof createMember>[1]['roles']) {
    await createMember(app, { username, roles });
    return TestSession.signIn(app.app, username, TEST_PASSWORD);
  }

  it('lists checkpoints newest first', async () => {
    await start();
    const auditor = await signInAs('auditor', ['audit_admin']);
    await app.auditIntegrity.signCheckpoint(new Date());
    await appendEvents(app, 2);
    await app.auditIntegrity.signCheckpoint(new Date());

    const response = await auditor.get('/api/audit/checkpoints?page=1&pageSize=1');

    expect(response.statusCode).toBe(200);
    const body = response.json() as { total: number; items: Record<string, unknown>[] };
    expect(body.total).toBe(2);
    expect(body.items).toHaveLength(1);
    expect(Object.keys(body.items[0]!).sort()).toEqual(['algorithm', 'chainHash', 'keyId', 'seq', 'signedAt']);
  });

  it('exports the keys and checkpoints and records the export', async () => {
    await start();
    const auditor = await signInAs('auditor', ['audit_admin']);
    const checkpoint = (await app.auditIntegrity.signCheckpoint(new Date()))!;

    const response = await auditor.get('/api/audit/checkpoints/export');

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="ledgerguard-checkpoints-\d{8}\.jsonl"$/);
    const lines = response.body.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'keys', format: 'ledgerguard-audit-checkpoints', keys: [{ keyId: checkpoint.keyId, algorithm: 'ed25519' }] });
    expect(String((lines[0]!.keys as { publicKey: string }[])[0]!.publicKey)).toContain('BEGIN PUBLIC KEY');
    expect(response.body).not.toContain('PRIVATE KEY');
    expect(lines.slice(1)).toEqual([{ type: 'checkpoint', ...checkpoint }]);
    const recorded = await app.db.selectFrom('audit_events').select(['actor_username', 'details']).where('action', '=', 'audit.checkpoints_exported').execute();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.actor_username).toBe('auditor');
    expect(JSON.parse(recorded[0]!.details)).toMatchObject({ via: 'http', checkpoints: 1 });
  });

  it('keeps checkpoint routes from other roles', async () => {
    await start();
    const clerk = await signInAs('clerk', ['bookkeeper']);
    const security = await signInAs('guard', ['security_admin']);

    expect((await clerk.get('/api/audit/checkpoints')).statusCode).toBe(403);
    expect((await clerk.get('/api/audit/checkpoints/export')).statusCode).toBe(403);
    expect((await security.get('/api/audit/checkpoints/export')).statusCode).toBe(403);
    expect((await clerk.get('/api/security/chain-status')).statusCode).toBe(403);
    expect(await app.db.selectFrom('audit_events').select('seq').where('action', '=', 'audit.checkpoints_exported').execute()).toEqual([]);
  });

  it('reports the chain status to the security administrator', async () => {
    await start();
    const security = await signInAs('guard', ['security_admin']);
    const empty = (await security.get('/api/security/chain-status')).json() as Record<string, unknown>;
    const checkpoint = (await app.auditIntegrity.signCheckpoint(new Date()))!;
    await app.auditIntegrity.verifyAndRecord({ trigger: 'scheduled', requester: { actor: null }, now: new Date() });

    const response = await security.get('/api/security/chain-status');

    expect(empty).toMatchObject({ lastCheckpoint: null, lastVerification: null, retentionDays: 1095, archivedThroughSeq: null });
    expect(response.statusCode).toBe(200);
    const head = await app.db.selectFrom('audit_head').select('seq').executeTakeFirstOrThrow();
    expect(response.json()).toEqual({
      headSeq: head.seq,
      lastCheckpoint: { seq: checkpoint.seq, signedAt: checkpoint.signedAt, algorithm: 'ed25519', keyId: checkpoint.keyId },
      lastVerification: { at: expect.any(String), intact: true, checked: checkpoint.seq },
      retentionDays: 1095,
      archivedThroughSeq: null,
    });
  });
});

describe('checkpoint export on the command line', () => {
  it('writes the export file', async () => {
    await start();
    await appendEvents(app, 2);
    const checkpoint = (await app.auditIntegrity.signCheckpoint(new Date()))!;
    const file = path.join(app.config.dataDir, 'exported.jsonl');
    const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: app.config.dataDir, LOG_LEVEL: 'silent' };
    if (app.config.databaseUrl && app.config.databaseSchema) {
      environment.DATABASE_URL = app.config.databaseUrl;
      environment.DATABASE_SCHEMA = app.config.databaseSchema;
    }

    const output = await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'checkpoints', 'export', file], { env: environment });

    expect(output.stdout).toContain('exported 1 signed checkpoints');
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[1]).toEqual({ type: 'checkpoint', ...checkpoint });
    const verified = await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'verify', '--checkpoints', file], { env: environment });
    expect(verified.stdout).toContain('audit log intact');
  });
});
