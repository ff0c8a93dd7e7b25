import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, parseRetentionSettings } from '../src/retention/index.js';
import { destroyableFrom } from '../src/retention/retention-policy.js';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let partner: TestSession;
let deptOneClients: string[];
let deptTwoClients: string[];

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app, { clientCount: 8 });
  partner = await TestSession.signIn(app.app, 'partner', TEST_PASSWORD);
  deptOneClients = await clientIdsAssignedTo(app, firm.members.bk1.id);
  deptTwoClients = await clientIdsAssignedTo(app, firm.members.bk2.id);
});

afterAll(async () => {
  await app.dispose();
});

function multipart(category: string, content: Buffer) {
  const boundary = 'lgretentionboundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n${category}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="张三-scan.png"\r\nContent-Type: image/png\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function uploadPng(session: TestSession, clientId: string, category: string) {
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#ffffff' } }).png().toBuffer();
  const { body, headers } = multipart(category, png);
  return session.post(`/api/clients/${clientId}/documents`, body, headers);
}

/** Uploads a document and dates it back, so the fake clock can pass its period. */
async function documentUploadedAt(clientId: string, category: string, uploadedAt: string): Promise<string> {
  const response = await uploadPng(partner, clientId, category);
  expect(response.statusCode).toBe(201);
  const id = (response.json() as { id: string }).id;
  await app.db.updateTable('documents').set({ uploaded_at: uploadedAt }).where('id', '=', id).execute();
  return id;
}

async function archive(session: TestSession, clientId: string, reason = '客户终止委托，合同到期') {
  return session.post(`/api/clients/${clientId}/archive`, { reason });
}

async function backdateArchive(clientId: string, archivedAt: string): Promise<void> {
  await app.db.updateTable('client_archives').set({ archived_at: archivedAt }).where('client_id', '=', clientId).execute();
}

async function download(clientId: string, documentId: string) {
  return partner.post(`/api/clients/${clientId}/documents/${documentId}/download`, { reason: '核对银行流水' });
}

async function dataKeyCount(clientId: string): Promise<number> {
  const rows = await app.db.selectFrom('data_keys').select('id').where('client_id', '=', clientId).execute();
  return rows.length;
}

describe('retention policy', () => {
  const base = { archivedAt: '2020-06-01T04:00:00.000Z', settings: DEFAULT_RETENTION, timeZone: 'Asia/Shanghai' };

  it('counts accounting periods from the end of the record year', () => {
    expect(destroyableFrom({ ...base, category: 'bank_statement', recordAt: '2019-03-01T00:00:00.000Z' })).toBe('2030-01-01');
    expect(destroyableFrom({ ...base, category: 'accounting_records', recordAt: base.archivedAt })).toBe('2051-01-01');
    // 31 December 20:00 UTC is already 1 January in Shanghai, so the record belongs to the next year.
    expect(destroyableFrom({ ...base, category: 'other', recordAt: '2019-12-31T20:00:00.000Z' })).toBe('2051-01-01');
  });

  it('counts engagement papers from leaving', () => {
    expect(destroyableFrom({ ...base, category: 'contract', recordAt: '2015-01-01T00:00:00.000Z' })).toBe('2023-06-01');
    expect(destroyableFrom({ ...base, category: 'id_card', recordAt: '2015-01-01T00:00:00.000Z' })).toBe('2023-06-01');
  });

  it('keeps financial statements permanently', () => {
    expect(destroyableFrom({ ...base, category: 'financial_statement', recordAt: '2019-03-01T00:00:00.000Z' })).toBe('permanent');
  });

  it('parses overrides and rejects bad ones', () => {
    const settings = parseRetentionSettings('bank_statement=15, contract=permanent, personal_fields=10');
    expect(settings.years.bank_statement).toBe(15);
    expect(settings.years.contract).toBe('permanent');
    expect(settings.personalFieldsYears).toBe(10);
    expect(settings.years.accounting_records).toBe(30);
    expect(() => parseRetentionSettings('vouchers=30')).toThrow(/unknown category "vouchers"/);
    expect(() => parseRetentionSettings('bank_statement=0')).toThrow(/invalid period "0"/);
    expect(() => parseRetentionSettings('bank_statement=ten')).toThrow(/invalid period "ten"/);
  });
});

describe('client archiving', () => {
  it('rejects a bookkeeper without the permission', async () => {
    const bookkeeper = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);
    const response = await archive(bookkeeper, deptOneClients[0]!);
    expect(response.statusCode).toBe(403);
    const row = await app.db.selectFrom('clients').select('status').where('id', '=', deptOneClients[0]!).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
  });

  it('hides out-of-scope clients from a manager', async () => {
    const manager = await TestSession.signIn(app.app, 'manager1', TEST_PASSWORD);
    const response = await archive(manager, deptTwoClients[0]!);
    expect(response.statusCode).toBe(404);
    const archived = await app.db.selectFrom('client_archives').select('client_id').where('client_id', '=', deptTwoClients[0]!).execute();
    expect(archived).toHaveLength(0);
  });

  it('requires a reason', async () => {
    const response = await archive(partner, deptOneClients[0]!, '走');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'reason', message: '请填写原因（至少 4 个字）。' }] });
  });

  it('archives in scope with an audit event', async () => {
    const manager = await TestSession.signIn(app.app, 'manager1', TEST_PASSWORD);
    const clientId = deptOneClients[0]!;
    const response = await archive(manager, clientId);
    expect(response.statusCode).toBe(200);
    expect((response.json() as { status: string }).status).toBe('archived');

    const events = await app.db.selectFrom('audit_events').selectAll().where('action', '=', 'client.archived').where('client_id', '=', clientId).execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.actor_username).toBe('manager1');
    expect(events[0]!.reason).toBe('客户终止委托，合同到期');

    const again = await archive(partner, clientId);
    expect(again.statusCode).toBe(409);
    expect((again.json() as { code: string }).code).toBe('client_not_active');
  });

  it('makes an archived client read-only', async () => {
    const clientId = deptOneClients[0]!;
    const upload = await uploadPng(partner, clientId, 'bank_statement');
    expect(upload.statusCode).toBe(409);
    expect((upload.json() as { code: string }).code).toBe('client_archived');
    const documents = await app.db.selectFrom('documents').select('id').where('client_id', '=', clientId).execute();
    expect(documents).toHaveLength(0);

    const view = await partner.get(`/api/clients/${clientId}`);
    expect(view.statusCode).toBe(200);
    const detail = view.json() as { status: string; abilities: { upload: boolean; archive: boolean } };
    expect(detail.status).toBe('archived');
    expect(detail.abilities.upload).toBe(false);
    expect(detail.abilities.archive).toBe(false);
  });

  it('lists archived clients only on request', async () => {
    const clientId = deptOneClients[0]!;
    const active = (await partner.get('/api/clients?pageSize=200')).json() as { items: { id: string }[] };
    expect(active.items.map((item) => item.id)).not.toContain(clientId);
    const archived = (await partner.get('/api/clients?pageSize=200&status=archived')).json() as { items: { id: string; status: string }[] };
    expect(archived.items.map((item) => item.id)).toEqual([clientId]);
  });

  it('still applies scope to archived clients', async () => {
    const bookkeeper = await TestSession.signIn(app.app, 'bk2', TEST_PASSWORD);
    const view = await bookkeeper.get(`/api/clients/${deptOneClients[0]!}`);
    expect(view.statusCode).toBe(404);
    const list = (await bookkeeper.get('/api/clients?status=archived')).json() as { items: unknown[] };
    expect(list.items).toHaveLength(0);
  });
});

describe('retention run', () => {
  let shredded: string;
  let kept: string;
  let permanent: string;
  let bankStatement: string;
  let contract: string;
  let keptDocument: string;
  let permanentDocument: string;
  let before: { row: Record<string, unknown>; contentKey: string; fileName: string; storedFile: string };

  beforeAll(async () => {
    [shredded, permanent] = deptOneClients.slice(1, 3) as [string, string];
    kept = deptTwoClients[0]!;

    bankStatement = await documentUploadedAt(shredded, 'bank_statement', '2019-03-01T02:00:00.000Z');
    contract = await documentUploadedAt(shredded, 'contract', '2019-03-02T02:00:00.000Z');
    keptDocument = await documentUploadedAt(kept, 'bank_statement', '2005-03-01T02:00:00.000Z');
    permanentDocument = await documentUploadedAt(permanent, 'financial_statement', '2019-03-01T02:00:00.000Z');
    expect((await archive(partner, shredded)).statusCode).toBe(200);
    expect((await archive(partner, permanent)).statusCode).toBe(200);
    await backdateArchive(shredded, '2020-06-01T04:00:00.000Z');
    await backdateArchive(permanent, '2020-06-01T04:00:00.000Z');

    const row = await app.db.selectFrom('clients').selectAll().where('id', '=', shredded).executeTakeFirstOrThrow();
    const document = await app.db.selectFrom('documents').selectAll().where('id', '=', bankStatement).executeTakeFirstOrThrow();
    before = { row, contentKey: document.content_key, fileName: document.file_name_enc, storedFile: path.join(app.config.dataDir, 'documents', shredded, document.storage_name) };
  });

  it('destroys nothing before a period ends', async () => {
    const report = await app.retention.run({ now: new Date('2023-05-31T15:59:00.000Z') });
    expect(report.today).toBe('2023-05-31');
    expect(report.destructions).toHaveLength(0);
    expect(await app.db.selectFrom('documents').select('id').where('id', '=', contract).executeTakeFirst()).toBeDefined();
  });

  it('destroys a contract three years after leaving', async () => {
    const report = await app.retention.run({ now: new Date('2023-05-31T16:00:00.000Z') });
    expect(report.today).toBe('2023-06-01');
    expect(report.destructions).toEqual([{ kind: 'document', clientId: shredded, documentId: contract, rule: 'contract:3y', destroyableFrom: '2023-06-01' }]);
    expect(await app.db.selectFrom('documents').select('id').where('id', '=', contract).executeTakeFirst()).toBeUndefined();
    const tombstone = await app.db.selectFrom('destroyed_documents').selectAll().where('document_id', '=', contract).executeTakeFirstOrThrow();
    expect(tombstone.rule).toBe('contract:3y');
    expect((await download(shredded, contract)).statusCode).toBe(404);
  });

  it('keeps the bank statement through its last day', async () => {
    const report = await app.retention.run({ now: new Date('2029-12-31T15:59:00.000Z') });
    expect(report.destructions).toHaveLength(0);
    expect((await download(shredded, bankStatement)).statusCode).toBe(200);
  });

  it('dry run destroys nothing', async () => {
    const keys = await dataKeyCount(shredded);
    const report = await app.retention.run({ now: new Date('2051-01-01T00:00:00.000Z'), dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.destructions.map((step) => step.kind)).toEqual(['document', 'client', 'personal_fields']);
    expect(await dataKeyCount(shredded)).toBe(keys);
    expect(await app.db.selectFrom('documents').select('id').where('id', '=', bankStatement).executeTakeFirst()).toBeDefined();
    expect(existsSync(before.storedFile)).toBe(true);
    const certificates = await app.db.selectFrom('audit_events').select('seq').where('action', '=', 'retention.destroyed').where('client_id', '=', shredded).execute();
    expect(certificates).toHaveLength(1);
  });

  it('keeps the client until its accounting period ends', async () => {
    const report = await app.retention.run({ now: new Date('2050-12-31T12:00:00.000Z') });
    expect(report.destructions.map((step) => [step.kind, step.documentId ?? step.clientId])).toEqual([['document', bankStatement]]);
    expect(existsSync(before.storedFile)).toBe(false);
    expect(await dataKeyCount(shredded)).toBeGreaterThan(0);
  });

  it('shreds the client when every period ended', async () => {
    const keyIds = (await app.db.selectFrom('data_keys').select(['id', 'version']).where('client_id', '=', shredded).execute()).map((key) => ({ id: key.id, version: Number(key.version) }));
    const report = await app.retention.run({ now: new Date('2051-01-01T00:00:00.000Z') });
    expect(report.destructions.map((step) => [step.kind, step.clientId])).toEqual([['client', shredded], ['personal_fields', permanent]]);
    expect(await dataKeyCount(shredded)).toBe(0);

    // Every value sealed under the deleted keys fails to decrypt, in this process too.
    const idNumber = before.row.legal_rep_id_number_enc as string;
    await expect(app.crypto.decrypt(app.db, { table: 'clients', column: 'legal_rep_id_number', rowId: shredded }, idNumber)).rejects.toThrow(/not found/);
    await expect(app.crypto.decrypt(app.db, { table: 'documents', column: 'content_key', rowId: bankStatement }, before.contentKey)).rejects.toThrow(/not found/);
    await expect(app.crypto.decrypt(app.db, { table: 'documents', column: 'file_name', rowId: bankStatement }, before.fileName)).rejects.toThrow(/not found/);
    expect(existsSync(path.join(app.config.dataDir, 'documents', shredded))).toBe(false);

    const tombstone = await app.db.selectFrom('clients').selectAll().where('id', '=', shredded).executeTakeFirstOrThrow();
    expect(tombstone.status).toBe('destroyed');
    expect(tombstone.name).toBe('');
    expect(tombstone.legal_rep_name).toBeNull();
    expect(tombstone.legal_rep_id_number_enc).toBeNull();
    expect(tombstone.contact_phone_bidx).toBeNull();
    expect(await app.db.selectFrom('client_people').select('id').where('client_id', '=', shredded).execute()).toHaveLength(0);
    expect((await partner.get(`/api/clients/${shredded}`)).statusCode).toBe(404);
    expect((await download(shredded, bankStatement)).statusCode).toBe(404);

    const certificate = await app.db.selectFrom('audit_events').selectAll().where('action', '=', 'retention.destroyed').where('target_type', '=', 'client').where('client_id', '=', shredded).executeTakeFirstOrThrow();
    const details = JSON.parse(certificate.details) as { certificate: { kind: string; dataKeys: { id: string; version: number }[]; dataKeysDeleted: number; rule: string } };
    expect(details.certificate.kind).toBe('client');
    expect(details.certificate.rule).toBe('accounting_records:30y');
    expect(details.certificate.dataKeys).toEqual(keyIds);
    expect(details.certificate.dataKeysDeleted).toBe(keyIds.length);
    expect(certificate.actor_id).toBeNull();
    expect(certificate.reason).toBeNull();
  });

  it('writes certificates without personal data', async () => {
    const certificates = await app.db.selectFrom('audit_events').select(['details', 'reason', 'fields']).where('action', '=', 'retention.destroyed').execute();
    expect(certificates.length).toBeGreaterThanOrEqual(4);
    const personal = [before.row.name, before.row.uscc, before.row.legal_rep_name, before.row.contact_name, before.row.legal_rep_id_number_masked, before.row.contact_phone_masked, before.row.bank_account_masked, '张三']
      .filter((value): value is string => typeof value === 'string' && value.length > 0);
    expect(personal.length).toBeGreaterThanOrEqual(4);
    for (const certificate of certificates) {
      for (const value of personal) {
        expect(certificate.details).not.toContain(value);
      }
      expect(certificate.reason).toBeNull();
    }
  });

  it('never destroys permanent records', async () => {
    const report = await app.retention.run({ now: new Date('2400-01-01T00:00:00.000Z') });
    // The client archived today by the earlier tests is due by then; the permanent one is not.
    expect(report.destructions.map((step) => [step.kind, step.clientId])).toEqual([['client', deptOneClients[0]]]);
    expect(await dataKeyCount(permanent)).toBeGreaterThan(0);
    expect((await download(permanent, permanentDocument)).statusCode).toBe(200);
    const row = await app.db.selectFrom('clients').selectAll().where('id', '=', permanent).executeTakeFirstOrThrow();
    expect(row.status).toBe('archived');
    expect(row.legal_rep_name).toBeNull();
    expect(row.legal_rep_id_number_enc).toBeNull();
  });

  it('leaves other clients untouched', async () => {
    expect((await download(kept, keptDocument)).statusCode).toBe(200);
    const row = await app.db.selectFrom('clients').selectAll().where('id', '=', kept).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
    const phone = row.contact_phone_enc;
    expect(phone).not.toBeNull();
    await expect(app.crypto.decrypt(app.db, { table: 'clients', column: 'contact_phone', rowId: kept }, phone!)).resolves.toMatch(/^1\d{10}$/);
  });
});
