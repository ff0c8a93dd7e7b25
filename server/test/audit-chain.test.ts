import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropAppendOnlyTriggers } from './audit-fixture.js';
import { type TestApp, createTestApp } from './test-app.js';

const run = promisify(execFile);
let app: TestApp;

beforeEach(async () => {
  app = await createTestApp();
  for (let index = 0; index < 6; index += 1) {
    await app.audit.record({ action: 'client.view', outcome: 'success', actor: { id: `u${index}`, username: `member${index}` }, details: { index } });
  }
});

afterEach(async () => {
  await app.dispose();
});

describe('append-only audit tables', () => {
  it('rejects an update of an event', async () => {
    await expect(app.db.updateTable('audit_events').set({ actor_username: 'someone-else' }).where('seq', '=', 3).execute()).rejects.toThrow(/append-only/);

    const row = await app.db.selectFrom('audit_events').select('actor_username').where('seq', '=', 3).executeTakeFirstOrThrow();
    expect(row.actor_username).toBe('member2');
  });

  it('rejects a delete of an event', async () => {
    await expect(app.db.deleteFrom('audit_events').where('seq', '=', 4).execute()).rejects.toThrow(/append-only/);

    expect(await app.db.selectFrom('audit_events').select('seq').execute()).toHaveLength(6);
  });

  it('rejects changes to checkpoints', async () => {
    await app.auditIntegrity.signCheckpoint(new Date());

    await expect(app.db.updateTable('audit_checkpoints').set({ chain_hash: 'f'.repeat(64) }).execute()).rejects.toThrow(/append-only/);
    await expect(app.db.deleteFrom('audit_checkpoints').execute()).rejects.toThrow(/append-only/);
    expect(await app.db.selectFrom('audit_checkpoints').select('seq').execute()).toEqual([{ seq: 7 }]);
  });

  it('rejects emptying the event table', async () => {
    const statement = app.database.dialect === 'postgres' ? sql`truncate audit_events` : sql`delete from audit_events`;

    await expect(statement.execute(app.db)).rejects.toThrow(/append-only/);
    expect(await app.db.selectFrom('audit_events').select('seq').execute()).toHaveLength(6);
  });
});

describe('audit chain verification', () => {
  // The tampering below is done as a database administrator, who can drop the triggers first.
  beforeEach(async () => {
    await dropAppendOnlyTriggers(app);
  });

  it('accepts an untouched chain', async () => {
    expect(await app.audit.verify()).toEqual({ intact: true, checked: 6 });
  });

  it('names the first changed event', async () => {
    await app.db.updateTable('audit_events').set({ actor_username: 'someone-else' }).where('seq', '=', 3).execute();

    expect(await app.audit.verify()).toMatchObject({ intact: false, firstBrokenSeq: 3, problem: 'hash_mismatch' });
  });

  it('detects a deleted event', async () => {
    await app.db.deleteFrom('audit_events').where('seq', '=', 4).execute();

    expect(await app.audit.verify()).toMatchObject({ intact: false, firstBrokenSeq: 4, problem: 'sequence_gap' });
  });

  it('detects an inserted event', async () => {
    const row = await app.db.selectFrom('audit_events').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
    await app.db.updateTable('audit_events').set({ seq: 100 }).where('seq', '=', 6).execute();
    await app.db.insertInto('audit_events').values({ ...row, seq: 6, reason: 'inserted' }).execute();

    const result = await app.audit.verify();

    expect(result.intact).toBe(false);
    expect(result.firstBrokenSeq).toBe(6);
  });

  it('detects two events swapped', async () => {
    const third = await app.db.selectFrom('audit_events').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow();
    const fourth = await app.db.selectFrom('audit_events').selectAll().where('seq', '=', 4).executeTakeFirstOrThrow();
    await app.db.deleteFrom('audit_events').where('seq', 'in', [3, 4]).execute();
    await app.db.insertInto('audit_events').values([{ ...fourth, seq: 3 }, { ...third, seq: 4 }]).execute();

    expect(await app.audit.verify()).toMatchObject({ intact: false, firstBrokenSeq: 3 });
  });

  it('detects a truncated tail against the chain head', async () => {
    await app.db.deleteFrom('audit_events').where('seq', '>=', 5).execute();

    expect(await app.audit.verify()).toMatchObject({ intact: false, problem: 'head_mismatch' });
  });

  it('exits non-zero from the command line when the chain is broken', async () => {
    const environment: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: app.config.dataDir, LOG_LEVEL: 'silent' };
    if (app.config.databaseUrl && app.config.databaseSchema) {
      environment.DATABASE_URL = app.config.databaseUrl;
      environment.DATABASE_SCHEMA = app.config.databaseSchema;
    }
    // The command line reads the signing key file and the checkpoint file the test app created in its data folder.
    const intact = await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'verify'], { env: environment });
    await app.db.updateTable('audit_events').set({ action: 'client.list' }).where('seq', '=', 2).execute();
    const broken = await run(process.execPath, ['bin/ledgerguard.mjs', 'audit', 'verify'], { env: environment }).catch((error: { code: number; stderr: string }) => error);

    expect(intact.stdout).toContain('intact');
    expect((broken as { code: number }).code).toBe(1);
    expect((broken as { stderr: string }).stderr).toContain('event 2');
  });
});

describe('audit verification over HTTP', () => {
  it('lets the audit administrator verify the chain and records it', async () => {
    const { createMember, TEST_PASSWORD } = await import('./test-app.js');
    const { TestSession } = await import('./http-client.js');
    await createMember(app, { username: 'auditor', roles: ['audit_admin'] });
    await createMember(app, { username: 'clerk', roles: ['bookkeeper'] });
    const auditor = await TestSession.signIn(app.app, 'auditor', TEST_PASSWORD);
    const clerk = await TestSession.signIn(app.app, 'clerk', TEST_PASSWORD);

    const verified = await auditor.post('/api/audit/verify');
    const denied = await clerk.post('/api/audit/verify');

    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ intact: true, checked: expect.any(Number), checkpoints: { checked: 0, lastSeq: null } });
    expect(denied.statusCode).toBe(403);
    const stored = await app.db.selectFrom('audit_verifications').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ trigger: 'manual', intact: 1, problem: null });
    const recorded = await app.db.selectFrom('audit_events').select(['actor_username', 'outcome']).where('action', '=', 'audit.verified').execute();
    expect(recorded).toEqual([{ actor_username: 'auditor', outcome: 'success' }]);
  });
});
