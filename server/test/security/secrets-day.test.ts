import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClientPerson } from '../../src/clients/client-people.js';
import { type GeneratedClient, generateClients, writeRosterWorkbook } from '../../src/demo/demo.data.js';
import { hashSecretToken } from '../../src/identity/secret-token.js';
import { totpCodeAt } from '../../src/identity/mfa/totp.js';
import { readOutbox } from '../../src/identity/sms/index.js';
import { readDecryptedSqliteBytes, readSqliteFileBytes } from '../sqlite-inspection.js';
import { createDepartment } from '../test-app.js';
import { type DayApp, createStaff, dayPassword, startDayApp } from './day-app.js';
import { DayBrowser, type DayResponse, type Exchange } from './day-client.js';
import { SecretBook } from './day-secrets.js';
import { dumpEveryRow, readDataFolderFiles } from './day-storage.js';

/*
 * A working day of a small firm, scripted through real HTTP, with the production logger at trace
 * level. The day starts with the set-up of the first administrator, first sign-ins that enrol an
 * authenticator, an SMS sign-in and failed sign-ins. Then come a roster import, searches by
 * identifiers, reveals, a document upload and download, an approval, a password change, an
 * administrator's reset, recovery codes, an audit export and session revocations.
 *
 * Every secret the day produces or handles is collected. Afterwards none may appear in the log,
 * the audit table, an error response, the database (every row, and on SQLite the file's raw and
 * decrypted pages) or another file of the data folder. Values legitimately returned to their
 * owner (a revealed value, a new TOTP secret, a downloaded document) are checked there instead.
 */

let day: DayApp;
const secrets = new SecretBook();
const exchanges: Exchange[] = [];
let roster: GeneratedClient[];
/** Browsers still signed in when the day ends, whose session tokens must be stored as hashes. */
const signedIn: DayBrowser[] = [];
/** What the owners received: revealed values, new TOTP secrets, the downloaded document. */
const owned = { revealed: [] as { expected: string; received: string | undefined }[], totpSecrets: 0, documentDownloaded: Buffer.alloc(0), documentUploaded: Buffer.alloc(0) };
let auditExport: DayResponse;
let auditSearch: DayResponse;
let rosterFolder: string;

const browser = (browserName: string) => new DayBrowser({ baseUrl: day.baseUrl, browserName, exchanges, secrets });

/** Fails a step with its name, the status and the error code only, so no body is printed. */
function expectStatus(response: DayResponse, status: number, step: string): DayResponse {
  if (response.status !== status) {
    let code = '';
    try {
      code = String(response.json<{ code?: string }>().code ?? '');
    } catch {
      code = 'no JSON body';
    }
    throw new Error(`${step}: expected HTTP ${status}, received ${response.status} ${code}`);
  }
  return response;
}

/** Signs a member in for the first time: the password, then enrolment of an authenticator app, which also returns recovery codes. */
async function signInEnrolling(username: string, password: string): Promise<DayBrowser> {
  const member = browser(username);
  const first = expectStatus(await member.post('/api/auth/login', { username, password }), 200, `${username} password`).json<{ enrolmentRequired?: boolean }>();
  if (!first.enrolmentRequired) throw new Error(`${username}: expected authenticator enrolment at the first sign-in`);

  const started = expectStatus(await member.post('/api/auth/mfa/enrol/totp'), 200, `${username} starts enrolment`).json<{ secret: string }>();
  secrets.add('TOTP secret', started.secret);
  owned.totpSecrets += 1;
  const code = totpCodeAt(started.secret, new Date());
  secrets.add('TOTP code', code);
  const confirmed = expectStatus(await member.post('/api/auth/mfa/enrol/totp/confirm', { code }), 200, `${username} confirms enrolment`).json<{ recoveryCodes: string[] }>();
  for (const recoveryCode of confirmed.recoveryCodes) secrets.add('recovery code', recoveryCode);
  return member;
}

/** Builds an ID card scan as a PDF whose text layer (a literal string, as OCR software writes it) contains the ID number. */
async function idCardScan(idNumber: string): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage([300, 200]);
  document.getInfoDict().set(PDFName.of('OcrText'), PDFString.of(`RESIDENT ID ${idNumber}`));
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

beforeAll(async () => {
  day = await startDayApp();
  const app = day.application;
  const origin = { ip: '127.0.0.1', userAgent: 'secrets-day fixture' };

  // 08:30 — the operator prints the set-up link (`ledgerguard init`) and creates the first administrator with it.
  const setupToken = (await app.auth.createSetupToken())!;
  secrets.add('set-up token', setupToken);
  const passwords = { sysadmin: dayPassword(), partner: dayPassword(), manager1: dayPassword(), bookkeeper1: dayPassword(), taxclerk: dayPassword(), service1: dayPassword(), auditor: dayPassword() };
  for (const password of Object.values(passwords)) secrets.add('password', password);

  const admin = browser('sysadmin');
  expectStatus(await admin.post('/api/setup', { token: setupToken, username: 'sysadmin', displayName: '孙建国', password: passwords.sysadmin }), 201, 'set-up');
  expectStatus(await browser('stranger').post('/api/setup', { token: setupToken, username: 'intruder', displayName: '入侵者', password: dayPassword() }), 409, 'second use of the set-up token');
  const adminTotp = expectStatus(await admin.post('/api/account/totp/start'), 200, 'administrator starts an authenticator').json<{ secret: string }>();
  secrets.add('TOTP secret', adminTotp.secret);
  owned.totpSecrets += 1;
  const adminCode = totpCodeAt(adminTotp.secret, new Date());
  secrets.add('TOTP code', adminCode);
  const adminRecovery = expectStatus(await admin.post('/api/account/totp/confirm', { code: adminCode }), 200, 'administrator confirms the authenticator').json<{ recoveryCodes: string[] }>();
  for (const code of adminRecovery.recoveryCodes) secrets.add('recovery code', code);

  // The firm's departments and staff. No HTTP route creates staff accounts, so the fixture does.
  const firm = await createDepartment(app, '上海账安财务咨询有限公司');
  const deptOne = await createDepartment(app, '记账一部', firm);
  await createDepartment(app, '记账二部', firm);
  const customerService = await createDepartment(app, '客服部', firm);
  await createStaff(app, { username: 'partner', displayName: '赵合伙', roles: ['partner'], departmentId: firm, password: passwords.partner });
  await createStaff(app, { username: 'manager1', displayName: '李经理', roles: ['department_manager'], departmentId: deptOne, password: passwords.manager1 });
  await createStaff(app, { username: 'bookkeeper1', displayName: '王会计', roles: ['bookkeeper'], departmentId: deptOne, password: passwords.bookkeeper1 });
  const taxclerkId = await createStaff(app, { username: 'taxclerk', displayName: '黄税务', roles: ['bookkeeper'], departmentId: deptOne, password: passwords.taxclerk });
  const serviceId = await createStaff(app, { username: 'service1', displayName: '林客服', roles: ['customer_service'], departmentId: customerService, password: passwords.service1 });
  await createStaff(app, { username: 'auditor', displayName: '周审之', roles: ['audit_admin'], departmentId: firm, password: passwords.auditor });
  const servicePhone = '17000000001';
  secrets.add('staff phone', servicePhone);
  await app.accounts.setPhone({ actor: { id: serviceId, username: 'service1' }, phone: servicePhone, origin });

  // 09:00 — the partner signs in for the first time and imports the client roster.
  const partner = await signInEnrolling('partner', passwords.partner);
  roster = generateClients({ count: 24, seed: 20261205, departments: ['记账一部', '记账二部'], assigneesByDepartment: { 记账一部: ['bookkeeper1'] } });
  for (const { client } of roster) {
    secrets.add('ID number', client.legalRepIdNumber);
    secrets.add('client phone', client.contactPhone);
    secrets.add('bank account', client.bankAccount);
    secrets.add('confidential note', client.confidentialNotes);
  }
  rosterFolder = await mkdtemp(path.join(os.tmpdir(), 'lg-day-roster-'));
  const rosterFile = path.join(rosterFolder, '客户花名册.xlsx');
  await writeRosterWorkbook(roster, rosterFile);
  const started = expectStatus(await partner.upload('/api/imports', {}, { name: '客户花名册.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', content: await readFile(rosterFile) }), 202, 'roster upload').json<{ jobId: string }>();
  let job = { status: 'running', created: 0 };
  for (let attempt = 0; attempt < 200 && job.status === 'running'; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = expectStatus(await partner.get(`/api/imports/${started.jobId}`), 200, 'import progress').json<typeof job>();
  }
  if (job.status !== 'done' || job.created !== roster.length) throw new Error(`roster import ended ${job.status} with ${job.created} clients`);
  signedIn.push(partner);

  // Linked people have no HTTP route either. Their ID numbers and phones join the secrets.
  const clientIds = new Map((await app.db.selectFrom('clients').select(['id', 'uscc']).execute()).map((row) => [row.uscc, row.id]));
  const ownClient = roster.find((entry) => entry.department === '记账一部')!;
  const ownClientId = clientIds.get(ownClient.client.uscc)!;
  const otherClientId = clientIds.get(roster.find((entry) => entry.department === '记账二部')!.client.uscc)!;
  const person = { idNumber: '31010119800101001X', phone: '13900001111' };
  secrets.add('person ID number', person.idNumber);
  secrets.add('person phone', person.phone);
  const personId = await addClientPerson(app.db, app.crypto, { clientId: ownClientId, role: '财务负责人', name: '钱财务', idNumber: person.idNumber, phone: person.phone });

  // 09:15 — first sign-ins of the manager and the bookkeeper, and customer service signs in by SMS.
  const manager = await signInEnrolling('manager1', passwords.manager1);
  const bookkeeper = await signInEnrolling('bookkeeper1', passwords.bookkeeper1);
  const service = browser('service1');
  const smsLogin = expectStatus(await service.post('/api/auth/login', { username: 'service1', password: passwords.service1 }), 200, 'service password').json<{ methods?: string[] }>();
  if (!smsLogin.methods?.includes('sms')) throw new Error('service1: expected an SMS code to be offered');
  expectStatus(await service.post('/api/auth/mfa/sms/send'), 200, 'SMS sent');
  const smsCode = /(\d{6})/.exec((await readOutbox(path.join(app.config.dataDir, 'sms-outbox.jsonl'))).at(-1)!.text)![1]!;
  secrets.add('SMS code', smsCode);
  expectStatus(await service.post('/api/auth/mfa/sms', { code: smsCode === '000000' ? '111111' : '000000' }), 401, 'wrong SMS code');
  expectStatus(await service.post('/api/auth/mfa/sms', { code: smsCode }), 200, 'SMS sign-in');
  expectStatus(await service.get('/api/clients?pageSize=5'), 200, 'customer service lists clients');
  signedIn.push(service);

  // Failed sign-ins: a mistyped password and a name that does not exist.
  const mistyped = `${passwords.bookkeeper1.slice(0, -1)}?`;
  secrets.add('mistyped password', mistyped);
  expectStatus(await browser('bookkeeper1-phone').post('/api/auth/login', { username: 'bookkeeper1', password: mistyped }), 401, 'mistyped password');
  const guessed = dayPassword();
  secrets.add('guessed password', guessed);
  expectStatus(await browser('guesser').post('/api/auth/login', { username: 'nobody', password: guessed }), 401, 'unknown account');

  // 10:00 — the bookkeeper lists, searches by identifiers and reveals with reasons.
  expectStatus(await bookkeeper.get('/api/clients?pageSize=50'), 200, 'client list');
  for (const value of [ownClient.client.legalRepIdNumber, ownClient.client.contactPhone, ownClient.client.bankAccount]) {
    const found = expectStatus(await bookkeeper.get(`/api/clients?q=${encodeURIComponent(value!)}`), 200, 'search by identifier').json<{ items: { id: string }[] }>();
    if (!found.items.some((item) => item.id === ownClientId)) throw new Error('a search by an identifier did not find the client');
  }
  expectStatus(await bookkeeper.get(`/api/clients/${ownClientId}`), 200, 'client page');
  for (const [field, expected, reason] of [
    ['legalRepIdNumber', ownClient.client.legalRepIdNumber!, `核对法人身份证 ${ownClient.client.legalRepIdNumber} 的个税申报`],
    ['bankAccount', ownClient.client.bankAccount!, '核对银行代扣协议'],
    ['contactPhone', ownClient.client.contactPhone!, '电话通知客户补交凭证'],
    [`people.${personId}.idNumber`, person.idNumber, '财务负责人变更备案'],
  ] as const) {
    const revealed = expectStatus(await bookkeeper.post(`/api/clients/${ownClientId}/reveal`, { field, reason }), 200, `reveal of ${field}`).json<{ value?: string }>();
    owned.revealed.push({ expected, received: revealed.value });
  }
  expectStatus(await bookkeeper.post(`/api/clients/${ownClientId}/reveal`, { field: 'bankAccount', reason: '' }), 400, 'reveal without a reason');
  expectStatus(await bookkeeper.get(`/api/clients/${otherClientId}`), 404, 'client of another department');

  // An ID card scan named after its owner is uploaded and downloaded again with a reason.
  const scan = await idCardScan(ownClient.client.legalRepIdNumber!);
  owned.documentUploaded = scan;
  const scanName = `身份证-${ownClient.client.legalRepName}-${ownClient.client.legalRepIdNumber}.pdf`;
  const uploaded = expectStatus(await bookkeeper.upload(`/api/clients/${ownClientId}/documents`, { category: 'id_card' }, { name: scanName, type: 'application/pdf', content: scan }), 201, 'document upload').json<{ id: string }>();
  const downloaded = expectStatus(await bookkeeper.post(`/api/clients/${ownClientId}/documents/${uploaded.id}/download`, { reason: '工商变更需提交法人身份证' }), 200, 'document download');
  owned.documentDownloaded = downloaded.body;

  // 11:00 — an access request and its approval by the manager.
  const request = expectStatus(
    await bookkeeper.post('/api/access-requests', { kind: 'temporary_grant', payload: { clientId: otherClientId, categories: ['basic'], actions: ['client:read'], startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() }, reason: '代同事处理年报' }),
    201,
    'access request',
  ).json<{ id: string }>();
  expectStatus(await bookkeeper.post(`/api/access-requests/${request.id}/approve`, {}), 403, 'approval of an own request');
  expectStatus(await manager.post(`/api/access-requests/${request.id}/approve`, { note: '同意，月底前收回' }), 200, 'approval');
  expectStatus(await bookkeeper.get(`/api/clients/${otherClientId}`), 200, 'client opened by the grant');

  // 12:00 — new recovery codes, then a password change, after a weak choice is rejected.
  const newCodes = expectStatus(await bookkeeper.post('/api/account/recovery-codes'), 200, 'new recovery codes').json<{ codes: string[] }>();
  for (const code of newCodes.codes) secrets.add('recovery code', code);
  const rejected = `password${String(Date.now()).slice(-6)}`;
  secrets.add('rejected password', rejected);
  expectStatus(await bookkeeper.post('/api/account/password', { currentPassword: passwords.bookkeeper1, newPassword: rejected }), 400, 'weak new password');
  expectStatus(await bookkeeper.post('/api/account/password', { currentPassword: mistyped, newPassword: dayPassword() }), 401, 'password change with a wrong current password');
  const bookkeeperNew = dayPassword();
  secrets.add('new password', bookkeeperNew);
  expectStatus(await bookkeeper.post('/api/account/password', { currentPassword: passwords.bookkeeper1, newPassword: bookkeeperNew }), 200, 'password change');

  // A second device signs in with the new password and a recovery code, and the bookkeeper ends that session.
  const laptop = browser('bookkeeper1-laptop');
  expectStatus(await laptop.post('/api/auth/login', { username: 'bookkeeper1', password: bookkeeperNew }), 200, 'second device password');
  expectStatus(await laptop.post('/api/auth/mfa/recovery', { code: newCodes.codes[0] }), 200, 'recovery code sign-in');
  const sessions = expectStatus(await bookkeeper.get('/api/account/sessions'), 200, 'own sessions').json<{ items: { id: string; current: boolean }[] }>();
  const laptopSession = sessions.items.find((session) => !session.current)!;
  expectStatus(await bookkeeper.post(`/api/account/sessions/${laptopSession.id}/revoke`), 204, 'own session revoked');
  expectStatus(await laptop.get('/api/auth/me'), 401, 'revoked session');

  // 14:00 — the administrator signs in with password and authenticator, resets a password and ends a session.
  const adminAgain = browser('sysadmin-desk');
  expectStatus(await adminAgain.post('/api/auth/login', { username: 'sysadmin', password: passwords.sysadmin }), 200, 'administrator password');
  const adminSecondCode = totpCodeAt(adminTotp.secret, new Date(Date.now() + 30_000));
  secrets.add('TOTP code', adminSecondCode);
  expectStatus(await adminAgain.post('/api/auth/mfa/totp', { code: adminSecondCode }), 200, 'administrator authenticator code');
  const reset = expectStatus(await adminAgain.post(`/api/admin/users/${taxclerkId}/reset-password`), 200, 'password reset').json<{ temporaryPassword: string }>();
  secrets.add('temporary password', reset.temporaryPassword);
  const taxclerk = await signInEnrolling('taxclerk', reset.temporaryPassword);
  const taxclerkNew = dayPassword();
  secrets.add('new password', taxclerkNew);
  expectStatus(await taxclerk.post('/api/account/password', { currentPassword: reset.temporaryPassword, newPassword: taxclerkNew }), 200, 'forced password change');
  signedIn.push(taxclerk);

  const online = expectStatus(await adminAgain.get('/api/admin/sessions'), 200, 'online users').json<{ items: { id: string; username: string }[] }>();
  const managerSession = online.items.find((session) => session.username === 'manager1')!;
  expectStatus(await adminAgain.post(`/api/admin/sessions/${managerSession.id}/revoke`), 204, 'forced sign-out');
  expectStatus(await manager.get('/api/clients'), 401, 'session ended by the administrator');
  signedIn.push(adminAgain);

  // 16:00 — the audit administrator searches and exports the day's log.
  const auditor = await signInEnrolling('auditor', passwords.auditor);
  auditSearch = expectStatus(await auditor.get('/api/audit/events?pageSize=200'), 200, 'audit search');
  auditExport = expectStatus(await auditor.post('/api/audit/export', { format: 'csv', filters: {} }), 200, 'audit export');
  signedIn.push(auditor);

  // 18:00 — the bookkeeper signs out.
  expectStatus(await bookkeeper.post('/api/auth/logout'), 204, 'sign-out');
  expectStatus(await bookkeeper.get('/api/auth/me'), 401, 'after sign-out');
}, 180_000);

afterAll(async () => {
  await day?.dispose();
  if (rosterFolder) await rm(rosterFolder, { recursive: true, force: true });
});

describe('secrets after a working day', () => {
  it('collects every kind of secret', () => {
    const kinds = new Set(secrets.all.map((secret) => secret.kind));

    for (const kind of ['password', 'new password', 'temporary password', 'mistyped password', 'set-up token', 'TOTP secret', 'TOTP code', 'SMS code', 'recovery code', 'cookie lg_session', 'cookie lg_challenge', 'CSRF token', 'ID number', 'client phone', 'bank account', 'person ID number', 'staff phone']) {
      expect(kinds.has(kind), kind).toBe(true);
    }
  });

  it('returns values to their owners', async () => {
    const downloaded = await PDFDocument.load(owned.documentDownloaded);
    const ocrText = downloaded.getInfoDict().lookup(PDFName.of('OcrText'));

    expect(owned.revealed.length).toBe(4);
    for (const { expected, received } of owned.revealed) expect(received === expected, 'revealed value matches').toBe(true);
    expect(owned.totpSecrets).toBe(6);
    expect(ocrText).toBeInstanceOf(PDFString);
    expect((ocrText as PDFString).decodeText() === `RESIDENT ID ${roster.find((entry) => entry.department === '记账一部')!.client.legalRepIdNumber}`, 'text layer of the downloaded scan').toBe(true);
  });

  it('keeps them out of the log', () => {
    const log = day.logLines.join('');

    expect(day.logLines.length).toBeGreaterThan(50);
    expect(secrets.findIn(log, 'the server log')).toEqual([]);
  });

  it('keeps them out of the audit log', async () => {
    const events = await day.application.db.selectFrom('audit_events').selectAll().execute();
    const actions = new Set(events.map((event) => event.action));

    expect(actions.has('client.reveal')).toBe(true);
    expect(actions.has('auth.session_revoked')).toBe(true);
    // The reveal whose reason quotes the ID number reached the audit log with the number redacted.
    expect(events.some((event) => event.action === 'client.reveal' && event.reason?.includes('[redacted]'))).toBe(true);
    expect(auditExport.body.length).toBeGreaterThan(1000);
    expect(events.flatMap((event) => secrets.findIn(JSON.stringify(event), `audit event ${event.seq} (${event.action})`))).toEqual([]);
    expect(secrets.findIn(auditSearch.body, 'the audit search response')).toEqual([]);
    expect(secrets.findIn(auditExport.body, 'the audit export')).toEqual([]);
  });

  it('keeps them out of error responses', () => {
    const errors = exchanges.filter((exchange) => exchange.status >= 400);
    const found = errors.flatMap((exchange) => {
      const place = `${exchange.status} response to ${exchange.method} ${exchange.path.split('?')[0]} of ${exchange.browserName}`;
      // A cookie the response sets for its own browser (a new device id) belongs to that browser, so it is no leak.
      const ownCookies = new Set(exchange.setCookies.map((cookie) => cookie.value));
      return [...secrets.findIn(exchange.body, `the body of the ${place}`, ownCookies), ...secrets.findIn(JSON.stringify(exchange.headers), `the headers of the ${place}`, ownCookies)];
    });

    expect(errors.length).toBeGreaterThanOrEqual(10);
    expect(found).toEqual([]);
    expect(errors.filter((exchange) => exchange.setCookies.some((cookie) => cookie.name === 'lg_session' && cookie.value !== '')).map((exchange) => exchange.path)).toEqual([]);
  });

  it('keeps them out of database rows', async () => {
    const values = await dumpEveryRow(day.application);

    expect(values.length).toBeGreaterThan(1000);
    expect(values.flatMap((value) => secrets.findIn(value.text, value.place))).toEqual([]);
  });

  it('stores session tokens as hashes', async () => {
    const hashes = new Set((await day.application.db.selectFrom('sessions').select('id_hash').execute()).map((row) => row.id_hash));

    expect(signedIn.length).toBe(5);
    for (const member of signedIn) expect(hashes.has(hashSecretToken(member.sessionToken!)), 'hash of a live session token').toBe(true);
  });

  it.skipIf(Boolean(process.env.TEST_DATABASE_URL))('keeps them out of the SQLite file', async () => {
    const file = day.application.database.sqliteFile!;
    await day.application.close();
    const raw = readSqliteFileBytes(file);
    const decrypted = readDecryptedSqliteBytes(file, day.keyring);
    const plainCreditCode = Buffer.from(roster[0]!.client.uscc);

    // The file is encrypted, so the raw pages hide even the plain columns, which show once decrypted.
    expect(raw.main.includes(plainCreditCode)).toBe(false);
    expect(decrypted.includes(plainCreditCode)).toBe(true);
    expect(secrets.findIn(raw.main, 'the raw SQLite file')).toEqual([]);
    expect(secrets.findIn(raw.wal, 'the raw SQLite WAL')).toEqual([]);
    expect(secrets.findIn(decrypted, 'the decrypted SQLite pages, free pages included')).toEqual([]);
  });

  it('keeps them out of data files', async () => {
    const idNumber = roster.find((entry) => entry.department === '记账一部')!.client.legalRepIdNumber!;
    // The development SMS outbox keeps the codes it sent by design; production uses a cloud provider.
    const files = await readDataFolderFiles(day.application.config.dataDir, (relative) => relative === 'sms-outbox.jsonl' || relative.startsWith('ledgerguard.db'));

    // The uploaded scan contains the ID number in plain bytes, so only the encryption of the stored copy can hide it.
    expect(owned.documentUploaded.includes(Buffer.from(idNumber))).toBe(true);
    expect(files.some((entry) => entry.file.startsWith('documents'))).toBe(true);
    expect(files.flatMap((entry) => secrets.findIn(entry.bytes, `data file ${entry.file}`))).toEqual([]);
  });
});
