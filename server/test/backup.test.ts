import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ephemeralSigningKeys, loadOrCreateSigningKeys, signingKeyFile } from '../src/audit/index.js';
import { encodeTrailer, type BackupManifest } from '../src/backup/backup-file.js';
import { RestoreRejectedError, SchemaNotEmptyError, backupSigningKeyFile, restoreBackup, selectBackupsToKeep } from '../src/backup/index.js';
import { BackupService } from '../src/backup/backup.service.js';
import { orderRowsParentsFirst, orderTablesForInsert } from '../src/backup/insert-order.js';
import { openDatabase } from '../src/db/index.js';
import { composeApplication } from '../src/main/compose.js';
import { appendEvents, contentOf, dropAppendOnlyTriggers, readRows, rewriteChain } from './audit-fixture.js';
import { createSmallFirm } from './firm-fixture.js';
import { type TestApp, createTestApp } from './test-app.js';

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const DOCUMENT_MARKER = 'BACKUP-PLAINTEXT-MARKER-7731';

let app: TestApp;
let backupFile: string;
let knownBankAccount: string;

async function addDocument(target: TestApp): Promise<string> {
  const client = await target.db.selectFrom('clients').select('id').orderBy('id').executeTakeFirstOrThrow();
  const pdf = await PDFDocument.create();
  pdf.addPage([595, 842]).drawText(DOCUMENT_MARKER);
  const content = Buffer.from(await pdf.save({ useObjectStreams: false }));

  const documentId = randomUUID();
  const key = Buffer.alloc(32, 7);
  const stored = await target.documents.store.write({ source: Readable.from([content]), clientId: client.id, documentId, key, maxBytes: 10 * 1024 * 1024 });
  const uploader = await target.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
  await target.db
    .insertInto('documents')
    .values({
      id: documentId,
      client_id: client.id,
      category: 'contract',
      file_name_enc: await target.crypto.encrypt(target.db, client.id, { table: 'documents', column: 'file_name', rowId: documentId }, 'contract.pdf'),
      file_type: stored.fileType,
      size_bytes: stored.sizeBytes,
      sha256: stored.sha256,
      content_key: await target.crypto.encrypt(target.db, client.id, { table: 'documents', column: 'content_key', rowId: documentId }, key.toString('base64')),
      storage_name: stored.storageName,
      uploaded_by: uploader.id,
      uploaded_at: new Date().toISOString(),
    })
    .execute();
  return documentId;
}

/** Writes a copy of the backup with one change and returns its path. */
async function alteredCopy(name: string, change: (bytes: Buffer) => Buffer): Promise<string> {
  const target = path.join(path.dirname(backupFile), `altered-${name}.lgbackup`);
  await writeFile(target, change(await readFile(backupFile)));
  return target;
}

/** Replaces the trailer with one signed by another key, keeping the body and manifest. */
function resignedWithAnotherKey(bytes: Buffer): Buffer {
  const trailerLength = bytes.readUInt32BE(bytes.length - 12);
  const trailerStart = bytes.length - 12 - trailerLength;
  const trailer = JSON.parse(bytes.subarray(trailerStart, bytes.length - 12).toString('utf8')) as { manifest: string };
  const manifest = JSON.parse(trailer.manifest) as BackupManifest;
  return Buffer.concat([bytes.subarray(0, trailerStart), encodeTrailer(manifest, ephemeralSigningKeys().active)]);
}

beforeAll(async () => {
  app = await createTestApp();
  const firm = await createSmallFirm(app, { clientCount: 4 });
  knownBankAccount = firm.generated.find((generated) => generated.client.bankAccount)?.client.bankAccount ?? '';
  await addDocument(app);
  const created = await app.backups.create();
  backupFile = path.join(app.backups.directory, created.fileName);
}, 60_000);

afterAll(async () => {
  await app.dispose();
});

describe('backup create', () => {
  it('writes an owner-only file recorded in list and audit', async () => {
    expect((await stat(backupFile)).mode & 0o777).toBe(0o600);
    const [item] = await app.backups.list();
    expect(item?.status).toBe('created');
    expect(item?.sizeBytes).toBe((await stat(backupFile)).size);
    const events = await app.db.selectFrom('audit_events').select('action').where('action', '=', 'backup.created').execute();
    expect(events).toHaveLength(1);
  });

  it('contains no plaintext of known values', async () => {
    const bytes = await readFile(backupFile);
    expect(knownBankAccount.length).toBeGreaterThan(5);
    expect(bytes.includes(Buffer.from(knownBankAccount, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from(DOCUMENT_MARKER, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('测试事务所', 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('partner', 'utf8'))).toBe(false);
  });
});

describe('backup verify', () => {
  it('passes for an intact backup', async () => {
    const result = await app.backups.verify();
    expect(result.problem).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.check?.documents).toBe(1);
    expect(result.check?.encryptedValues).toBeGreaterThan(4);
    expect(result.check?.auditEvents).toBeGreaterThan(0);
    const [item] = await app.backups.list();
    expect(item?.verification).toBe('passed');
  });

  it('rejects a flipped byte in the body', async () => {
    const file = await alteredCopy('flipped', (bytes) => {
      bytes[200] = bytes[200]! ^ 0x01;
      return bytes;
    });
    expect(await app.backups.verify(file)).toMatchObject({ ok: false, problem: 'checksum_mismatch' });
  });

  it('rejects a truncated file', async () => {
    const file = await alteredCopy('truncated', (bytes) => bytes.subarray(0, bytes.length - 100));
    expect(await app.backups.verify(file)).toMatchObject({ ok: false, problem: 'truncated' });
  });

  it('rejects a file re-signed with another key', async () => {
    const file = await alteredCopy('resigned', resignedWithAnotherKey);
    expect(await app.backups.verify(file)).toMatchObject({ ok: false, problem: 'signed_by_unknown_key' });
  });

  it('rejects a backup of a rehashed audit chain', async () => {
    // A database of its own, because its audit log is rewritten.
    const tampered = await createTestApp();
    try {
      await appendEvents(tampered, 6);
      await tampered.auditIntegrity.signCheckpoint(new Date());
      await appendEvents(tampered, 2, 'later');
      const before = await tampered.backups.create();
      const intact = await tampered.backups.verify(path.join(tampered.backups.directory, before.fileName));
      expect(intact.ok).toBe(true);
      expect(intact.check?.auditCheckpoints).toBeGreaterThan(0);

      // An administrator edits an event and recomputes every hash, so the chain alone links again.
      await dropAppendOnlyTriggers(tampered);
      const rows = await readRows(tampered);
      rows[2] = { ...rows[2]!, actor_username: 'someone-else' };
      await rewriteChain(tampered, rows.map(contentOf));
      expect((await tampered.audit.verify()).intact).toBe(true);

      const after = await tampered.backups.create();
      const result = await tampered.backups.verify(path.join(tampered.backups.directory, after.fileName));
      expect(result.ok).toBe(false);
      expect(result.problem).toBe('audit_chain_broken');
      expect(result.check?.auditProblem).toBe('checkpoint_mismatch');
    } finally {
      await tampered.dispose();
    }
  }, 60_000);

  it('records failed verifications in the audit log', async () => {
    const failures = await app.db.selectFrom('audit_events').select('outcome').where('action', '=', 'backup.verified').where('outcome', '=', 'failure').execute();
    expect(failures.length).toBeGreaterThanOrEqual(3);
  });
});

describe('backup restore', () => {
  const restoreOptions = (file: string) => ({
    file,
    dataDir: app.config.dataDir,
    databaseUrl: app.config.databaseUrl,
    databaseSchema: app.config.databaseSchema,
    keyring: app.keyring,
    signingKeys: loadOrCreateSigningKeys(backupSigningKeyFile(app.config.dataDir), 'ed25519'),
    auditKeys: loadOrCreateSigningKeys(signingKeyFile(app.config.dataDir), app.config.auditIntegrity.signingAlgorithm),
    runningServerPid: undefined,
  });
  const failedRestores = async () => (await app.db.selectFrom('audit_events').select(['outcome', 'details']).where('action', '=', 'backup.restored').where('outcome', '=', 'failure').execute()).map((event) => JSON.parse(event.details) as { problem: string });

  it('rejects damaged, truncated and re-signed files', async () => {
    for (const name of ['flipped', 'truncated', 'resigned']) {
      await expect(restoreBackup(restoreOptions(path.join(app.backups.directory, `altered-${name}.lgbackup`)))).rejects.toThrow(/备份文件已损坏或被改动.*damaged or was altered/);
    }
    // Each refusal is recorded in the current database.
    expect((await failedRestores()).map((failure) => failure.problem)).toEqual(['checksum_mismatch', 'truncated', 'signed_by_unknown_key']);
  });

  it('rejects while a server runs on the data folder', async () => {
    const recordedBefore = (await failedRestores()).length;
    await expect(restoreBackup({ ...restoreOptions(backupFile), runningServerPid: process.pid })).rejects.toBeInstanceOf(RestoreRejectedError);

    // PostgreSQL takes the record from a second client; the SQLite file of a live server is left alone.
    const recorded = (await failedRestores()).slice(recordedBefore);
    expect(recorded.map((failure) => failure.problem)).toEqual(onPostgres ? ['server_running'] : []);
  });

  it.runIf(onPostgres)('rejects a non-empty PostgreSQL schema and leaves it unchanged', async () => {
    const clientsBefore = await app.db.selectFrom('clients').selectAll().orderBy('id').execute();
    const documentsBefore = await app.db.selectFrom('documents').select('id').orderBy('id').execute();
    const eventsBefore = await app.db.selectFrom('audit_events').select('seq').execute();

    await expect(restoreBackup(restoreOptions(backupFile))).rejects.toBeInstanceOf(SchemaNotEmptyError);

    expect(await app.db.selectFrom('clients').selectAll().orderBy('id').execute()).toEqual(clientsBefore);
    expect(await app.db.selectFrom('documents').select('id').orderBy('id').execute()).toEqual(documentsBefore);
    // The only new row is the record of the refusal.
    expect((await app.db.selectFrom('audit_events').select('seq').execute()).length).toBe(eventsBefore.length + 1);
    expect((await failedRestores()).at(-1)?.problem).toBe('schema_not_empty');
    expect(existsSync(path.join(app.config.dataDir, 'documents'))).toBe(true);
    expect((await readdir(app.config.dataDir)).filter((name) => name.includes('before-restore'))).toEqual([]);
  });

  it.runIf(onPostgres)('rolls back a failed PostgreSQL restore', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const now = new Date('2026-06-01T02:00:00Z');
    // A non-empty folder where the old documents would be kept aside makes the swap, the last step, fail.
    const blocker = path.join(app.config.dataDir, `documents.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`);
    await mkdir(blocker);
    await writeFile(path.join(blocker, 'occupied'), '');

    await expect(restoreBackup({ ...restoreOptions(backupFile), databaseSchema: schema, now: () => now })).rejects.toThrow(/ENOTEMPTY|EEXIST/);

    const target = openDatabase({ databaseUrl: app.config.databaseUrl, dataDir: app.config.dataDir, postgresSchema: schema });
    try {
      expect(await target.db.selectFrom('clients').select('id').execute()).toEqual([]);
      // Not even the failure is recorded there, since that would make the schema non-empty.
      expect(await target.db.selectFrom('audit_events').select('seq').execute()).toEqual([]);
    } finally {
      await target.close();
    }
    expect(existsSync(path.join(app.config.dataDir, 'documents'))).toBe(true);
    await rm(blocker, { recursive: true });

    // The same schema takes a restore once the obstacle is gone.
    await restoreBackup({ ...restoreOptions(backupFile), databaseSchema: schema, now: () => now });
    const restored = openDatabase({ databaseUrl: app.config.databaseUrl, dataDir: app.config.dataDir, postgresSchema: schema });
    try {
      expect((await restored.db.selectFrom('clients').select('id').execute()).length).toBeGreaterThan(0);
    } finally {
      await restored.close();
    }
  }, 60_000);

  it.runIf(onPostgres)('restores into a fresh PostgreSQL schema', async () => {
    const clientsBefore = await app.db.selectFrom('clients').selectAll().orderBy('id').execute();
    const documentsBefore = await app.db.selectFrom('documents').select('id').orderBy('id').execute();
    const departmentsBefore = await app.db.selectFrom('departments').select(['id', 'parent_id']).orderBy('id').execute();
    // The global set-up drops schemas named t_… after the run.
    const schema = `t_${randomBytes(6).toString('hex')}`;

    const result = await restoreBackup({ ...restoreOptions(backupFile), databaseSchema: schema });
    expect(result.documents).toBe(1);
    expect(result.rows).toBeGreaterThan(clientsBefore.length);

    const restored = await composeApplication({ ...app.config, databaseSchema: schema }, { keyring: app.keyring });
    try {
      expect(await restored.db.selectFrom('clients').selectAll().orderBy('id').execute()).toEqual(clientsBefore);
      expect(await restored.db.selectFrom('documents').select('id').orderBy('id').execute()).toEqual(documentsBefore);
      expect(await restored.db.selectFrom('departments').select(['id', 'parent_id']).orderBy('id').execute()).toEqual(departmentsBefore);
      expect((await restored.audit.verify()).intact).toBe(true);
      expect((await restored.auditIntegrity.verify()).intact).toBe(true);
      const events = await restored.db.selectFrom('audit_events').select(['action', 'outcome']).where('action', '=', 'backup.restored').execute();
      expect(events).toEqual([{ action: 'backup.restored', outcome: 'success' }]);
      // The documents in the data folder are the restored ones, and they decrypt.
      expect((await restored.backups.verify(backupFile)).ok).toBe(true);
      const document = await restored.db.selectFrom('documents').select(['client_id', 'storage_name']).executeTakeFirstOrThrow();
      expect(existsSync(path.join(app.config.dataDir, 'documents', document.client_id, document.storage_name))).toBe(true);

      // A second restore into the now filled schema is refused.
      await expect(restoreBackup({ ...restoreOptions(backupFile), databaseSchema: schema })).rejects.toBeInstanceOf(SchemaNotEmptyError);
    } finally {
      await restored.close();
    }
  }, 60_000);

  it.skipIf(onPostgres)('restores rows, documents and an intact audit chain', async () => {
    const clientsBefore = await app.db.selectFrom('clients').select('id').execute();
    const documentsBefore = await app.db.selectFrom('documents').select('id').execute();
    // A change after the backup, which the restore must undo.
    await app.db.deleteFrom('client_assignments').execute();
    // A checkpoint signed after the backup sits in the file outside the database; the restored,
    // shorter chain must not read as truncated because of it.
    await app.auditIntegrity.runCheckpointJob(new Date(Date.now() + 11 * 60_000));
    await app.close();

    const result = await restoreBackup(restoreOptions(backupFile));
    expect(result.documents).toBe(1);
    expect(result.keptAside).toHaveLength(3);

    const reopened = await composeApplication(app.config, { keyring: app.keyring });
    try {
      expect(await reopened.db.selectFrom('clients').select('id').execute()).toEqual(clientsBefore);
      expect(await reopened.db.selectFrom('documents').select('id').execute()).toEqual(documentsBefore);
      expect((await reopened.db.selectFrom('client_assignments').select('client_id').execute()).length).toBeGreaterThan(0);
      expect((await reopened.audit.verify()).intact).toBe(true);
      expect((await reopened.auditIntegrity.verify()).intact).toBe(true);
      const restored = await reopened.db.selectFrom('audit_events').select('action').where('action', '=', 'backup.restored').execute();
      expect(restored).toHaveLength(1);
      expect((await reopened.backups.list()).some((item) => item.fileName === path.basename(backupFile))).toBe(true);
      expect((await reopened.backups.verify(backupFile)).ok).toBe(true);
    } finally {
      await reopened.close();
    }
    // dispose() closes again; a fresh application keeps that harmless.
    app = { ...app, ...(await composeApplication(app.config, { keyring: app.keyring })) } as TestApp;
  }, 60_000);
});

describe('restore insert order', () => {
  const keys = [
    { table: 'users', columns: ['department_id'], referencedTable: 'departments', referencedColumns: ['id'] },
    { table: 'departments', columns: ['parent_id'], referencedTable: 'departments', referencedColumns: ['id'] },
    { table: 'client_assignments', columns: ['user_id'], referencedTable: 'users', referencedColumns: ['id'] },
    { table: 'client_assignments', columns: ['client_id'], referencedTable: 'clients', referencedColumns: ['id'] },
    { table: 'clients', columns: ['department_id'], referencedTable: 'departments', referencedColumns: ['id'] },
  ];

  it('puts referenced tables first', () => {
    expect(orderTablesForInsert(['client_assignments', 'clients', 'departments', 'users', 'audit_events'], keys)).toEqual(['audit_events', 'departments', 'clients', 'users', 'client_assignments']);
  });

  it('rejects a cycle between tables', () => {
    const cycle = [
      { table: 'a', columns: ['b_id'], referencedTable: 'b', referencedColumns: ['id'] },
      { table: 'b', columns: ['a_id'], referencedTable: 'a', referencedColumns: ['id'] },
    ];
    expect(() => orderTablesForInsert(['a', 'b'], cycle)).toThrow(/cycle/);
  });

  it('puts parent rows before their children', () => {
    const rows = [
      { id: 'a', parent_id: 'c' },
      { id: 'b', parent_id: null },
      { id: 'c', parent_id: 'b' },
    ];
    expect(orderRowsParentsFirst(rows, [keys[1]!]).map((row) => row.id)).toEqual(['b', 'c', 'a']);
  });
});

describe('backup retention', () => {
  it('keeps daily, weekly and monthly backups', () => {
    // One backup a day at 03:00 Beijing time from 2026-01-01 to 2026-03-31.
    const backups = [];
    for (let day = new Date('2026-01-01T00:00:00Z'); day < new Date('2026-04-01T00:00:00Z'); day = new Date(day.getTime() + 86_400_000)) {
      backups.push({ id: day.toISOString().slice(0, 10), createdAt: new Date(day.getTime() - 5 * 3_600_000).toISOString() });
    }
    const kept = [...selectBackupsToKeep(backups, { daily: 3, weekly: 2, monthly: 3 }, 'Asia/Shanghai')].sort();

    // Days: 29–31 March. Weeks: Tuesday 31 March is the newest of its week, Sunday 29 March ends the
    // week before. Months: 31 March, 28 February, 31 January.
    expect(kept).toEqual(['2026-01-31', '2026-02-28', '2026-03-29', '2026-03-30', '2026-03-31']);
  });

  it('prunes files by retention on a fake clock', async () => {
    // A database of its own, so the backups made above take no retention slot.
    const fresh = await createTestApp();
    let now = new Date('2026-05-01T01:00:00Z');
    const service = new BackupService({
      database: fresh.database,
      audit: fresh.audit,
      keyring: fresh.keyring,
      signingKeys: ephemeralSigningKeys(),
      settings: { dir: path.join(fresh.config.dataDir, 'backups'), schedule: '08:00', keep: { daily: 2, weekly: 0, monthly: 0 } },
      dataDir: fresh.config.dataDir,
      timeZone: 'Asia/Shanghai',
      logger: fresh.logger,
      now: () => now,
    });

    const made = [];
    for (let day = 0; day < 4; day += 1) {
      now = new Date(Date.UTC(2026, 4, 1 + day, 1, 0));
      made.push(await service.runScheduledStep());
      // A second step the same day does nothing, because that day's backup exists.
      expect(await service.runScheduledStep()).toBeUndefined();
    }

    const files = (await readdir(service.directory)).filter((name) => name.endsWith('.lgbackup')).sort();
    expect(files).toEqual([made[2]!.fileName, made[3]!.fileName].sort());
    const statuses = (await service.list()).filter((item) => made.some((backup) => backup?.id === item.id)).map((item) => item.status);
    expect(statuses.filter((status) => status === 'pruned')).toHaveLength(2);
    const prunedEvents = await fresh.db.selectFrom('audit_events').select('action').where('action', '=', 'backup.pruned').execute();
    expect(prunedEvents).toHaveLength(2);
    await fresh.dispose();
  }, 60_000);
});
