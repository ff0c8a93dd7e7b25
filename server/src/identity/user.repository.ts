import type { DbOrTrx } from '../db/index.js';
import type { RoleKey } from '../access/index.js';

export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  departmentId: string | null;
  clientId: string | null;
  passwordHash: string | null;
  status: 'active' | 'disabled';
  failedLogins: number;
  lockouts: number;
  lockedUntil: string | null;
}

const USER_COLUMNS = ['id', 'username', 'display_name', 'department_id', 'client_id', 'password_hash', 'status', 'failed_logins', 'lockouts', 'locked_until'] as const;

type UserRow = { id: string; username: string; display_name: string; department_id: string | null; client_id: string | null; password_hash: string | null; status: 'active' | 'disabled'; failed_logins: number; lockouts: number; locked_until: string | null };

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    departmentId: row.department_id,
    clientId: row.client_id,
    passwordHash: row.password_hash,
    status: row.status,
    failedLogins: Number(row.failed_logins),
    lockouts: Number(row.lockouts),
    lockedUntil: row.locked_until,
  };
}

export async function findUserByUsernameKey(db: DbOrTrx, key: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('username_key', '=', key).executeTakeFirst();
  return row && toUser(row);
}

export async function findUserById(db: DbOrTrx, id: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function countUsers(db: DbOrTrx): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface NewUser {
  id: string;
  username: string;
  usernameKey: string;
  displayName: string;
  departmentId: string | null;
  clientId?: string | null;
  passwordHash: string;
  roles: readonly RoleKey[];
}

export async function insertUser(db: DbOrTrx, user: NewUser): Promise<void> {
  const now = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      id: user.id,
      username: user.username,
      username_key: user.usernameKey,
      display_name: user.displayName,
      department_id: user.departmentId,
      client_id: user.clientId ?? null,
      password_hash: user.passwordHash,
      status: 'active',
      failed_logins: 0,
      lockouts: 0,
      locked_until: null,
      last_login_at: null,
      password_changed_at: now,
      created_at: now,
      phone_enc: null,
      phone_masked: null,
      must_change_password: 0,
      email: null,
    })
    .execute();
  if (user.roles.length > 0) {
    await db
      .insertInto('user_roles')
      .values(user.roles.map((role) => ({ user_id: user.id, role_key: role, created_at: now })))
      .execute();
  }
}

export async function recordSuccessfulLogin(db: DbOrTrx, userId: string, at: string): Promise<void> {
  await db.updateTable('users').set({ failed_logins: 0, lockouts: 0, locked_until: null, last_login_at: at }).where('id', '=', userId).execute();
}

export async function findRoleKeys(db: DbOrTrx, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('user_roles').select('role_key').where('user_id', '=', userId).orderBy('role_key').execute();
  return rows.map((row) => row.role_key);
}

export async function findDepartmentName(db: DbOrTrx, departmentId: string | null): Promise<string | null> {
  if (!departmentId) return null;
  const row = await db.selectFrom('departments').select('name').where('id', '=', departmentId).executeTakeFirst();
  return row?.name ?? null;
}

/** Makes the member's next sensitive action ask for a second factor confirmed after `at`. */
export async function requireStepUpAfter(db: DbOrTrx, userId: string, at: string): Promise<void> {
  await db.updateTable('users').set({ step_up_required_after: at }).where('id', '=', userId).execute();
}
