import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditIntegrity, AuditLog, loadOrCreateSigningKeys, signingKeyFile } from '../src/audit/index.js';
import type { DatabaseHandle } from '../src/db/index.js';
import { type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
const extraHandles: DatabaseHandle[] = [];

beforeEach(async () => {
  app = await createTestApp();
});

afterEach(async () => {
  await Promise.all(extraHandles.splice(0).map((handle) => handle.close()));
  await app.dispose();
});

async function expectOneLinearChain(count: number): Promise<void> {
  const rows = await app.db.selectFrom('audit_events').select(['seq', 'prev_hash', 'hash']).orderBy('seq').execute();
  expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: count }, (_, index) => index + 1));
  for (let index = 1; index < rows.length; index += 1) {
    expect(rows[index]!.prev_hash).toBe(rows[index - 1]!.hash);
  }
  expect(await app.audit.verify()).toEqual({ intact: true, checked: count });
}

describe('concurrent appends', () => {
  it('keeps one linear chain within one process', async () => {
    const appends = Array.from({ length: 40 }, (_, index) =>
      index % 4 === 0
        ? app.audit.append(app.db, { action: 'client.list', outcome: 'success', actor: null, details: { index } }, { action: 'client.view', outcome: 'success', actor: null, details: { index } })
        : app.audit.record({ action: 'client.view', outcome: 'success', actor: { id: `u${index}`, username: `member${index}` }, details: { index } }),
    );

    await Promise.all(appends);

    await expectOneLinearChain(50);
  });

  // The embedded SQLite database has a single writing process, because one server runs per data
  // folder. Several connections that write at once exist only on PostgreSQL.
  it.skipIf(!process.env.TEST_DATABASE_URL)('keeps one linear chain across several connection pools', async () => {
    const writers = [app.audit];
    for (let index = 0; index < 3; index += 1) {
      const handle = app.openAnotherDatabase({ poolSize: 4 });
      extraHandles.push(handle);
      writers.push(new AuditLog({ db: handle.db, dialect: handle.dialect }));
    }

    await Promise.all(
      writers.flatMap((writer, instance) =>
        Array.from({ length: 25 }, (_, index) => writer.record({ action: 'client.view', outcome: 'success', actor: { id: `i${instance}`, username: `instance${instance}` }, details: { index } })),
      ),
    );

    await expectOneLinearChain(100);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('signs one checkpoint when instances race', async () => {
    const keys = loadOrCreateSigningKeys(signingKeyFile(app.config.dataDir), 'ed25519');
    const instances = [app.auditIntegrity];
    for (let index = 0; index < 3; index += 1) {
      const handle = app.openAnotherDatabase({ poolSize: 2 });
      extraHandles.push(handle);
      const audit = new AuditLog({ db: handle.db, dialect: handle.dialect });
      instances.push(new AuditIntegrity({ db: handle.db, dialect: handle.dialect, audit, keys, settings: app.config.auditIntegrity, dataDir: app.config.dataDir }));
    }
    await app.audit.record({ action: 'client.view', outcome: 'success', actor: null });

    const signed = await Promise.all(instances.map((instance) => instance.signCheckpointIfDue(new Date())));

    expect(signed.filter((checkpoint) => checkpoint !== undefined)).toHaveLength(1);
    expect(await app.db.selectFrom('audit_checkpoints').select('seq').execute()).toEqual([{ seq: 2 }]);
    expect(await app.auditIntegrity.verify()).toEqual({ intact: true, checked: 2, checkpoints: { checked: 1, lastSeq: 2 } });
  });
});
