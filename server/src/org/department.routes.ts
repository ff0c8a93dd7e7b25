import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../db/index.js';

export interface DepartmentNode {
  id: string;
  name: string;
  parentId: string | null;
  managers: { id: string; displayName: string }[];
  children: DepartmentNode[];
}

/** Builds the department tree with each department's managers (members holding department_manager there). */
export async function loadDepartmentTree(db: Db): Promise<DepartmentNode[]> {
  const departments = await db.selectFrom('departments').select(['id', 'name', 'parent_id']).orderBy('name').execute();
  const managers = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.display_name', 'users.department_id'])
    .where('user_roles.role_key', '=', 'department_manager')
    .where('users.status', '=', 'active')
    .execute();

  const nodes = new Map<string, DepartmentNode>(
    departments.map((department) => [department.id, { id: department.id, name: department.name, parentId: department.parent_id, managers: [], children: [] }]),
  );
  for (const manager of managers) {
    if (manager.department_id) nodes.get(manager.department_id)?.managers.push({ id: manager.id, displayName: manager.display_name });
  }
  const roots: DepartmentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Registers the department tree route: structure and managers only, no client data, so every member may read it. */
export function departmentRoutes({ db }: { db: Db }) {
  return async function register(app: FastifyInstance): Promise<void> {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    routes.get('/api/departments', { config: { action: 'authenticated' }, schema: { tags: ['org'], summary: 'The department tree with each department’s managers' } }, async () => {
      return { items: await loadDepartmentTree(db) };
    });
  };
}
