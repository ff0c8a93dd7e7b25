import { request } from '../../api/index.js';

export interface DepartmentNode {
  id: string;
  name: string;
  parentId: string | null;
  managers: { id: string; displayName: string }[];
  children: DepartmentNode[];
}

export const DEPARTMENTS_QUERY_KEY = ['departments'] as const;

/** Returns the department tree. Every signed-in member may read it, because it contains no client data. */
export function fetchDepartments(): Promise<{ items: DepartmentNode[] }> {
  return request('GET', '/api/departments');
}

export interface DepartmentTreeOption {
  value: string;
  title: string;
  children: DepartmentTreeOption[];
}

/** Turns the tree into `TreeSelect` options. */
export function toTreeOptions(nodes: readonly DepartmentNode[]): DepartmentTreeOption[] {
  return nodes.map((node) => ({ value: node.id, title: node.name, children: toTreeOptions(node.children) }));
}
