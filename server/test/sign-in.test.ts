import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURES_BEFORE_LOCK } from '../src/identity/index.js';
import { TestSession } from './http-client.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from './test-app.js';

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
});

afterAll(async () => {
  await app.dispose();
});

async function loginEvents(username: string) {
  return app.db.selectFrom('audit_events').selectAll().where('action', '=', 'auth.login').where('actor_username', '=', username).orderBy('seq').execute();
}

describe('first-run set-up', () => {
  it('retires an earlier set-up link when a new one is printed', async () => {
    const first = await app.auth.createSetupToken();
    await app.auth.createSetupToken();

    const response = await new TestSession(app.app).post('/api/setup', { token: first, username: 'early', displayName: '管理员', password: 'Setup-Password-2026' });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'setup_token_invalid' });
  });

  it('creates the first system administrator once, with the one-time token', async () => {
    const token = await app.auth.createSetupToken();
    const session = new TestSession(app.app);

    const weak = await session.post('/api/setup', { token, username: 'root', displayName: '管理员', password: 'short' });
    const created = await session.post('/api/setup', { token, username: 'root', displayName: '管理员', password: 'Setup-Password-2026' });
    const reused = await new TestSession(app.app).post('/api/setup', { token, username: 'root2', displayName: '管理员', password: 'Setup-Password-2026' });

    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'password_rejected' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ user: { username: 'root', roles: ['system_admin'] } });
    expect(reused.statusCode).toBe(409);
    expect(weak.json().issues[0]).toMatchObject({ path: 'password' });
    expect(await app.auth.createSetupToken()).toBeUndefined();
    const stored = await app.db.selectFrom('setup_tokens').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash)).not.toContain(token);
  });
});

describe('password sign-in', () => {
  it('records success and failure with address and user agent', async () => {
    await createMember(app, { username: 'wang', roles: ['bookkeeper'] });

    await new TestSession(app.app).post('/api/auth/login', { username: 'wang', password: 'Wrong-Password-1' });
    await TestSession.signIn(app.app, 'wang', TEST_PASSWORD);

    const events = await loginEvents('wang');
    expect(events.map((event) => event.outcome)).toEqual(['failure', 'success']);
    expect(events[0]!.ip).toBe('127.0.0.1');
    expect(events[0]!.user_agent).toBe('vitest');
    expect(JSON.parse(events[0]!.details)).toMatchObject({ failure: 'bad_password' });
  });

  it('answers an unknown username like a wrong password', async () => {
    const unknown = await new TestSession(app.app).post('/api/auth/login', { username: 'nobody', password: 'Wrong-Password-1' });
    const wrong = await new TestSession(app.app).post('/api/auth/login', { username: 'wang', password: 'Wrong-Password-1' });

    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
  });

  it('matches usernames case- and width-insensitively', async () => {
    const session = await TestSession.signIn(app.app, 'ＷＡＮＧ', TEST_PASSWORD);

    expect((await session.get('/api/auth/me')).json()).toMatchObject({ user: { username: 'wang' } });
  });

  it('locks the account after repeated failures, even for the right password', async () => {
    await createMember(app, { username: 'locked', roles: ['bookkeeper'] });
    for (let attempt = 0; attempt < FAILURES_BEFORE_LOCK; attempt += 1) {
      await new TestSession(app.app).post('/api/auth/login', { username: attempt % 2 ? 'LOCKED' : 'locked', password: 'Wrong-Password-1' });
    }

    const response = await new TestSession(app.app).post('/api/auth/login', { username: 'locked', password: TEST_PASSWORD });

    expect(response.statusCode).toBe(423);
    expect(response.json()).toMatchObject({ code: 'account_locked' });
    const throttle = await app.db.selectFrom('sign_in_throttle').select(['locked_until', 'lockouts']).where('username_key', '=', 'locked').executeTakeFirstOrThrow();
    expect(throttle.lockouts).toBe(1);
  });

  it('locks an unknown username exactly like a known one', async () => {
    const attempt = (username: string) => new TestSession(app.app).post('/api/auth/login', { username, password: 'Wrong-Password-1' });
    await createMember(app, { username: 'known', roles: ['bookkeeper'] });
    for (let index = 0; index < FAILURES_BEFORE_LOCK; index += 1) {
      await attempt('known');
      await attempt('ghost');
    }

    const known = await attempt('known');
    const unknown = await attempt('ghost');

    expect(known.statusCode).toBe(423);
    expect(unknown.statusCode).toBe(423);
    expect(unknown.body).toBe(known.body);
  });

  it('checks sign-in before validating input', async () => {
    const session = new TestSession(app.app);

    const response = await session.post('/api/clients/x/reveal', { field: 1 });

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('reports malformed JSON at the body in the request’s language', async () => {
    const session = new TestSession(app.app);

    const response = await session.post('/api/auth/login', '{"username":', { 'content-type': 'application/json' });

    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ code: 'validation_failed', message: '输入内容有误，请检查标出的字段。', issues: [{ path: 'body', message: '请求内容不是有效的 JSON。' }] });
  });

  it('rejects a state-changing request without the CSRF token', async () => {
    const response = await app.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'wang', password: TEST_PASSWORD } });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'csrf_invalid' });
  });

  it('sets an HttpOnly SameSite session cookie and ends it at sign-out', async () => {
    const session = new TestSession(app.app);
    const login = await session.post('/api/auth/login', { username: 'wang', password: TEST_PASSWORD });
    const cookie = login.cookies.find((entry) => entry.name === 'lg_session')!;

    await session.post('/api/auth/logout');
    const after = await session.get('/api/auth/me');

    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(after.statusCode).toBe(401);
    const stored = await app.db.selectFrom('sessions').select('id_hash').execute();
    expect(stored.map((row) => row.id_hash)).not.toContain(cookie.value);
  });

  it('answers errors in the request’s language', async () => {
    const english = new TestSession(app.app);
    english.locale = 'en-US';

    const response = await english.get('/api/clients');

    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ code: 'unauthenticated', message: 'Please sign in first.' });
  });
});

describe('audit page access', () => {
  it('lets the audit administrator search events and denies a bookkeeper', async () => {
    await createMember(app, { username: 'auditor', roles: ['audit_admin'] });
    const auditor = await TestSession.signIn(app.app, 'auditor', TEST_PASSWORD);
    const bookkeeper = await TestSession.signIn(app.app, 'wang', TEST_PASSWORD);

    const found = await auditor.get('/api/audit/events?action=auth.login&outcome=failure');
    const denied = await bookkeeper.get('/api/audit/events');

    expect(found.statusCode).toBe(200);
    const items = (found.json() as { items: { action: string; outcome: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.action === 'auth.login' && item.outcome === 'failure')).toBe(true);
    expect(denied.statusCode).toBe(403);
    expect((await app.audit.verify()).intact).toBe(true);
  });
});

describe('session timeouts', () => {
  it('ends a session after the idle timeout and after the absolute lifetime', async () => {
    await createMember(app, { username: 'sleepy', roles: ['customer_service'] });
    const idle = await TestSession.signIn(app.app, 'sleepy', TEST_PASSWORD);
    const absolute = await TestSession.signIn(app.app, 'sleepy', TEST_PASSWORD);
    const sessions = await app.db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select(['sessions.id_hash', 'sessions.created_at']).where('users.username', '=', 'sleepy').orderBy('sessions.created_at').execute();
    const past = new Date(Date.now() - 1000).toISOString();

    await app.db.updateTable('sessions').set({ idle_expires_at: past }).where('id_hash', '=', sessions[0]!.id_hash).execute();
    await app.db.updateTable('sessions').set({ absolute_expires_at: past }).where('id_hash', '=', sessions[1]!.id_hash).execute();

    expect(sessions).toHaveLength(2);
    expect((await idle.get('/api/auth/me')).statusCode).toBe(401);
    expect((await absolute.get('/api/auth/me')).statusCode).toBe(401);
    expect(await app.db.selectFrom('sessions').select('id_hash').where('id_hash', 'in', sessions.map((session) => session.id_hash)).execute()).toHaveLength(0);
  });
});
