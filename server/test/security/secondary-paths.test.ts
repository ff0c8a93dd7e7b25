import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientInput } from '../../src/clients/field-catalog.js';
import { type TestApp, createTestApp } from '../test-app.js';
import { MEMBER_OF_ROLE, type MatrixFirm, createMatrixFirm } from './matrix-firm.js';
import { type Category, DOCUMENTED_ROLES, DOCUMENTED_ROLE_KEYS, type DocumentedRole, holds, scopeReaches, visibilityOf } from './matrix-roles.js';
import { type ListShape, listShapeOf, openApiOf, queryParametersOf, readWholeList } from './paths-list.js';

/**
 * Secondary paths to client data: search, filters and their options, sorting, totals, the
 * document list and download, and the administrators' explanations. None of them may show a
 * record or a field the caller cannot see. A value the caller cannot see must not work as a
 * search key either: a search for it returns exactly what a search for a value that exists
 * nowhere returns.
 */

interface ListedClient {
  id: string;
  name: string;
  fields: Record<string, { display: 'plain' | 'masked' | 'hidden'; value: string | null } | undefined>;
}

let app: TestApp;
let firm: MatrixFirm;
let clientList: ListShape;
let documentList: ListShape;
let ownClient: ClientInput;
let otherClient: ClientInput;

/** Roles that list clients at all; the administrators are stopped at the gate (see the matrix). */
const LISTING_ROLES = DOCUMENTED_ROLE_KEYS.filter((role) => holds(role, 'client:list'));

beforeAll(async () => {
  app = await createTestApp();
  firm = await createMatrixFirm(app);
  const document = await openApiOf(app.app);
  clientList = listShapeOf(queryParametersOf(document, 'GET', '/api/clients'));
  documentList = listShapeOf(queryParametersOf(document, 'GET', '/api/clients/{id}/documents'));
  ownClient = await plainValuesOf(firm.ownClientId);
  otherClient = await plainValuesOf(firm.otherClientId);
});

afterAll(async () => {
  await app.dispose();
});

/** The plain values the fixture imported for a client, looked up by its credit code. */
async function plainValuesOf(clientId: string): Promise<ClientInput> {
  const row = await app.db.selectFrom('clients').select('uscc').where('id', '=', clientId).executeTakeFirstOrThrow();
  return firm.firm.generated.find((generated) => generated.client.uscc === row.uscc)!.client;
}

function listClients(role: DocumentedRole, query: Record<string, string> = {}) {
  return readWholeList<ListedClient>(firm.callers[role], '/api/clients', clientList, query);
}

function search(role: DocumentedRole, value: string) {
  if (!clientList.searchParameter) throw new Error('GET /api/clients has no search parameter');
  return listClients(role, { [clientList.searchParameter]: value });
}

/** Lists the clients of a status that a role reaches, from the documented scope and the fixture's assignments. */
async function clientsInScope(role: DocumentedRole, status: 'active' | 'archived' = 'active'): Promise<string[]> {
  const scope = DOCUMENTED_ROLES[role].scope;
  let query = app.db.selectFrom('clients').select('id').where('status', '=', status);
  if (scope === 'assigned') query = query.where('id', 'in', app.db.selectFrom('client_assignments').select('client_id').where('user_id', '=', firm.userIds[role]));
  if (scope === 'department_tree') query = query.where('department_id', '=', firm.departments.deptOne);
  if (scope === 'own_company') query = query.where('id', '=', firm.ownClientId);
  if (scope === 'none') return [];
  return (await query.execute()).map((row) => row.id).sort();
}

/** Searchable identifiers, the field category that decides who may search by each, and a value of that shape that no client has. */
const IDENTIFIERS = [
  { key: 'legalRepIdNumber', category: 'sensitive', madeUp: '11010119900307803X' },
  { key: 'contactPhone', category: 'basic', madeUp: '13000000017' },
  { key: 'bankAccount', category: 'financial', madeUp: '6222020000000000017' },
  { key: 'uscc', category: 'basic', madeUp: '91310000MA00000017' },
] as const satisfies readonly { key: keyof ClientInput; category: Category; madeUp: string }[];

describe('search keys', () => {
  it('finds fixture values, not made-up ones', async () => {
    // The partner reaches every client and sees every category plain, so it proves that each
    // real value is a working search key and that each made-up value matches nothing.
    for (const identifier of IDENTIFIERS) {
      const found = await search('partner', otherClient[identifier.key]!);
      const nothing = await search('partner', identifier.madeUp);

      expect(found.items.map((item) => item.id), identifier.key).toContain(firm.otherClientId);
      expect(nothing.items, identifier.key).toEqual([]);
    }
  });

  for (const identifier of IDENTIFIERS) {
    const cases = LISTING_ROLES.flatMap((role) => [[role, 'own client', 'own'] as const, [role, 'another department’s client', 'other'] as const]);
    it.each(cases)(`${identifier.key} searched by the %s, %s`, async (role, _label, target) => {
      const value = (target === 'own' ? ownClient : otherClient)[identifier.key]!;
      const clientId = target === 'own' ? firm.ownClientId : firm.otherClientId;
      const findable = scopeReaches(role, target) && visibilityOf(role, identifier.category) === 'plain';

      const answer = await search(role, value);
      const unknown = await search(role, identifier.madeUp);

      if (findable) {
        expect(answer.items.map((item) => item.id)).toContain(clientId);
      } else {
        expect(answer.pages).toEqual(unknown.pages);
      }
    });
  }

  it.each(LISTING_ROLES)('name fragment searched by the %s', async (role) => {
    const fragment = await nameFragmentOnlyIn(firm.otherClientId, otherClient.name);
    const answer = await search(role, fragment);
    const unknown = await search(role, '甲乙丙丁');

    expect((await search('partner', '甲乙丙丁')).items).toEqual([]);
    if (scopeReaches(role, 'other')) {
      expect(answer.items.map((item) => item.id)).toContain(firm.otherClientId);
    } else {
      expect(answer.pages).toEqual(unknown.pages);
    }
  });

  it('keeps searched identifiers out of the audit log', async () => {
    const searched = IDENTIFIERS.flatMap((identifier) => [ownClient[identifier.key]!, otherClient[identifier.key]!]).filter((value) => value !== ownClient.uscc && value !== otherClient.uscc);
    const rows = await app.db.selectFrom('audit_events').select(['details']).where('action', '=', 'client.list').execute();

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const value of searched) expect(row.details).not.toContain(value);
    }
  });
});

/** Two characters of the client's name that no other client's name contains. */
async function nameFragmentOnlyIn(clientId: string, name: string): Promise<string> {
  const others = (await app.db.selectFrom('clients').select('name').where('id', '!=', clientId).execute()).map((row) => row.name);
  for (let start = 2; start < name.length - 1; start += 1) {
    const fragment = name.slice(start, start + 2);
    if (!others.some((other) => other.includes(fragment))) return fragment;
  }
  throw new Error(`No fragment of ${name} is unique to it`);
}

describe('filters and totals', () => {
  it.each(LISTING_ROLES)('filter options of the %s', async (role) => {
    const inScope = await app.db.selectFrom('clients').select('id').where('id', 'in', [...(await clientsInScope(role)), ...(await clientsInScope(role, 'archived'))]).execute();
    const ids = inScope.map((row) => row.id);
    const departments = await app.db.selectFrom('clients').select('department_id').distinct().where('id', 'in', ids).execute();
    const assignees = await app.db.selectFrom('client_assignments').select('user_id').distinct().where('client_id', 'in', ids).execute();

    const response = await firm.callers[role].send('GET', '/api/clients/filters');
    const options = response.json() as { departments: { id: string }[]; assignees: { id: string }[] };

    expect(options.departments.map((department) => department.id).sort()).toEqual(departments.map((row) => row.department_id).sort());
    expect(options.assignees.map((assignee) => assignee.id).sort()).toEqual(assignees.map((row) => row.user_id).sort());
  });

  it.each(LISTING_ROLES)('out-of-scope filters of the %s', async (role) => {
    const byOtherDepartment = await listClients(role, { departmentId: firm.departments.deptTwo });
    const byOtherAssignee = await listClients(role, { assigneeId: firm.firm.members.bk2.id });
    const unknown = await listClients(role, { departmentId: firm.missingId });

    if (scopeReaches(role, 'other')) {
      expect(byOtherDepartment.items.map((item) => item.id)).toContain(firm.otherClientId);
      expect(byOtherAssignee.items.map((item) => item.id)).toContain(firm.otherClientId);
    } else {
      expect(byOtherDepartment.pages).toEqual(unknown.pages);
      expect(byOtherAssignee.pages).toEqual(unknown.pages);
    }
  });

  it.each(LISTING_ROLES)('list and total of the %s', async (role) => {
    const expected = await clientsInScope(role);
    const listed = await listClients(role);

    expect(listed.items.map((item) => item.id).sort()).toEqual(expected);
    if (listed.total !== null) expect(listed.total).toBe(expected.length);
  });

  it('archived client within scope only', async () => {
    const archivedId = firm.spareClient('deptTwo');
    const archived = await firm.callers.partner.send('POST', `/api/clients/${archivedId}/archive`, { json: { reason: '服务终止归档' } });
    expect(archived.statusCode).toBe(200);

    for (const role of LISTING_ROLES) {
      const listed = await listClients(role, { status: 'archived' });
      const expected = await clientsInScope(role, 'archived');

      expect(listed.items.map((item) => item.id).sort(), role).toEqual(expected);
      expect(expected.includes(archivedId), role).toBe(scopeReaches(role, 'other'));
    }
  });
});

/** Sort keys that are not client fields: when a client was added is no client's data. */
const METADATA_SORT_KEYS = new Set(['createdAt']);

describe('sorting', () => {
  it('client list has sort options', () => {
    expect(clientList.sortValues.length).toBeGreaterThan(0);
  });

  it.each(LISTING_ROLES)('sort keys shown plain to the %s', async (role) => {
    for (const sort of clientList.sortValues) {
      const key = sort.replace(/^-/, '');
      const listed = await listClients(role, { [clientList.sortParameter!]: sort });
      if (METADATA_SORT_KEYS.has(key)) continue;

      // A sort by a value the caller cannot read would still place rows by it, one rank at a time.
      const shown = listed.items.map((item) => (key === 'name' ? { display: 'plain', value: item.name } : item.fields[key]));
      const notPlain = shown.filter((field) => field === undefined || (field.display !== 'plain' && field.value !== null));
      expect(notPlain, `sort ${sort} for ${role}: add the key to this test only if every listing role sees it plain`).toEqual([]);

      if (key !== 'name') {
        const values = shown.map((field) => field!.value).filter((value): value is string => value !== null);
        const ordered = [...values].sort();
        expect(values, `sort ${sort} for ${role}`).toEqual(sort.startsWith('-') ? ordered.reverse() : ordered);
      }
    }
  });
});

describe('documents', () => {
  const readers = DOCUMENTED_ROLE_KEYS.filter((role) => holds(role, 'client:read') && scopeReaches(role, 'own'));

  it.each(readers)('document list of the %s', async (role) => {
    const visible = (['basic', 'financial', 'sensitive'] as const).filter((category) => visibilityOf(role, category) !== 'none');
    const categoriesOf: Record<string, Category> = { business_licence: 'basic', id_card: 'sensitive', financial_statement: 'financial', bank_statement: 'financial', contract: 'basic', other: 'basic' };
    const stored = await app.db.selectFrom('documents').select(['id', 'category']).where('client_id', '=', firm.ownClientId).execute();
    const expected = stored.filter((document) => visible.includes(categoriesOf[document.category]!)).map((document) => document.id).sort();

    for (const sort of documentList.sortValues) {
      const listed = await readWholeList<{ id: string }>(firm.callers[role], `/api/clients/${firm.ownClientId}/documents`, documentList, { [documentList.sortParameter!]: sort });

      expect(listed.items.map((item) => item.id).sort(), sort).toEqual(expected);
      if (listed.total !== null) expect(listed.total, sort).toBe(expected.length);
    }
  });

  it.each(readers.filter((role) => holds(role, 'client:reveal') && visibilityOf(role, 'sensitive') !== 'plain'))('hidden ID card scan for the %s', async (role) => {
    const url = (documentId: string) => `/api/clients/${firm.ownClientId}/documents/${documentId}/download`;
    const scan = await firm.callers[role].send('POST', url(firm.documents.own.sensitive), { json: { reason: '核对证件信息' } });
    const missing = await firm.callers[role].send('POST', url(firm.missingId), { json: { reason: '核对证件信息' } });

    expect(scan.statusCode).toBe(404);
    expect(scan.body).toBe(missing.body);
  });
});

describe('explanations and administrator views', () => {
  /** Plain and stored masked values of the own client, none of which an administrator may see. */
  async function ownClientValues(): Promise<string[]> {
    const row = await app.db.selectFrom('clients').selectAll().where('id', '=', firm.ownClientId).executeTakeFirstOrThrow();
    const masked = Object.entries(row).filter(([column, value]) => column.endsWith('_masked') && typeof value === 'string').map(([, value]) => value as string);
    const plain = [ownClient.name, ownClient.uscc, ownClient.legalRepName, ownClient.legalRepIdNumber, ownClient.contactName, ownClient.contactPhone, ownClient.bankAccount, ownClient.registeredAddress];
    return [...plain, ...masked].filter((value): value is string => typeof value === 'string' && value.length > 0);
  }

  it.each(['security_admin', 'audit_admin'] as const)('no client value for the %s', async (role) => {
    const urls = [
      `/api/access/explain?userId=${firm.userIds.bookkeeper}&clientId=${firm.ownClientId}&action=client:reveal&field=legalRepIdNumber`,
      `/api/access/clients/${firm.ownClientId}/fields/legalRepIdNumber/viewers`,
      `/api/access/members/${firm.userIds.bookkeeper}/reach`,
      `/api/access/matrix?departmentId=${firm.departments.deptOne}`,
      '/api/grants',
      `/api/access-requests/${firm.pendingRequestId}`,
      ...(role === 'audit_admin' ? [`/api/reviews/campaigns/${firm.readCampaignId}/items`, `/api/reviews/campaigns/${firm.readCampaignId}/report`] : []),
    ];
    const values = await ownClientValues();

    for (const url of urls) {
      const response = await firm.callers[role].send('GET', url);
      expect(response.statusCode, url).toBe(200);
      for (const value of values) expect(response.body, `${url} shows ${value}`).not.toContain(value);
    }
  });

  it.each([
    ['own', 'legalRepIdNumber', 'sensitive'],
    ['other', 'legalRepIdNumber', 'sensitive'],
    ['own', 'bankAccount', 'financial'],
    ['other', 'contactPhone', 'basic'],
  ] as const)('viewers of the %s client’s %s', async (target, field, category) => {
    const clientId = target === 'own' ? firm.ownClientId : firm.otherClientId;
    const response = await firm.callers.security_admin.send('GET', `/api/access/clients/${clientId}/fields/${field}/viewers`);
    const viewers = (response.json() as { viewers: { username: string; display: string }[] }).viewers;

    // Every member of the firm who reaches the client through a role, with the category's visibility.
    const members = [...DOCUMENTED_ROLE_KEYS.map((role) => [MEMBER_OF_ROLE[role], role] as const), ['bk2', 'bookkeeper'] as const, ['matrix-target', 'bookkeeper'] as const];
    const reaches = (username: string, role: DocumentedRole) => {
      // bk2 is assigned the other client only, and the account-action target is assigned none.
      if (username === 'bk2') return target === 'other';
      if (username === 'matrix-target') return false;
      return scopeReaches(role, target);
    };
    const expected = members
      .filter(([username, role]) => holds(role, 'client:read') && reaches(username, role) && visibilityOf(role, category) !== 'none')
      .map(([username, role]) => ({ username, display: visibilityOf(role, category) }));

    expect(viewers.map(({ username, display }) => ({ username, display })).sort(byUsername)).toEqual(expected.sort(byUsername));
  });
});

function byUsername(a: { username: string }, b: { username: string }): number {
  return a.username.localeCompare(b.username);
}
