import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutbox } from '../src/identity/sms/index.js';
import { FAILURES_BEFORE_LOCK } from '../src/identity/index.js';
import { createSmallFirm, clientIdsAssignedTo } from './firm-fixture.js';
import { TestSession } from './http-client.js';
import { enrolTotp, nextTotpCode } from './mfa-fixture.js';
import { TEST_PASSWORD, type TestApp, createMember, createTestApp } from './test-app.js';

let app: TestApp;
let firm: Awaited<ReturnType<typeof createSmallFirm>>;

beforeAll(async () => {
  app = await createTestApp({ mfa: { required: true, stepUpRequired: true, stepUpMinutes: 5, trustedDeviceDays: 30 } });
  firm = await createSmallFirm(app, { clientCount: 6 });
});

afterAll(async () => {
  await app.dispose();
});

async function passwordStep(session: TestSession, username: string, password = TEST_PASSWORD) {
  const response = await session.post('/api/auth/login', { username, password });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

describe('second factor at sign-in', () => {
  it('asks for the authenticator code and accepts it once', async () => {
    const member = await createMember(app, { username: 'totpuser', roles: ['bookkeeper'] });
    const secret = await enrolTotp(app, member.id, member.username);
    const session = new TestSession(app.app);

    const first = await passwordStep(session, 'totpuser');
    const wrong = await session.post('/api/auth/mfa/totp', { code: '000000' });
    const code = await nextTotpCode(secret);
    const right = await session.post('/api/auth/mfa/totp', { code });
    const me = await session.get('/api/auth/me');

    expect(first.body).toMatchObject({ mfaRequired: true, methods: ['totp'], enrolmentRequired: false });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'mfa_code_invalid' });
    expect(right.statusCode).toBe(200);
    expect(me.statusCode).toBe(200);

    const replay = new TestSession(app.app);
    await passwordStep(replay, 'totpuser');
    const replayed = await replay.post('/api/auth/mfa/totp', { code });
    expect(replayed.statusCode).toBe(401);
  });

  it('opens no session and no client data on the password alone', async () => {
    const member = await createMember(app, { username: 'halfway', roles: ['bookkeeper'] });
    await enrolTotp(app, member.id, member.username);
    const session = new TestSession(app.app);

    await passwordStep(session, 'halfway');
    const clients = await session.get('/api/clients');

    expect(clients.statusCode).toBe(401);
  });

  it('guides a member without a factor through authenticator enrolment', async () => {
    await createMember(app, { username: 'newcomer', roles: ['bookkeeper'] });
    const session = new TestSession(app.app);

    const first = await passwordStep(session, 'newcomer');
    const started = (await session.post('/api/auth/mfa/enrol/totp')).json() as { secret: string; otpauthUri: string; qrSvg: string };
    const { totpCodeAt } = await import('../src/identity/mfa/totp.js');
    const confirmed = await session.post('/api/auth/mfa/enrol/totp/confirm', { code: totpCodeAt(started.secret, new Date()) });

    expect(first.body).toMatchObject({ mfaRequired: true, enrolmentRequired: true, methods: [], enrolmentMethods: ['totp', 'passkey'] });
    expect(started.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(started.qrSvg).toContain('<svg');
    expect(confirmed.statusCode).toBe(200);
    expect((confirmed.json() as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
    expect((await session.get('/api/auth/me')).statusCode).toBe(200);
  });

  it('accepts each recovery code once', async () => {
    const member = await createMember(app, { username: 'recoverer', roles: ['bookkeeper'] });
    await enrolTotp(app, member.id, member.username);
    const [code] = await app.recovery.regenerate(member.id);

    const first = new TestSession(app.app);
    await passwordStep(first, 'recoverer');
    const used = await first.post('/api/auth/mfa/recovery', { code });
    const second = new TestSession(app.app);
    await passwordStep(second, 'recoverer');
    const reused = await second.post('/api/auth/mfa/recovery', { code });

    expect(used.statusCode).toBe(200);
    expect(used.json()).toMatchObject({ recoveryCodesRemaining: 9 });
    expect(reused.statusCode).toBe(401);
  });

  it('signs customer service in with an SMS code from the outbox', async () => {
    const member = await createMember(app, { username: 'caller', roles: ['customer_service'] });
    await app.accounts.setPhone({ actor: member, phone: '13812345678', origin: { ip: undefined, userAgent: undefined } });
    const session = new TestSession(app.app);

    const first = await passwordStep(session, 'caller');
    const sent = await session.post('/api/auth/mfa/sms/send');
    const outbox = await readOutbox(path.join(app.config.dataDir, 'sms-outbox.jsonl'));
    const code = /(\d{6})/.exec(outbox.at(-1)!.text)![1]!;
    const completed = await session.post('/api/auth/mfa/sms', { code });

    expect(first.body).toMatchObject({ mfaRequired: true, methods: ['sms'], phoneMasked: '138****5678' });
    expect(sent.statusCode).toBe(200);
    expect(outbox.at(-1)!.phone).toBe('13812345678');
    expect(completed.statusCode).toBe(200);
    const rows = JSON.stringify(await app.db.selectFrom('sms_codes').selectAll().execute());
    expect(rows).not.toContain(code);
    expect(rows).not.toContain('13812345678');
  });

  it('does not let SMS alone satisfy a role that reveals sensitive data', async () => {
    const member = await createMember(app, { username: 'smsonly', roles: ['bookkeeper'] });
    await app.accounts.setPhone({ actor: member, phone: '13912345678', origin: { ip: undefined, userAgent: undefined } });

    const first = await passwordStep(new TestSession(app.app), 'smsonly');

    expect(first.body).toMatchObject({ mfaRequired: true, enrolmentRequired: true });
  });
});

describe('lockout across methods', () => {
  it('locks the account when password and code failures add up', async () => {
    const member = await createMember(app, { username: 'guessed', roles: ['bookkeeper'] });
    const secret = await enrolTotp(app, member.id, member.username);
    for (let attempt = 0; attempt < FAILURES_BEFORE_LOCK - 2; attempt += 1) {
      await passwordStep(new TestSession(app.app), 'guessed', 'Wrong-Password-1');
    }
    const session = new TestSession(app.app);
    await passwordStep(session, 'guessed');
    await session.post('/api/auth/mfa/totp', { code: '111111' });
    await session.post('/api/auth/mfa/totp', { code: '222222' });

    const afterLock = await session.post('/api/auth/mfa/totp', { code: await nextTotpCode(secret) });
    const password = await passwordStep(new TestSession(app.app), 'ＧＵＥＳＳＥＤ');

    expect(afterLock.statusCode).toBeGreaterThanOrEqual(400);
    expect(password.status).toBe(423);
  });
});

describe('step-up before a reveal', () => {
  it('asks again when the second factor is stale and reveals after it', async () => {
    const secret = await enrolTotp(app, firm.members.bk1.id, 'bk1');
    const session = new TestSession(app.app);
    await passwordStep(session, 'bk1');
    await session.post('/api/auth/mfa/totp', { code: await nextTotpCode(secret) });
    const [clientId] = await clientIdsAssignedTo(app, firm.members.bk1.id);
    const reveal = () => session.post(`/api/clients/${clientId}/reveal`, { field: 'legalRepIdNumber', reason: '个税申报核对' });

    const fresh = await reveal();
    await app.db.updateTable('sessions').set({ second_factor_at: new Date(Date.now() - 6 * 60_000).toISOString() }).where('user_id', '=', firm.members.bk1.id).execute();
    const stale = await reveal();
    const stepUp = await session.post('/api/auth/step-up/totp', { code: await nextTotpCode(secret) });
    const again = await reveal();

    expect(fresh.statusCode).toBe(200);
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toMatchObject({ code: 'step_up_required', methods: ['totp'] });
    expect(stepUp.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
  }, 90_000);
});

describe('sessions end when they must', () => {
  async function signedIn(username: string, roles: Parameters<typeof createMember>[1]['roles']) {
    const member = await createMember(app, { username, roles });
    const secret = await enrolTotp(app, member.id, username);
    const session = new TestSession(app.app);
    await passwordStep(session, username);
    await session.post('/api/auth/mfa/totp', { code: await nextTotpCode(secret) });
    return { member, session };
  }

  it('ends other sessions at a password change', async () => {
    const { member, session } = await signedIn('changer', ['customer_service']);
    const [recoveryCode] = await app.recovery.regenerate(member.id);
    const other = new TestSession(app.app);
    await passwordStep(other, 'changer');
    await other.post('/api/auth/mfa/recovery', { code: recoveryCode });
    expect((await other.get('/api/auth/me')).statusCode).toBe(200);

    const weak = await session.post('/api/account/password', { currentPassword: TEST_PASSWORD, newPassword: 'password1234' });
    const reused = await session.post('/api/account/password', { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD });
    const wrongCurrent = await session.post('/api/account/password', { currentPassword: 'Not-The-Password-1', newPassword: 'Qx7!vLm2#pTz9w' });
    const changed = await session.post('/api/account/password', { currentPassword: TEST_PASSWORD, newPassword: 'Qx7!vLm2#pTz9w' });

    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'password_rejected', issues: expect.arrayContaining([expect.objectContaining({ path: 'newPassword' })]) });
    expect(reused.statusCode).toBe(400);
    expect(reused.json()).toMatchObject({ issues: [{ path: 'newPassword', message: '新密码不能与最近使用过的密码相同。' }] });
    expect(wrongCurrent.statusCode).toBe(401);
    expect(changed.statusCode).toBe(200);
    expect((await session.get('/api/auth/me')).statusCode).toBe(200);
    expect((await other.get('/api/auth/me')).statusCode).toBe(401);
    const remaining = await app.db.selectFrom('sessions').select('id_hash').where('user_id', '=', member.id).execute();
    expect(remaining).toHaveLength(1);
  }, 90_000);

  it('ends sessions at disable, forced sign-out and role removal', async () => {
    const admin = await signedIn('opsadmin', ['system_admin']);
    const disabled = await signedIn('leaver', ['customer_service']);
    const forced = await signedIn('kicked', ['customer_service']);
    const demoted = await signedIn('demoted', ['customer_service']);

    await admin.session.post(`/api/admin/users/${disabled.member.id}/disable`);
    const online = (await admin.session.get('/api/admin/sessions')).json() as { items: { id: string; username: string }[] };
    const kickedSession = online.items.find((entry) => entry.username === 'kicked')!;
    await admin.session.post(`/api/admin/sessions/${kickedSession.id}/revoke`);
    await app.db.deleteFrom('user_roles').where('user_id', '=', demoted.member.id).execute();

    expect((await disabled.session.get('/api/auth/me')).statusCode).toBe(401);
    expect((await forced.session.get('/api/auth/me')).statusCode).toBe(401);
    expect((await demoted.session.get('/api/clients')).statusCode).toBe(403);
    expect((await forced.session.get('/api/admin/sessions')).statusCode).toBe(401);
  }, 120_000);

  it('forces a password change after an administrator reset', async () => {
    const admin = await signedIn('resetter', ['system_admin']);
    const target = await signedIn('forgetful', ['customer_service']);
    const [recoveryCode] = await app.recovery.regenerate(target.member.id);

    const reset = (await admin.session.post(`/api/admin/users/${target.member.id}/reset-password`)).json() as { temporaryPassword: string };
    const oldSession = await target.session.get('/api/auth/me');
    const session = new TestSession(app.app);
    await passwordStep(session, 'forgetful', reset.temporaryPassword);
    await session.post('/api/auth/mfa/recovery', { code: recoveryCode });
    const me = (await session.get('/api/auth/me')).json() as { user: { mustChangePassword: boolean } };
    const blocked = await session.get('/api/clients');
    const changed = await session.post('/api/account/password', { currentPassword: reset.temporaryPassword, newPassword: 'Hv4$kRw8!mNq2x' });
    const allowed = await session.get('/api/clients');

    expect(reset.temporaryPassword).toHaveLength(16);
    expect(oldSession.statusCode).toBe(401);
    expect(me.user.mustChangePassword).toBe(true);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ code: 'password_change_required' });
    expect(changed.statusCode).toBe(200);
    expect(allowed.statusCode).toBe(200);
  }, 90_000);
});

describe('devices and own history', () => {
  it('remembers a trusted device and notifies about a new one', async () => {
    const member = await createMember(app, { username: 'traveller', roles: ['customer_service'] });
    const codes = await app.recovery.regenerate(member.id);
    await app.accounts.setPhone({ actor: member, phone: '13712345678', origin: { ip: undefined, userAgent: undefined } });

    const office = new TestSession(app.app);
    await passwordStep(office, 'traveller');
    await office.post('/api/auth/mfa/sms/send');
    const outbox = await readOutbox(path.join(app.config.dataDir, 'sms-outbox.jsonl'));
    const trusted = await office.post('/api/auth/mfa/sms', { code: /(\d{6})/.exec(outbox.at(-1)!.text)![1], rememberDevice: true });
    const officeAgain = await passwordStep(office, 'traveller');

    const laptop = new TestSession(app.app);
    const laptopFirst = await passwordStep(laptop, 'traveller');
    await laptop.post('/api/auth/mfa/recovery', { code: codes[1], rememberDevice: true });
    const notifications = (await laptop.get('/api/account/notifications')).json() as { unread: number; items: { kind: string; message: string }[] };

    expect(trusted.statusCode).toBe(200);
    expect(officeAgain.body).toHaveProperty('user');
    expect(laptopFirst.body).toMatchObject({ mfaRequired: true });
    expect(notifications.unread).toBe(1);
    expect(notifications.items[0]).toMatchObject({ kind: 'new_device' });
    expect(notifications.items[0]!.message).toContain('新设备');
    const event = await app.db.selectFrom('audit_events').select('action').where('actor_id', '=', member.id).where('action', '=', 'auth.new_device').execute();
    expect(event).toHaveLength(1);
  });

  it('recovery codes do not make a device trusted', async () => {
    const rows = await app.db.selectFrom('known_devices').innerJoin('users', 'users.id', 'known_devices.user_id').select(['known_devices.trusted_until']).where('users.username', '=', 'traveller').execute();

    // Both devices asked to be remembered; the one that used a recovery code is not trusted.
    expect(rows.filter((row) => row.trusted_until !== null)).toHaveLength(1);
  });

  it('lists own sessions and signs out elsewhere', async () => {
    const member = await createMember(app, { username: 'multi', roles: ['customer_service'] });
    await enrolTotp(app, member.id, 'multi');
    const codes = await app.recovery.regenerate(member.id);
    const sessions: TestSession[] = [];
    for (const code of codes.slice(0, 3)) {
      const session = new TestSession(app.app);
      await passwordStep(session, 'multi');
      await session.post('/api/auth/mfa/recovery', { code });
      sessions.push(session);
    }

    const listed = (await sessions[0]!.get('/api/account/sessions')).json() as { items: { id: string; current: boolean; ip: string; userAgent: string }[] };
    const revoked = (await sessions[0]!.post('/api/account/sessions/revoke-others')).json() as { revoked: number };
    const history = (await sessions[0]!.get('/api/account/sign-ins')).json() as { items: { outcome: string; method: string | null }[] };

    expect(listed.items).toHaveLength(3);
    expect(listed.items.filter((item) => item.current)).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ ip: '127.0.0.1', userAgent: 'vitest' });
    expect(revoked.revoked).toBe(2);
    expect((await sessions[1]!.get('/api/auth/me')).statusCode).toBe(401);
    expect((await sessions[0]!.get('/api/auth/me')).statusCode).toBe(200);
    expect(history.items.some((item) => item.method === 'password+recovery')).toBe(true);
  });

  it('keeps the online-user page to administrators', async () => {
    const member = await createMember(app, { username: 'curious', roles: ['customer_service'] });
    const [code] = await app.recovery.regenerate(member.id);
    await enrolTotp(app, member.id, 'curious');
    const session = new TestSession(app.app);
    await passwordStep(session, 'curious');
    await session.post('/api/auth/mfa/recovery', { code });

    expect((await session.get('/api/admin/sessions')).statusCode).toBe(403);
    expect((await session.get('/api/admin/users')).statusCode).toBe(403);
  });
});

describe('account changes inside a session', () => {
  async function signedInWithRecovery(username: string, roles: Parameters<typeof createMember>[1]['roles']) {
    const member = await createMember(app, { username, roles });
    await enrolTotp(app, member.id, username);
    const codes = await app.recovery.regenerate(member.id);
    const session = new TestSession(app.app);
    await passwordStep(session, username);
    await session.post('/api/auth/mfa/recovery', { code: codes[0] });
    return { member, session, codes };
  }

  it('counts wrong current passwords against the lock and ends the sessions', async () => {
    const { session } = await signedInWithRecovery('oracle', ['customer_service']);
    for (let attempt = 0; attempt < FAILURES_BEFORE_LOCK; attempt += 1) {
      await session.post('/api/account/password', { currentPassword: `Wrong-Guess-${attempt}!`, newPassword: 'Qx7!vLm2#pTz9w' });
    }

    expect((await session.get('/api/auth/me')).statusCode).toBe(401);
    expect((await passwordStep(new TestSession(app.app), 'oracle')).status).toBe(423);
    const locked = await app.db.selectFrom('audit_events').select('action').where('action', '=', 'auth.account_locked').execute();
    expect(locked.length).toBeGreaterThan(0);
  });

  it('lets the system administrator lift a lock', async () => {
    const admin = await signedInWithRecovery('unlocker', ['system_admin']);
    const target = await app.db.selectFrom('users').select('id').where('username', '=', 'oracle').executeTakeFirstOrThrow();

    const response = await admin.session.post(`/api/admin/users/${target.id}/unlock`);

    expect(response.statusCode).toBe(204);
    expect((await passwordStep(new TestSession(app.app), 'oracle')).body).toMatchObject({ mfaRequired: true });
  });

  it('asks for step-up before adding a factor to a protected account', async () => {
    const { member, session } = await signedInWithRecovery('planter', ['customer_service']);
    await app.db.updateTable('sessions').set({ second_factor_at: new Date(Date.now() - 10 * 60_000).toISOString() }).where('user_id', '=', member.id).execute();

    const passkey = await session.post('/api/account/passkeys/options');
    const totp = await session.post('/api/account/totp/start');

    expect(passkey.statusCode).toBe(403);
    expect(passkey.json()).toMatchObject({ code: 'step_up_required' });
    expect(totp.statusCode).toBe(403);
  });

  it('refuses to remove the last strong factor of a bookkeeper', async () => {
    const { session } = await signedInWithRecovery('keeper', ['bookkeeper']);

    const response = await session.post('/api/account/totp/remove');

    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'last_factor_required' });
  });

  it('keeps the password before an administrator reset out of reach', async () => {
    const admin = await signedInWithRecovery('resetter2', ['system_admin']);
    const { member, codes } = await signedInWithRecovery('returner', ['customer_service']);

    const reset = (await admin.session.post(`/api/admin/users/${member.id}/reset-password`)).json() as { temporaryPassword: string };
    const session = new TestSession(app.app);
    await passwordStep(session, 'returner', reset.temporaryPassword);
    await session.post('/api/auth/mfa/recovery', { code: codes[1] });
    const back = await session.post('/api/account/password', { currentPassword: reset.temporaryPassword, newPassword: TEST_PASSWORD });

    expect(back.statusCode).toBe(400);
    expect(back.json()).toMatchObject({ code: 'password_rejected' });
  });
});
