import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIdByUscc, clientIdsAssignedTo, createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  app = await createTestApp();
  firm = await createSmallFirm(app);
});

afterAll(async () => {
  await app.dispose();
});

const signIn = (username: string) => TestSession.signIn(app.app, username, TEST_PASSWORD);

async function listAllIds(session: TestSession): Promise<string[]> {
  const response = await session.get('/api/clients?pageSize=200');
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: { id: string }[] }).items.map((item) => item.id).sort();
}

describe('client data scope', () => {
  it('bookkeeper lists exactly the assigned clients', async () => {
    const bk1 = await signIn('bk1');
    const assigned = await clientIdsAssignedTo(app, firm.members.bk1.id);

    expect(assigned.length).toBeGreaterThan(0);
    expect(await listAllIds(bk1)).toEqual(assigned);
  });

  it('bookkeeper is denied another bookkeeper’s client, and the denial is audited', async () => {
    const bk1 = await signIn('bk1');
    const [otherId] = await clientIdsAssignedTo(app, firm.members.bk2.id);

    const response = await bk1.get(`/api/clients/${otherId}`);

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'not_found' });
    const denial = await app.db.selectFrom('audit_events').selectAll().where('action', '=', 'access.denied').where('actor_id', '=', firm.members.bk1.id).where('client_id', '=', otherId!).executeTakeFirst();
    expect(denial?.outcome).toBe('denied');
  });

  it('missing and forbidden clients answer the same', async () => {
    const bk1 = await signIn('bk1');
    const [otherId] = await clientIdsAssignedTo(app, firm.members.bk2.id);

    const forbidden = await bk1.get(`/api/clients/${otherId}`);
    const missing = await bk1.get('/api/clients/00000000-0000-0000-0000-000000000000');

    expect(forbidden.statusCode).toBe(missing.statusCode);
    expect(forbidden.body).toBe(missing.body);
  });

  it('department manager lists the department’s clients only', async () => {
    const manager = await signIn('manager1');
    const rows = await app.db.selectFrom('clients').select('id').where('department_id', '=', firm.departments.deptOne).execute();

    expect(await listAllIds(manager)).toEqual(rows.map((row) => row.id).sort());
  });

  it('customer service sees contacts but no financial or sensitive field', async () => {
    const service = await signIn('service');
    const id = await clientIdByUscc(app, firm.generated[0]!.client.uscc);

    const response = await service.get(`/api/clients/${id}`);
    const fields = Object.fromEntries((response.json() as { fields: { key: string; display: string; value: string | null }[] }).fields.map((field) => [field.key, field]));

    expect(response.statusCode).toBe(200);
    expect(fields.contactName!.display).toBe('plain');
    expect(fields.contactName!.value).toBe(firm.generated[0]!.client.contactName);
    expect(fields.contactPhone!.display).toBe('masked');
    for (const key of ['bankName', 'bankAccount', 'lastYearRevenue', 'legalRepIdNumber', 'confidentialNotes']) {
      expect(fields[key]!.display, key).toBe('hidden');
      expect(fields[key]!.value, key).toBeNull();
    }
  });

  it('assistant never sees a sensitive field', async () => {
    const assistant = await signIn('assistant');
    await app.db.insertInto('client_assignments').values({ client_id: await clientIdByUscc(app, firm.generated[0]!.client.uscc), user_id: firm.members.assistant.id, created_at: new Date().toISOString() }).onConflict((c) => c.doNothing()).execute();
    const id = await clientIdByUscc(app, firm.generated[0]!.client.uscc);

    const view = await assistant.get(`/api/clients/${id}`);
    const reveal = await assistant.post(`/api/clients/${id}/reveal`, { field: 'legalRepIdNumber', reason: '工商变更核对' });

    const idField = (view.json() as { fields: { key: string; display: string }[] }).fields.find((field) => field.key === 'legalRepIdNumber');
    expect(idField?.display).toBe('hidden');
    expect(reveal.statusCode).toBe(403);
  });

  it.each(['sysadmin', 'secadmin', 'auditor'])('%s sees no client data', async (username) => {
    const admin = await signIn(username);
    const id = await clientIdByUscc(app, firm.generated[0]!.client.uscc);

    const list = await admin.get('/api/clients');
    const view = await admin.get(`/api/clients/${id}`);
    const reveal = await admin.post(`/api/clients/${id}/reveal`, { field: 'bankAccount', reason: '系统维护检查' });

    expect(list.statusCode).toBe(403);
    expect(view.statusCode).toBe(403);
    expect(reveal.statusCode).toBe(403);
    expect(list.body).not.toContain(firm.generated[0]!.client.name);
  });
});

describe('reveal', () => {
  it('rejects a reveal without a reason and records the rejection', async () => {
    const bk1 = await signIn('bk1');
    const [id] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const reveals = () => app.db.selectFrom('audit_events').select(['outcome', 'details']).where('action', '=', 'client.reveal').where('client_id', '=', id!).orderBy('seq').execute();
    const before = await reveals();

    const response = await bk1.post(`/api/clients/${id}/reveal`, { field: 'legalRepIdNumber', reason: '  ' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'reason_required' });
    const added = (await reveals()).slice(before.length);
    expect(added.map((event) => event.outcome)).toEqual(['failure']);
    expect(JSON.parse(added[0]!.details)).toEqual({ code: 'reason_required' });
  });

  it('returns the plain value once, audited as a reveal with the reason', async () => {
    const bk1 = await signIn('bk1');
    const [id] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const uscc = (await app.db.selectFrom('clients').select('uscc').where('id', '=', id!).executeTakeFirstOrThrow()).uscc;
    const expected = firm.generated.find((entry) => entry.client.uscc === uscc)!.client.legalRepIdNumber;

    const response = await bk1.post(`/api/clients/${id}/reveal`, { field: 'legalRepIdNumber', reason: '个税申报核对身份' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ field: 'legalRepIdNumber', value: expected });
    const event = await app.db.selectFrom('audit_events').selectAll().where('action', '=', 'client.reveal').where('client_id', '=', id!).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(event.actor_id).toBe(firm.members.bk1.id);
    expect(event.reason).toBe('个税申报核对身份');
    expect(JSON.parse(event.fields)).toEqual(['legalRepIdNumber']);
    expect(JSON.stringify(event)).not.toContain(expected);
  });

  it('department manager cannot reveal sensitive values it sees masked', async () => {
    const manager = await signIn('manager1');
    const [id] = await clientIdsAssignedTo(app, firm.members.bk1.id);

    const response = await manager.post(`/api/clients/${id}/reveal`, { field: 'legalRepIdNumber', reason: '部门抽查核对' });

    expect(response.statusCode).toBe(403);
  });

  it('rejects a plain field as not revealable', async () => {
    const bk1 = await signIn('bk1');
    const [id] = await clientIdsAssignedTo(app, firm.members.bk1.id);

    const response = await bk1.post(`/api/clients/${id}/reveal`, { field: 'name', reason: '核对客户名称' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'field_not_revealable' });
  });
});

describe('search', () => {
  it('finds a client by exact ID number through the blind index', async () => {
    const bk1 = await signIn('bk1');
    const [id] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const uscc = (await app.db.selectFrom('clients').select('uscc').where('id', '=', id!).executeTakeFirstOrThrow()).uscc;
    const idNumber = firm.generated.find((entry) => entry.client.uscc === uscc)!.client.legalRepIdNumber!;

    const response = await bk1.get(`/api/clients?q=${encodeURIComponent(idNumber.toLowerCase())}`);

    expect((response.json() as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([id]);
  });

  it('does not find another department’s client by its identifiers', async () => {
    const bk1 = await signIn('bk1');
    const [otherId] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const uscc = (await app.db.selectFrom('clients').select('uscc').where('id', '=', otherId!).executeTakeFirstOrThrow()).uscc;
    const phone = firm.generated.find((entry) => entry.client.uscc === uscc)!.client.contactPhone!;

    for (const q of [uscc, phone]) {
      const response = await bk1.get(`/api/clients?q=${encodeURIComponent(q)}`);
      expect((response.json() as { total: number }).total, q).toBe(0);
    }
  });

  it('matches identifiers only where the caller sees the field in plain', async () => {
    const [id] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const uscc = (await app.db.selectFrom('clients').select('uscc').where('id', '=', id!).executeTakeFirstOrThrow()).uscc;
    const { client } = firm.generated.find((entry) => entry.client.uscc === uscc)!;
    const found = async (username: string, q: string) => ((await (await signIn(username)).get(`/api/clients?q=${encodeURIComponent(q)}`)).json() as { total: number }).total;

    // ID numbers are sensitive: customer service and the manager (masked) must not confirm one.
    expect(await found('service', client.legalRepIdNumber!)).toBe(0);
    expect(await found('manager1', client.legalRepIdNumber!)).toBe(0);
    expect(await found('partner', client.legalRepIdNumber!)).toBe(1);
    // Bank accounts are financial: hidden from customer service, plain for the manager.
    expect(await found('service', client.bankAccount!)).toBe(0);
    expect(await found('manager1', client.bankAccount!)).toBe(1);
    // Phones are basic: customer service may look a caller up by number.
    expect(await found('service', client.contactPhone!)).toBe(1);
  });

  it('records which client an identifier search matched', async () => {
    const partner = await signIn('partner');
    const [id] = await clientIdsAssignedTo(app, firm.members.bk2.id);
    const uscc = (await app.db.selectFrom('clients').select('uscc').where('id', '=', id!).executeTakeFirstOrThrow()).uscc;
    const { client } = firm.generated.find((entry) => entry.client.uscc === uscc)!;

    await partner.get(`/api/clients?q=${encodeURIComponent(client.legalRepIdNumber!)}`);

    const event = await app.db.selectFrom('audit_events').selectAll().where('action', '=', 'client.list').where('actor_id', '=', firm.members.partner.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(event.client_id).toBe(id);
    expect(JSON.parse(event.details)).toMatchObject({ searchKind: 'identifier', matchedClientIds: [id] });
    expect(event.details).not.toContain(client.legalRepIdNumber);
  });

  it('treats LIKE wildcards in a name search literally', async () => {
    const bk1 = await signIn('bk1');

    const response = await bk1.get(`/api/clients?q=${encodeURIComponent('%')}`);

    expect((response.json() as { total: number }).total).toBe(0);
  });
});

describe('scope in SQL and in decide()', () => {
  it('agree for every member and client of the firm', async () => {
    const { decide, listClientsInScopeForTest } = await scopeHelpers();
    const clients = await app.db.selectFrom('clients').select(['id', 'department_id']).execute();

    for (const member of Object.values(firm.members)) {
      const { subject, listedIds } = await listClientsInScopeForTest(member.id);
      const allowed = clients.filter((client) => decide(subject, 'client:list', { type: 'client', id: client.id, departmentId: client.department_id }).allow).map((client) => client.id).sort();
      expect(listedIds, member.username).toEqual(allowed);
    }
  });
});

describe('list filters', () => {
  it('filters by department and by assignee within the scope', async () => {
    const partner = await signIn('partner');
    const byDepartment = await partner.get(`/api/clients?pageSize=200&departmentId=${firm.departments.deptTwo}`);
    const byAssignee = await partner.get(`/api/clients?pageSize=200&assigneeId=${firm.members.bk1.id}`);
    const options = (await partner.get('/api/clients/filters')).json() as { departments: { id: string }[]; assignees: { id: string }[] };

    const departmentRows = await app.db.selectFrom('clients').select('id').where('department_id', '=', firm.departments.deptTwo).execute();
    expect((byDepartment.json() as { items: { id: string }[] }).items.map((item) => item.id).sort()).toEqual(departmentRows.map((row) => row.id).sort());
    expect((byAssignee.json() as { items: { id: string }[] }).items.map((item) => item.id).sort()).toEqual(await clientIdsAssignedTo(app, firm.members.bk1.id));
    expect(options.departments.map((department) => department.id).sort()).toEqual([firm.departments.deptOne, firm.departments.deptTwo].sort());
    expect(options.assignees.map((assignee) => assignee.id)).toContain(firm.members.bk2.id);
  });

  it('sorts by name in both directions and pages without overlap', async () => {
    const partner = await signIn('partner');
    const ascending = (await partner.get('/api/clients?pageSize=200&sort=name')).json() as { items: { name: string }[] };
    const firstPage = (await partner.get('/api/clients?pageSize=5&sort=-name')).json() as { items: { id: string; name: string }[]; total: number; nextCursor: string };
    const secondPage = (await partner.get(`/api/clients?pageSize=5&sort=-name&cursor=${encodeURIComponent(firstPage.nextCursor)}`)).json() as { items: { id: string; name: string }[] };

    const names = ascending.items.map((item) => item.name);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(firstPage.total).toBe(24);
    expect(firstPage.items[0]!.name).toBe(names[names.length - 1]);
    expect(secondPage.items).toHaveLength(5);
    expect(secondPage.items.some((item) => firstPage.items.some((other) => other.id === item.id))).toBe(false);
  });

  it('rejects an invalid page size with a field error and changes nothing', async () => {
    const partner = await signIn('partner');

    const response = await partner.get('/api/clients?pageSize=100000');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'pageSize', message: '数值过大（最大 200）。' }] });
  });
});

async function scopeHelpers() {
  const { decide, loadSubjectSnapshot } = await import('../src/access/index.js');
  const { listClientPage } = await import('../src/clients/client-list.repository.js');
  return {
    decide,
    async listClientsInScopeForTest(userId: string) {
      const subject = (await loadSubjectSnapshot(app.db, userId))!;
      const { rows } = await listClientPage(app.db, subject, { sort: { column: 'name', direction: 'asc' }, position: { at: 'first' }, limit: 10_000 });
      return { subject, listedIds: rows.map((row) => row.id).sort() };
    },
  };
}
