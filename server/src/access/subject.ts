import type { ActiveGrant } from './grant.js';
import type { RoleKey } from './roles.js';

/**
 * Everything `decide()` needs about one subject, compiled from the database for a request:
 * roles, the departments its scope covers and the clients assigned to it. `decide()` compiles
 * the role and grant lists once per snapshot object (subject-policy.ts), so they must not change
 * after the first decision. A caller that needs other roles or grants builds a new snapshot.
 */
export interface SubjectSnapshot {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly RoleKey[];
  readonly departmentId: string | null;
  /** The member's department and every department below it. */
  readonly departmentTreeIds: ReadonlySet<string>;
  readonly assignedClientIds: ReadonlySet<string>;
  /** The company of a client-contact (portal) account. */
  readonly ownClientId: string | null;
  /** Grants not revoked and not yet ended when the snapshot was compiled; `decide()` checks each window. */
  readonly grants: readonly ActiveGrant[];
}
