import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNulCharacter } from '../src/http/nul-characters.js';
import { createSmallFirm } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createTestApp } from './test-app.js';

// PostgreSQL rejects U+0000 in text with "invalid byte sequence", which reached callers as a 500
// on every text filter. These requests must be rejected as invalid input on both databases.

let app: TestApp;
let clientId: string;

beforeAll(async () => {
  app = await createTestApp();
  await createSmallFirm(app, { clientCount: 4 });
  const partner = await TestSession.signIn(app.app, 'partner', TEST_PASSWORD);
  clientId = ((await partner.get('/api/clients?pageSize=1')).json() as { items: { id: string }[] }).items[0]!.id;
});

afterAll(async () => {
  await app.dispose();
});

const signIn = (username: string) => TestSession.signIn(app.app, username, TEST_PASSWORD);

async function countRevealEvents(): Promise<number> {
  const row = await app.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('count')).where('action', '=', 'client.reveal').executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('U+0000 in request input', () => {
  it('rejects it in a client search', async () => {
    const partner = await signIn('partner');

    const response = await partner.get('/api/clients?q=%00%E4%B8%8A');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'q' }] });
  });

  it('rejects it in an audit filter', async () => {
    const auditor = await signIn('auditor');

    const response = await auditor.get('/api/audit/events?actor=partner%00');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'actor' }] });
  });

  it('rejects it in a path parameter', async () => {
    const partner = await signIn('partner');

    const response = await partner.get('/api/clients/%00');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'id' }] });
  });

  it('rejects it in a JSON body and reveals nothing', async () => {
    const partner = await signIn('partner');
    const revealsBefore = await countRevealEvents();

    const response = await partner.post(`/api/clients/${clientId}/reveal`, { field: 'legalRepIdNumber', reason: 'annual\u0000filing' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', issues: [{ path: 'reason' }] });
    expect(response.body).not.toContain('legalRepIdNumber":"');
    expect(await countRevealEvents()).toBe(revealsBefore);
  });

  it('accepts the same requests without it', async () => {
    const partner = await signIn('partner');

    const search = await partner.get('/api/clients?q=%E4%B8%8A');
    const reveal = await partner.post(`/api/clients/${clientId}/reveal`, { field: 'legalRepIdNumber', reason: 'annual filing' });

    expect(search.statusCode).toBe(200);
    expect(reveal.statusCode).toBe(200);
  });
});

describe('findNulCharacter', () => {
  it('names the path inside nested objects and arrays', () => {
    expect(findNulCharacter({ filters: { actor: 'a\u0000' } }, '')).toBe('filters.actor');
    expect(findNulCharacter({ items: ['ok', 'b\u0000'] }, '')).toBe('items.1');
    expect(findNulCharacter({ ['k\u0000']: 1 }, '')).toBe('body');
    expect(findNulCharacter({ ok: 'text', n: 3, none: null }, '')).toBeUndefined();
  });

  it('walks very deep nesting without overflow', () => {
    let nested: unknown = 'deep\u0000';
    for (let depth = 0; depth < 50_000; depth += 1) nested = [nested];

    expect(findNulCharacter(nested, '')).toMatch(/^0(\.0)*$/);
  });
});
