import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStillInUseError } from '../src/crypto/index.js';
import { composeApplication } from '../src/main/compose.js';
import { createSmallFirm } from './firm-fixture.js';
import { type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let clientIds: string[];

/** Decrypts every client bank account and legal representative ID number; returns the failures. */
async function readAll(target: Pick<TestApp, 'db' | 'crypto'>): Promise<{ read: number; failures: number }> {
  const rows = await target.db.selectFrom('clients').select(['id', 'bank_account_enc', 'legal_rep_id_number_enc']).execute();
  let read = 0;
  let failures = 0;
  for (const row of rows) {
    for (const [column, value] of [['bank_account', row.bank_account_enc], ['legal_rep_id_number', row.legal_rep_id_number_enc]] as const) {
      if (!value) continue;
      try {
        await target.crypto.decrypt(target.db, { table: 'clients', column, rowId: row.id }, value);
        read += 1;
      } catch {
        failures += 1;
      }
    }
  }
  return { read, failures };
}

async function keyVersionsInUse(): Promise<Set<number>> {
  const rows = await app.db.selectFrom('clients').select(['bank_account_enc', 'legal_rep_id_number_enc']).execute();
  const values = rows.flatMap((row) => [row.bank_account_enc, row.legal_rep_id_number_enc]).filter((value): value is string => Boolean(value));
  return new Set(values.map((value) => Number(value.split('.')[3])));
}

beforeAll(async () => {
  app = await createTestApp();
  await createSmallFirm(app, { clientCount: 12 });
  clientIds = (await app.db.selectFrom('clients').select('id').execute()).map((row) => row.id);
});

afterAll(async () => {
  await app.dispose();
});

describe('key rotation', () => {
  it('rewraps every data key under a new KEK at once', async () => {
    const before = await readAll(app);
    const { kekVersion, rewrapped } = await app.keyRotation.rotateKek();
    const keys = await app.db.selectFrom('data_keys').select('kek_version').execute();

    expect(kekVersion).toBe(2);
    expect(rewrapped).toBe(keys.length);
    expect(keys.every((key) => key.kek_version === 2)).toBe(true);
    expect(await readAll(app)).toEqual(before);
  });

  it('refuses to retire the current KEK and retires the old one', async () => {
    await expect(app.keyRotation.retireKek(2)).rejects.toBeInstanceOf(KeyStillInUseError);
    await app.keyRotation.retireKek(1);

    const events = await app.db.selectFrom('audit_events').select(['action', 'outcome']).where('action', '=', 'keys.retired').execute();
    expect(events).toEqual([{ action: 'keys.retired', outcome: 'success' }]);
  });

  it('keeps reads working while data keys rotate', async () => {
    let stop = false;
    let failures = 0;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const result = await readAll(app);
        failures += result.failures;
        reads += result.read;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();

    await app.keyRotation.rotateDataKeys();
    const job = await app.keyRotation.runReencryptionToEnd({ batchSize: 3 });
    stop = true;
    await reader;

    expect(reads).toBeGreaterThan(0);
    expect(failures).toBe(0);
    expect(job?.status).toBe('finished');
    expect(job?.failed).toBe(0);
    expect(job?.rewritten).toBeGreaterThan(0);
    expect(await keyVersionsInUse()).toEqual(new Set([2]));
  });

  it('writes new values under the new data key version', async () => {
    const key = await app.crypto.dataKeyForClient(app.db, clientIds[0]!);
    expect(key.version).toBe(2);
  });

  it('resumes an interrupted re-encryption in a new instance', async () => {
    await app.keyRotation.rotateDataKeys();
    const partial = await app.keyRotation.runReencryptionStep({ batchSize: 2, maxBatches: 1 });
    expect(partial?.status).toBe('running');
    expect((await keyVersionsInUse()).size).toBe(2);

    // Retiring now must fail: values still use version 2.
    await expect(app.keyRotation.retireOldDataKeys()).rejects.toBeInstanceOf(KeyStillInUseError);

    const second = await composeApplication(app.config, { keyring: app.crypto.keyring, logger: pino({ level: 'silent' }) });
    try {
      const status = await second.keyRotation.status({ scan: true });
      expect(status.job?.status).toBe('running');
      expect(status.valuesOnOldKeys).toBeGreaterThan(0);

      const finished = await second.keyRotation.runReencryptionToEnd();
      expect(finished?.status).toBe('finished');
      expect(finished?.failed).toBe(0);
      expect(await keyVersionsInUse()).toEqual(new Set([3]));
      expect((await readAll(second)).failures).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('retires old data keys once nothing uses them', async () => {
    const { retired } = await app.keyRotation.retireOldDataKeys();
    const remaining = await app.db.selectFrom('data_keys').select('version').execute();
    const status = await app.keyRotation.status({ scan: true });

    expect(retired).toBeGreaterThan(0);
    expect(remaining.every((key) => key.version === 3)).toBe(true);
    expect(status.valuesOnOldKeys).toBe(0);
    expect((await readAll(app)).failures).toBe(0);

    const actions = await app.db.selectFrom('audit_events').select(['action', 'outcome']).where('action', 'in', ['keys.rotated', 'keys.reencrypted', 'keys.retired']).execute();
    expect(actions.filter((event) => event.action === 'keys.retired' && event.outcome === 'denied')).toHaveLength(1);
    expect(actions.filter((event) => event.action === 'keys.reencrypted')).toHaveLength(2);
  });

  it('keeps key material out of the log', () => {
    const log = app.logLines.join('\n');
    expect(log).not.toMatch(/kw1\.\d+\./);
    expect(log).not.toContain(app.crypto.keyring.indexRoot.toString('base64'));
  });
});
