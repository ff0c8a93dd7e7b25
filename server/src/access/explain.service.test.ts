import { describe, expect, it } from 'vitest';
import { explainDecision } from './explain.service.js';
import type { ActiveGrant } from './grant.js';
import type { SubjectSnapshot } from './subject.js';

// 18:00 in Asia/Shanghai (UTC+8, no daylight saving) is 10:00 UTC.
const GRANT_END = Date.parse('2026-12-04T18:00:00+08:00');
const NOW = Date.parse('2026-12-04T12:00:00+08:00');

const registrationGrant: ActiveGrant = {
  id: 'g-reg-1',
  clientId: 'client-a',
  departmentId: null,
  categories: new Set(['sensitive']),
  actions: new Set(['client:read', 'client:reveal']),
  startsAt: NOW - 3_600_000,
  endsAt: GRANT_END,
  kind: 'temporary',
};

function subjectWith(overrides: Partial<SubjectSnapshot>): SubjectSnapshot {
  return {
    userId: 'u1',
    username: 'member',
    roles: [],
    departmentId: 'd-one',
    departmentTreeIds: new Set(['d-one', 'd-one-a']),
    assignedClientIds: new Set(),
    ownClientId: null,
    grants: [],
    ...overrides,
  };
}

const clientA = { type: 'client' as const, id: 'client-a', departmentId: 'd-one-a' };
const clientB = { type: 'client' as const, id: 'client-b', departmentId: 'd-two' };

describe('explainDecision', () => {
  it('labels role and scope bilingually', () => {
    const bookkeeper = subjectWith({ roles: ['bookkeeper'], assignedClientIds: new Set(['client-a']) });

    const explanation = explainDecision(bookkeeper, 'client:read', clientA, NOW);

    expect(explanation.allow).toBe(true);
    expect(explanation.reasons).toEqual([
      { kind: 'role', key: 'role:bookkeeper', label: { 'zh-CN': '记账会计', 'en-US': 'Bookkeeper' } },
      { kind: 'scope', key: 'scope:assigned', label: { 'zh-CN': '指派客户', 'en-US': 'assigned clients' } },
    ]);
  });

  it('names the scope of each role', () => {
    const member = subjectWith({ roles: ['customer_service', 'department_manager'] });

    const explanation = explainDecision(member, 'client:read', clientA, NOW);

    expect(explanation.reasons.map((reason) => reason.label['zh-CN'])).toEqual(['客服', '全部客户', '部门经理', '本部门及以下']);
    expect(explanation.reasons.map((reason) => reason.label['en-US'])).toEqual(['Customer service', 'all clients', 'Department manager', 'department and below']);
  });

  it('labels own-company scope', () => {
    const contact = subjectWith({ roles: ['client_contact'], ownClientId: 'client-b' });

    const explanation = explainDecision(contact, 'client:read', clientB, NOW);

    expect(explanation.reasons[1]).toEqual({ kind: 'scope', key: 'scope:own_company', label: { 'zh-CN': '本公司', 'en-US': 'own company' } });
  });

  it('labels grant with its end time', () => {
    const registrar = subjectWith({ roles: ['registration_agent'], grants: [registrationGrant] });

    const explanation = explainDecision(registrar, 'client:reveal', { ...clientA, category: 'sensitive' }, NOW);

    expect(explanation.allow).toBe(true);
    expect(explanation.reasons).toEqual([
      {
        kind: 'grant',
        key: 'grant:g-reg-1',
        label: { 'zh-CN': '临时授权 g-reg-1（至 2026-12-04 18:00）', 'en-US': 'Temporary grant g-reg-1 (until 2026-12-04 18:00)' },
        endsAt: '2026-12-04T10:00:00.000Z',
      },
    ]);
  });

  it('formats end time in given zone', () => {
    const registrar = subjectWith({ grants: [{ ...registrationGrant, kind: 'break_glass' }] });

    const explanation = explainDecision(registrar, 'client:read', clientA, NOW, { timeZone: 'UTC' });

    expect(explanation.reasons[0]?.label).toEqual({ 'zh-CN': '紧急授权 g-reg-1（至 2026-12-04 10:00）', 'en-US': 'Break-glass grant g-reg-1 (until 2026-12-04 10:00)' });
  });

  it('explains a missing permission', () => {
    const auditor = subjectWith({ roles: ['audit_admin'] });

    const explanation = explainDecision(auditor, 'client:read', clientA, NOW);

    expect(explanation).toEqual({ allow: false, reasons: [{ kind: 'denial', key: 'no_permission', label: { 'zh-CN': '没有任何角色或授权包含此操作权限', 'en-US': 'No role or grant holds this permission' } }] });
  });

  it('explains a client outside every scope', () => {
    const bookkeeper = subjectWith({ roles: ['bookkeeper'], assignedClientIds: new Set(['client-a']) });

    const explanation = explainDecision(bookkeeper, 'client:read', clientB, NOW);

    expect(explanation.allow).toBe(false);
    expect(explanation.reasons).toEqual([{ kind: 'denial', key: 'out_of_scope', label: { 'zh-CN': '该客户不在任何数据范围或授权之内', 'en-US': 'The client is outside every data scope and grant' } }]);
  });

  it('explains an expired grant as out of scope', () => {
    const registrar = subjectWith({ roles: ['registration_agent'], grants: [registrationGrant] });

    const explanation = explainDecision(registrar, 'client:read', clientA, GRANT_END);

    expect(explanation.allow).toBe(false);
    expect(explanation.reasons.map((reason) => reason.key)).toEqual(['out_of_scope']);
  });

  it('keeps roles on category denial', () => {
    const manager = subjectWith({ roles: ['department_manager'] });

    const explanation = explainDecision(manager, 'client:reveal', { ...clientA, category: 'sensitive' }, NOW);

    expect(explanation.allow).toBe(false);
    expect(explanation.reasons.map((reason) => reason.kind)).toEqual(['role', 'scope', 'denial']);
    expect(explanation.reasons[2]).toEqual({
      kind: 'denial',
      key: 'category_not_plain:sensitive',
      label: { 'zh-CN': '敏感信息不是明文可见，不能查看原文', 'en-US': 'sensitive information is not visible in plain, so it cannot be revealed' },
    });
  });

  it('explains a reveal without a category', () => {
    const partner = subjectWith({ roles: ['partner'] });

    const explanation = explainDecision(partner, 'client:reveal', clientA, NOW);

    expect(explanation.allow).toBe(false);
    expect(explanation.reasons.at(-1)?.key).toBe('category_not_plain:unknown');
    expect(explanation.reasons.at(-1)?.label['en-US']).toBe('an unnamed category is not visible in plain, so it cannot be revealed');
  });

  it('explains a system action by role alone', () => {
    const securityAdmin = subjectWith({ roles: ['security_admin'] });

    expect(explainDecision(securityAdmin, 'security:manage', { type: 'system' }, NOW).reasons.map((reason) => reason.key)).toEqual(['role:security_admin']);
    expect(explainDecision(securityAdmin, 'user:manage', { type: 'system' }, NOW).reasons.map((reason) => reason.key)).toEqual(['no_permission']);
  });
});
