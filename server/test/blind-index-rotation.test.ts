import { createHmac, hkdfSync } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClientPerson } from '../src/clients/client-people.js';
import { KeyStillInUseError, deriveServiceKey, normalizeForBlindIndex } from '../src/crypto/index.js';
import { composeApplication } from '../src/main/compose.js';
import { clientIdByUscc, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

const SERVICE_PURPOSES = ['sqlite-database', 'csrf', 'sms-codes', 'backup'];

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let partner: TestSession;
let serviceKeysBefore: string[];
let personId: string;

/** Searches every client by ID number, phone and bank account as the partner; returns the searches that missed. */
async function missedSearches(): Promise<string[]> {
  const missed: string[] = [];
  for (const { client } of firm.generated) {
    const id = await clientIdByUscc(app, client.uscc);
    for (const [field, q] of [['idNumber', client.legalRepIdNumber], ['phone', client.contactPhone], ['bankAccount', client.bankAccount]] as const) {
      if (!q) continue;
      const response = await partner.get(`/api/clients?pageSize=200&q=${encodeURIComponent(q)}`);
      const ids = (response.json() as { items: { id: string }[] }).items.map((item) => item.id);
      if (!ids.includes(id)) missed.push(`${field} of ${client.uscc}`);
    }
  }
  return missed;
}

/** Every stored client index value, with the version its prefix names. */
async function indexVersionsInUse(): Promise<Set<number>> {
  const rows = await app.db.selectFrom('clients').select(['legal_rep_id_number_bidx', 'contact_phone_bidx', 'bank_account_bidx']).execute();
  const values = rows.flatMap((row) => [row.legal_rep_id_number_bidx, row.contact_phone_bidx, row.bank_account_bidx]).filter((value): value is string => Boolean(value));
  return new Set(values.map((value) => (/^v(\d+)\./.exec(value) ? Number(/^v(\d+)\./.exec(value)![1]) : 1)));
}

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app, { clientCount: 12 });
  partner = await TestSession.signIn(app.app, 'partner', TEST_PASSWORD);
  serviceKeysBefore = SERVICE_PURPOSES.map((purpose) => deriveServiceKey(app.keyring, purpose).toString('hex'));

  const clientId = await clientIdByUscc(app, firm.generated[0]!.client.uscc);
  personId = await addClientPerson(app.db, app.crypto, { clientId, role: '办税员', name: '测试办税员', idNumber: '11010519491231002X', phone: '13900001111' });
});

afterAll(async () => {
  await app.dispose();
});

describe('blind index rotation', () => {
  it('keeps version 1 equal to the unversioned derivation', async () => {
    const { client } = firm.generated.find((entry) => entry.client.legalRepIdNumber)!;
    const stored = await app.db.selectFrom('clients').select('legal_rep_id_number_bidx').where('uscc', '=', client.uscc).executeTakeFirstOrThrow();
    const key = Buffer.from(hkdfSync('sha256', app.keyring.indexRoot, Buffer.alloc(0), 'lg-blind-index|clients.legal_rep_id_number', 32));
    const expected = createHmac('sha256', key).update(normalizeForBlindIndex('upper', client.legalRepIdNumber!), 'utf8').digest().subarray(0, 16).toString('base64url');

    expect(stored.legal_rep_id_number_bidx).toBe(expected);
    expect(firm.generated.filter((entry) => entry.client.contactPhone && entry.client.bankAccount).length).toBeGreaterThan(0);
    expect((await app.keyRotation.status()).blindIndex.activeVersions).toEqual([1]);
    expect(await missedSearches()).toEqual([]);
  });

  it('finds every client while the index job is interrupted', async () => {
    const { indexVersion } = await app.keyRotation.blindIndexes.rotate();
    const partial = await app.keyRotation.blindIndexes.runStep({ batchSize: 2, maxBatches: 1 });

    expect(indexVersion).toBe(2);
    expect(partial?.status).toBe('running');
    expect(await indexVersionsInUse()).toEqual(new Set([1, 2]));
    expect(await missedSearches()).toEqual([]);

    const status = await app.keyRotation.status({ scan: true });
    expect(status.blindIndex.activeVersions).toEqual([2, 1]);
    expect(status.blindIndex.job?.status).toBe('running');
    expect(status.blindIndex.valuesOnOldVersions).toBeGreaterThan(0);
    // The data key job is a separate kind and did not start.
    expect(status.job).toBeUndefined();
  });

  it('rejects retiring while values use the old version', async () => {
    await expect(app.keyRotation.blindIndexes.retireOldVersions()).rejects.toBeInstanceOf(KeyStillInUseError);
    expect((await app.keyRotation.status()).blindIndex.activeVersions).toEqual([2, 1]);
  });

  it('indexes new values under the new version during the job', async () => {
    const clientId = await clientIdByUscc(app, firm.generated[1]!.client.uscc);
    const id = await addClientPerson(app.db, app.crypto, { clientId, role: '财务负责人', name: '测试财务', phone: '13900002222' });
    const row = await app.db.selectFrom('client_people').select('phone_bidx').where('id', '=', id).executeTakeFirstOrThrow();

    expect(row.phone_bidx).toBe(app.crypto.blindIndexUnder(2, 'client_people', 'phone', '13900002222'));
  });

  it('resumes the interrupted job in a new instance', async () => {
    const second = await composeApplication(app.config, { keyring: app.keyring, logger: pino({ level: 'silent' }) });
    try {
      const finished = await second.keyRotation.blindIndexes.runToEnd({ batchSize: 3 });
      expect(finished?.status).toBe('finished');
      expect(finished?.failed).toBe(0);
      expect(finished?.rewritten).toBeGreaterThan(0);
    } finally {
      await second.close();
    }

    expect(await indexVersionsInUse()).toEqual(new Set([2]));
    const person = await app.db.selectFrom('client_people').select(['id_number_bidx', 'phone_bidx']).where('id', '=', personId).executeTakeFirstOrThrow();
    expect(person.id_number_bidx).toBe(app.crypto.blindIndexUnder(2, 'client_people', 'id_number', '11010519491231002X'));
    expect(person.phone_bidx).toBe(app.crypto.blindIndexUnder(2, 'client_people', 'phone', '13900001111'));
    expect(await missedSearches()).toEqual([]);
  });

  it('retires the old version once nothing uses it', async () => {
    const { retired } = await app.keyRotation.blindIndexes.retireOldVersions();
    const status = await app.keyRotation.status({ scan: true });

    expect(retired).toBe(1);
    expect(status.blindIndex.activeVersions).toEqual([2]);
    expect(status.blindIndex.valuesOnOldVersions).toBe(0);
    expect(await missedSearches()).toEqual([]);

    const events = await app.db.selectFrom('audit_events').select(['action', 'outcome']).where('target_type', '=', 'blind_index').orderBy('seq').execute();
    expect(events).toEqual([
      { action: 'keys.rotated', outcome: 'success' },
      { action: 'keys.retired', outcome: 'denied' },
      { action: 'keys.reencrypted', outcome: 'success' },
      { action: 'keys.retired', outcome: 'success' },
    ]);
  });

  it('leaves the database key and service keys unchanged', async () => {
    expect(SERVICE_PURPOSES.map((purpose) => deriveServiceKey(app.keyring, purpose).toString('hex'))).toEqual(serviceKeysBefore);

    // A new connection keyed as before still opens the database (on SQLite, the encrypted file).
    const other = app.openAnotherDatabase();
    try {
      const count = await other.db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      expect(Number(count.count)).toBe(firm.generated.length);
    } finally {
      await other.close();
    }
  });
});
