import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp, makeAuditAdmin } from './test-app.js';

const FORMULA = '=HYPERLINK("http://x","y")';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;
let auditor: TestSession;
let auditorId: string;

beforeAll(async () => {
  app = await createTestApp({ mfa: { required: false, stepUpRequired: true, stepUpMinutes: 5, trustedDeviceDays: 30 } });
  firm = await createSmallFirm(app, { clientCount: 2 });
  auditorId = firm.members.auditor.id;
  auditor = await TestSession.signIn(app.app, 'auditor', TEST_PASSWORD);

  // A sign-in attempt typed by an outsider: the name and the user agent are both attacker-chosen text.
  const outsider = new TestSession(app.app);
  await outsider.post('/api/auth/login', { username: FORMULA, password: 'wrong-password' }, { 'user-agent': FORMULA });

  // A member opens a client, so the log contains a Chinese client name.
  const bookkeeper = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);
  const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
  await bookkeeper.get(`/api/clients/${clientId}`);

  await app.audit.record(
    // Redaction removes long digit runs such as phone numbers from reasons and details. The user
    // agent is not redacted, so it carries the phone-shaped value.
    { action: 'client.reveal', outcome: 'success', actor: { id: firm.members.bk1.id, username: 'bk1' }, clientId, fields: ['contactPhone'], reason: FORMULA, ip: '10.0.3.17' },
    { action: 'client.reveal', outcome: 'success', actor: { id: firm.members.bk1.id, username: 'bk1' }, clientId, reason: '-12.5', ip: '10.0.3.200' },
    { action: 'client.reveal', outcome: 'success', actor: { id: firm.members.bk1.id, username: 'bk1' }, clientId, userAgent: '+8613800138000', ip: '10.0.30.1' },
  );
});

afterAll(async () => {
  await app.dispose();
});

/** Marks the auditor's sessions as having confirmed a second factor just now. */
async function confirmSecondFactor(): Promise<void> {
  await app.db.updateTable('sessions').set({ second_factor_at: new Date().toISOString() }).where('user_id', '=', auditorId).execute();
}

async function exportedEvents() {
  const rows = await app.db.selectFrom('audit_events').selectAll().where('action', '=', 'audit.exported').orderBy('seq').execute();
  return rows.map((row) => ({ outcome: row.outcome, details: JSON.parse(row.details) as Record<string, unknown> }));
}

/** Parses RFC 4180 text: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      index += 1;
    } else {
      field += char;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end in CRLF');
  return records;
}

describe('audit search filters', () => {
  it('matches an address exactly', async () => {
    const response = await auditor.get('/api/audit/events?ip=10.0.3.17');
    const body = response.json() as { total: number; items: Array<{ ip: string; reason: string }> };

    expect(response.statusCode).toBe(200);
    expect(body.total).toBe(1);
    expect(body.items[0]!.reason).toBe(FORMULA);
  });

  it('matches an address prefix ending in a star', async () => {
    const response = await auditor.get('/api/audit/events?ip=10.0.3.*');
    const addresses = (response.json() as { items: Array<{ ip: string }> }).items.map((item) => item.ip);

    expect(addresses.sort()).toEqual(['10.0.3.17', '10.0.3.200']);
  });

  it('combines the address with other filters', async () => {
    const response = await auditor.get('/api/audit/events?ip=10.0.3.*&actor=bk1&action=client.reveal&outcome=success');
    const none = await auditor.get('/api/audit/events?ip=10.0.3.*&outcome=failure');

    expect((response.json() as { total: number }).total).toBe(2);
    expect((none.json() as { total: number }).total).toBe(0);
  });

  it('matches the actor in any letter case', async () => {
    const upper = await auditor.get('/api/audit/events?actor=BK1&action=client.reveal');
    const fullWidth = await auditor.get(`/api/audit/events?actor=${encodeURIComponent('ＢＫ１')}&action=client.reveal`);

    expect((upper.json() as { total: number }).total).toBe(3);
    expect((fullWidth.json() as { total: number }).total).toBe(3);
  });

  it('rejects an address with other characters', async () => {
    const wildcard = await auditor.get('/api/audit/events?ip=10.0.%25');
    const inner = await auditor.get('/api/audit/events?ip=10.*.3.1');

    expect(wildcard.statusCode).toBe(400);
    expect(inner.statusCode).toBe(400);
  });

  it('records the address filter with the search', async () => {
    await auditor.get('/api/audit/events?ip=10.0.30.1&page=1');
    const last = await app.db.selectFrom('audit_events').select(['action', 'details']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();

    expect(last.action).toBe('audit.search');
    expect(JSON.parse(last.details)).toEqual({ filters: { ip: '10.0.30.1' }, returned: 1 });
  });
});

describe('audit event detail', () => {
  it('returns the full event with hashes and client name', async () => {
    const reveal = await app.db.selectFrom('audit_events').selectAll().where('reason', '=', FORMULA).executeTakeFirstOrThrow();

    const response = await auditor.get(`/api/audit/events/${reveal.seq}`);
    const body = response.json() as Record<string, unknown>;

    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({ seq: Number(reveal.seq), action: 'client.reveal', reason: FORMULA, fields: ['contactPhone'], prevHash: reveal.prev_hash, hash: reveal.hash, clientId: reveal.client_id });
    expect(typeof body.clientName).toBe('string');
    expect(body.clientName).not.toBe('');
  });

  it('records each look at an event', async () => {
    await auditor.get('/api/audit/events/1');
    const last = await app.db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();

    expect(last).toMatchObject({ action: 'audit.event_viewed', outcome: 'success', actor_id: auditorId, target_type: 'audit_event', target_id: '1' });
  });

  it('answers not_found for a missing event and records the miss', async () => {
    const response = await auditor.get('/api/audit/events/999999');
    const last = await app.db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'not_found' });
    expect(last).toMatchObject({ action: 'audit.event_viewed', outcome: 'failure', target_id: '999999' });
  });

  it('is closed to members without audit:read', async () => {
    const bookkeeper = await TestSession.signIn(app.app, 'bk2', TEST_PASSWORD);

    const response = await bookkeeper.get('/api/audit/events/1');

    expect(response.statusCode).toBe(403);
  });
});

describe('audit export', () => {
  it('requires a recent second factor and records the rejection', async () => {
    const before = await exportedEvents();

    const response = await auditor.post('/api/audit/export', { format: 'csv', filters: {} });
    const after = await exportedEvents();

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'step_up_required' });
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toEqual({ outcome: 'denied', details: { format: 'csv', filters: {}, code: 'step_up_required' } });
  });

  it('is closed to members without audit:read', async () => {
    const bookkeeper = await TestSession.signIn(app.app, 'bk1', TEST_PASSWORD);

    const response = await bookkeeper.post('/api/audit/export', { format: 'csv', filters: {} });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'forbidden' });
  });

  it('rejects an unknown format', async () => {
    await confirmSecondFactor();

    const response = await auditor.post('/api/audit/export', { format: 'xls', filters: {} });

    expect(response.statusCode).toBe(400);
  });

  it('writes CSV as UTF-8 with BOM, CRLF and neutralized formulas', async () => {
    await confirmSecondFactor();

    const response = await auditor.post('/api/audit/export', { format: 'csv', filters: {} });
    const bytes = response.rawPayload;
    const text = bytes.subarray(3).toString('utf8');
    const records = parseCsv(text);
    const [header, ...rows] = records;
    const column = (name: string) => header!.indexOf(name);
    const formulaRow = rows.find((row) => row[column('理由')] === `'${FORMULA}`);
    const outsiderRow = rows.find((row) => row[column('浏览器标识')] === `'${FORMULA}`);

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-\d{8}-\d{6}\.csv"$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(header).toEqual(['序号', '本地时间（Asia/Shanghai）', '时间（UTC）', '操作人', '操作人 ID', '操作', '结果', '客户名称', '客户 ID', '操作对象', '涉及字段', '理由', 'IP 地址', '浏览器标识', '附加信息（JSON）', '哈希']);
    expect(rows).toHaveLength(Number(response.headers['x-export-row-count']));
    expect(formulaRow).toBeDefined();
    expect(outsiderRow?.[column('操作人')]).toBe(`'${FORMULA.toLowerCase()}`);
    expect(rows.some((row) => row[column('浏览器标识')] === '+8613800138000')).toBe(true);
    expect(rows.some((row) => row[column('理由')] === '-12.5')).toBe(true);
    const unsafe = rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]\d+(\.\d+)?$/.test(cell));
    expect(unsafe).toEqual([]);
  });

  it('writes the local time, the UTC time and the client name', async () => {
    await confirmSecondFactor();

    const response = await auditor.post('/api/audit/export', { format: 'csv', filters: { action: 'client.view' } });
    const [header, ...rows] = parseCsv(response.rawPayload.subarray(3).toString('utf8'));
    const row = rows[0]!;
    const stored = await app.db.selectFrom('audit_events').selectAll().where('seq', '=', Number(row[0])).executeTakeFirstOrThrow();
    const shanghai = new Date(Date.parse(stored.occurred_at) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

    expect(rows).toHaveLength(1);
    expect(header).toHaveLength(16);
    expect(row[1]).toBe(shanghai);
    expect(row[2]).toBe(stored.occurred_at);
    expect(row[7]).toMatch(/\p{Script=Han}/u);
    expect(row[8]).toBe(stored.client_id);
    expect(row[15]).toBe(stored.hash);
  });

  it('writes xlsx with text cells for formulas and number cells for seq', async () => {
    await confirmSecondFactor();

    const response = await auditor.post('/api/audit/export', { format: 'xlsx', filters: { action: 'client.reveal' } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const rows = sheet.getRows(2, sheet.rowCount - 1) ?? [];
    const reasonCells = rows.map((row) => row.getCell(12));
    const formulaCell = reasonCells.find((cell) => cell.value === `'${FORMULA}`);

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(sheet.getRow(1).getCell(12).value).toBe('理由');
    expect(rows).toHaveLength(3);
    expect(formulaCell?.type).toBe(ExcelJS.ValueType.String);
    expect(formulaCell?.formula).toBeUndefined();
    expect(reasonCells.map((cell) => cell.value)).toContain('-12.5');
    expect(rows.map((row) => row.getCell(14).value)).toContain('+8613800138000');
    expect(rows.every((row) => row.getCell(1).type === ExcelJS.ValueType.Number)).toBe(true);
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
      });
    });
  });

  it('writes English headers for an English request', async () => {
    await confirmSecondFactor();
    auditor.locale = 'en-US';

    const response = await auditor.post('/api/audit/export', { format: 'xlsx', filters: { outcome: 'denied' } });
    auditor.locale = 'zh-CN';
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;

    expect(sheet.name).toBe('Audit log');
    expect(sheet.getRow(1).values).toEqual([undefined, 'Seq', 'Local time (Asia/Shanghai)', 'Time (UTC)', 'Actor', 'Actor ID', 'Action', 'Outcome', 'Client name', 'Client ID', 'Target', 'Fields', 'Reason', 'IP address', 'User agent', 'Details (JSON)', 'Hash']);
  });

  it('records the export with its filters, format and row count', async () => {
    await confirmSecondFactor();
    const from = '2020-01-01T08:00:00+08:00';

    const response = await auditor.post('/api/audit/export', { format: 'csv', filters: { from, ip: '10.0.3.*', action: 'client.reveal' } });
    const last = (await exportedEvents()).at(-1);

    expect(response.statusCode).toBe(200);
    expect(response.headers['x-export-row-count']).toBe('2');
    expect(last).toMatchObject({ outcome: 'success', details: { format: 'csv', filters: { from: '2020-01-01T00:00:00.000Z', ip: '10.0.3.*', action: 'client.reveal' }, rowCount: 2 } });
    expect(typeof last?.details.throughSeq).toBe('number');
  });
});

describe('audit export size limit', () => {
  let big: TestApp;

  beforeAll(async () => {
    big = await createTestApp();
    await makeAuditAdmin(big);

    // Rows written straight into the table: the limit counts events, the chain does not matter here.
    const template = { occurred_at: new Date().toISOString(), actor_id: null, actor_username: 'bulk', action: 'client.view', outcome: 'success' as const, target_type: null, target_id: null, client_id: null, fields: '[]', reason: null, ip: null, user_agent: null, details: '{}', prev_hash: '0'.repeat(64), hash: '0'.repeat(64) };
    const total = 100_000;
    const batch = 2_000;
    for (let start = 0; start < total; start += batch) {
      const rows = Array.from({ length: Math.min(batch, total - start) }, (_, offset) => ({ ...template, seq: 1_000_000 + start + offset }));
      await big.db.insertInto('audit_events').values(rows).execute();
    }
    await big.db.insertInto('audit_events').values({ ...template, action: 'client.list', seq: 1_000_000 + total }).execute();
  }, 120_000);

  afterAll(async () => {
    await big.dispose();
  });

  it('rejects more than 100000 events and records the attempt', async () => {
    const session = await TestSession.signIn(big.app, 'auditor', TEST_PASSWORD);

    const response = await session.post('/api/audit/export', { format: 'xlsx', filters: { actor: 'bulk' } });
    const recorded = await big.db.selectFrom('audit_events').selectAll().where('action', '=', 'audit.exported').executeTakeFirstOrThrow();

    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'audit_export_too_large', message: expect.stringContaining('100000') });
    expect(recorded.outcome).toBe('failure');
    expect(JSON.parse(recorded.details)).toEqual({ format: 'xlsx', filters: { actor: 'bulk' }, code: 'audit_export_too_large', rowCount: 100_001, maximum: 100_000 });
  }, 60_000);

  it('exports exactly 100000 events', async () => {
    const session = await TestSession.signIn(big.app, 'auditor', TEST_PASSWORD);

    const response = await session.post('/api/audit/export', { format: 'csv', filters: { actor: 'bulk', action: 'client.view' } });
    const lines = response.rawPayload.toString('utf8').split('\r\n');

    expect(response.statusCode).toBe(200);
    expect(lines).toHaveLength(100_000 + 2);
  }, 60_000);
});
