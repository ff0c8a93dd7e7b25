import type { Me } from '../api/index.js';
import type { MessageKey } from '../i18n/index.js';

export interface MenuEntry {
  path: string;
  /** Left out for pages every signed-in member may open. */
  permission?: string;
  label: MessageKey;
}

/**
 * Top menu entries in display order. Each appears only for members with its permission. The
 * first entry shown to a member is their home page, so entries open to everyone come last.
 */
export const MENU: readonly MenuEntry[] = [
  { path: '/clients', permission: 'client:list', label: 'menu.clients' },
  { path: '/imports', permission: 'client:import', label: 'menu.imports' },
  { path: '/audit', permission: 'audit:read', label: 'menu.audit' },
  { path: '/security', permission: 'security:manage', label: 'menu.securityDashboard' },
  { path: '/admin/users', permission: 'user:manage', label: 'menu.adminUsers' },
  { path: '/admin/sessions', permission: 'session:manage', label: 'menu.adminSessions' },
  { path: '/access/explain', permission: 'access:explain', label: 'menu.explain' },
  { path: '/access/matrix', permission: 'access:explain', label: 'menu.matrix' },
  { path: '/access/requests', label: 'menu.accessRequests' },
  { path: '/access/grants', label: 'menu.grants' },
  { path: '/access/reviews', label: 'menu.reviews' },
];

/** The member's own security page, open to everyone signed in and linked from the user menu. */
export const ACCOUNT_SECURITY_PATH = '/account/security';

export function hasPermission(me: Me, permission: string): boolean {
  return me.permissions.includes(permission);
}

export function menuFor(me: Me): MenuEntry[] {
  return MENU.filter((entry) => entry.permission === undefined || hasPermission(me, entry.permission));
}

/** Returns the first page the member may open, or `undefined` when no menu entry is theirs. */
export function findHomePath(me: Me): string | undefined {
  return menuFor(me)[0]?.path;
}
