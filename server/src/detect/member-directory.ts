import type { DbOrTrx } from '../db/index.js';

export interface MemberProfile {
  readonly id: string;
  readonly username: string;
  readonly departmentId: string | null;
  /** The company of a client contact's portal account; `null` for the firm's staff. */
  readonly portalClientId: string | null;
  readonly createdAt: string;
}

/**
 * Lookups the rules share within one batch of events, each loaded once: members, departments
 * and the departments of clients. A batch runs in one transaction, so the results stay consistent.
 */
export class MemberDirectory {
  readonly #db: DbOrTrx;
  readonly #members = new Map<string, MemberProfile | undefined>();
  readonly #clientDepartments = new Map<string, string | null>();
  #departments: Promise<Map<string, { name: string; parentId: string | null }>> | undefined;

  constructor(db: DbOrTrx) {
    this.#db = db;
  }

  async findMember(userId: string): Promise<MemberProfile | undefined> {
    if (!this.#members.has(userId)) {
      const row = await this.#db.selectFrom('users').select(['id', 'username', 'department_id', 'client_id', 'created_at']).where('id', '=', userId).executeTakeFirst();
      this.#members.set(userId, row && { id: row.id, username: row.username, departmentId: row.department_id, portalClientId: row.client_id, createdAt: row.created_at });
    }
    return this.#members.get(userId);
  }

  /** Returns the client's department, `null` when it has none or the client is unknown. */
  /**
   * Returns whether the account belongs to the firm's staff. Rules about working habits (hours,
   * volume, departments) judge staff only: a client contact reading the own company's data in the
   * portal at night is expected.
   */
  async isStaff(userId: string): Promise<boolean> {
    const member = await this.findMember(userId);
    return member !== undefined && member.portalClientId === null;
  }

  async clientDepartment(clientId: string): Promise<string | null> {
    if (!this.#clientDepartments.has(clientId)) {
      const row = await this.#db.selectFrom('clients').select('department_id').where('id', '=', clientId).executeTakeFirst();
      this.#clientDepartments.set(clientId, row?.department_id ?? null);
    }
    return this.#clientDepartments.get(clientId) ?? null;
  }

  async departmentName(departmentId: string): Promise<string | undefined> {
    return (await this.#loadDepartments()).get(departmentId)?.name;
  }

  /** Returns the department and every department below it. */
  async departmentSubtree(rootId: string): Promise<Set<string>> {
    const departments = await this.#loadDepartments();
    const subtree = new Set<string>([rootId]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [id, department] of departments) {
        if (!subtree.has(id) && department.parentId !== null && subtree.has(department.parentId)) {
          subtree.add(id);
          grew = true;
        }
      }
    }
    return subtree;
  }

  /**
   * Departments the member's position covers at `at`: the own department with everything below
   * it (which is also a manager's scope), the departments of assigned clients, and those a grant
   * open at that time reaches.
   */
  async structuralDepartments(member: MemberProfile, at: string): Promise<Set<string>> {
    const departments = member.departmentId ? await this.departmentSubtree(member.departmentId) : new Set<string>();

    const assigned = await this.#db
      .selectFrom('client_assignments')
      .innerJoin('clients', 'clients.id', 'client_assignments.client_id')
      .select('clients.department_id')
      .distinct()
      .where('client_assignments.user_id', '=', member.id)
      .execute();
    const grants = await this.#db
      .selectFrom('access_grants')
      .leftJoin('clients', 'clients.id', 'access_grants.client_id')
      .select(['access_grants.department_id', 'clients.department_id as client_department_id'])
      .where('access_grants.user_id', '=', member.id)
      .where('access_grants.starts_at', '<=', at)
      .where('access_grants.ends_at', '>', at)
      .where((eb) => eb.or([eb('access_grants.revoked_at', 'is', null), eb('access_grants.revoked_at', '>', at)]))
      .execute();

    for (const row of assigned) if (row.department_id) departments.add(row.department_id);
    for (const row of grants) {
      // A department grant covers that department's own clients only, as the decision point reads it.
      if (row.department_id) departments.add(row.department_id);
      if (row.client_department_id) departments.add(row.client_department_id);
    }
    return departments;
  }

  async #loadDepartments() {
    this.#departments ??= this.#db
      .selectFrom('departments')
      .select(['id', 'name', 'parent_id'])
      .execute()
      .then((rows) => new Map(rows.map((row) => [row.id, { name: row.name, parentId: row.parent_id }])));
    return this.#departments;
  }
}
