import { describe, expect, it } from 'vitest';
import { decide } from './decide.js';
import type { ActiveGrant } from './grant.js';
import type { SubjectSnapshot } from './subject.js';

// 18:00 in Asia/Shanghai (UTC+8, no daylight saving) is 10:00 UTC.
const END = Date.parse('2026-12-04T18:00:00+08:00');
const START = Date.parse('2026-12-04T09:00:00+08:00');

const grant: ActiveGrant = {
  id: 'g1',
  clientId: 'client-a',
  departmentId: null,
  categories: new Set(['basic', 'sensitive']),
  actions: new Set(['client:list', 'client:read', 'client:reveal']),
  startsAt: START,
  endsAt: END,
  kind: 'temporary',
};

const registrar: SubjectSnapshot = {
  userId: 'u1',
  username: 'registrar',
  roles: ['registration_agent'],
  departmentId: 'd1',
  departmentTreeIds: new Set(['d1']),
  assignedClientIds: new Set(),
  ownClientId: null,
  grants: [grant],
};

const clientA = { type: 'client' as const, id: 'client-a', departmentId: 'd9' };

describe('temporary grants in decide()', () => {
  it('allows within the window and reveals the granted category', () => {
    const view = decide(registrar, 'client:read', clientA, Date.parse('2026-12-04T17:59:59+08:00'));
    const reveal = decide(registrar, 'client:reveal', { ...clientA, category: 'sensitive' }, Date.parse('2026-12-04T17:59:59+08:00'));

    expect(view.allow).toBe(true);
    expect(view.reasons).toContain('grant:g1');
    expect(view.obligations.visibility).toEqual({ basic: 'plain', financial: 'none', sensitive: 'plain' });
    expect(reveal.allow).toBe(true);
  });

  it('denies at 18:00:01 Asia/Shanghai with nothing else running', () => {
    const decision = decide(registrar, 'client:read', clientA, Date.parse('2026-12-04T18:00:01+08:00'));

    expect(decision.allow).toBe(false);
    expect(decision.reasons).toEqual(['out_of_scope']);
  });

  it('treats the end as exclusive and the start as inclusive', () => {
    expect(decide(registrar, 'client:read', clientA, END).allow).toBe(false);
    expect(decide(registrar, 'client:read', clientA, END - 1).allow).toBe(true);
    expect(decide(registrar, 'client:read', clientA, START).allow).toBe(true);
    expect(decide(registrar, 'client:read', clientA, START - 1).allow).toBe(false);
  });

  it('covers only its client and its actions', () => {
    const now = END - 60_000;

    expect(decide(registrar, 'client:read', { type: 'client', id: 'client-b', departmentId: 'd9' }, now).allow).toBe(false);
    expect(decide(registrar, 'client:import', clientA, now).allow).toBe(false);
    expect(decide(registrar, 'client:reveal', { ...clientA, category: 'financial' }, now).allow).toBe(false);
  });

  it('covers every client of a granted department', () => {
    const departmentGrant: ActiveGrant = { ...grant, id: 'g2', clientId: null, departmentId: 'd9' };
    const subject = { ...registrar, grants: [departmentGrant] };

    expect(decide(subject, 'client:read', { type: 'client', id: 'any', departmentId: 'd9' }, END - 1).allow).toBe(true);
    expect(decide(subject, 'client:read', { type: 'client', id: 'any', departmentId: 'd8' }, END - 1).allow).toBe(false);
  });
});
