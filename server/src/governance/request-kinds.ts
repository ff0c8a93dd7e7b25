import { z } from 'zod';
import { GRANTABLE_ACTIONS, ROLE_KEYS } from '../access/index.js';

/** Every change of who may see what goes through one of these kinds of request. */
export const REQUEST_KINDS = ['role_grant', 'role_revoke', 'department_change', 'assignment_add', 'assignment_remove', 'temporary_grant', 'department_share'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

const category = z.enum(['basic', 'financial', 'sensitive']);
/** The longest a temporary grant may run; longer access is a role or an assignment. */
export const MAX_GRANT_DAYS = 30;

export const PAYLOAD_SCHEMAS = {
  role_grant: z.object({ role: z.enum(ROLE_KEYS) }),
  role_revoke: z.object({ role: z.enum(ROLE_KEYS) }),
  department_change: z.object({ departmentId: z.string().min(1).max(64) }),
  assignment_add: z.object({ clientId: z.string().min(1).max(64) }),
  assignment_remove: z.object({ clientId: z.string().min(1).max(64) }),
  temporary_grant: z
    .object({
      clientId: z.string().min(1).max(64).optional(),
      departmentId: z.string().min(1).max(64).optional(),
      categories: z.array(category).min(1).max(3),
      actions: z.array(z.enum(GRANTABLE_ACTIONS)).min(1).max(3),
      startsAt: z.string().datetime({ offset: true }),
      endsAt: z.string().datetime({ offset: true }),
    })
    .refine((grant) => Boolean(grant.clientId) !== Boolean(grant.departmentId), { message: 'one_of_client_or_department', path: ['clientId'] })
    .refine((grant) => Date.parse(grant.endsAt) > Date.parse(grant.startsAt), { message: 'end_before_start', path: ['endsAt'] })
    .refine((grant) => Date.parse(grant.endsAt) - Date.parse(grant.startsAt) <= MAX_GRANT_DAYS * 86_400_000, { message: 'grant_too_long', path: ['endsAt'] }),
  // One department asks another for access to some of its clients' categories for a period.
  department_share: z
    .object({
      fromDepartmentId: z.string().min(1).max(64),
      toDepartmentId: z.string().min(1).max(64),
      /** Clients of the owning department to share; all of its clients when left out. */
      clientIds: z.array(z.string().min(1).max(64)).min(1).max(200).optional(),
      categories: z.array(category).min(1).max(3),
      actions: z.array(z.enum(GRANTABLE_ACTIONS)).min(1).max(3),
      startsAt: z.string().datetime({ offset: true }),
      endsAt: z.string().datetime({ offset: true }),
    })
    .refine((share) => share.fromDepartmentId !== share.toDepartmentId, { message: 'same_department', path: ['toDepartmentId'] })
    .refine((share) => Date.parse(share.endsAt) > Date.parse(share.startsAt), { message: 'end_before_start', path: ['endsAt'] })
    .refine((share) => Date.parse(share.endsAt) - Date.parse(share.startsAt) <= MAX_GRANT_DAYS * 86_400_000, { message: 'grant_too_long', path: ['endsAt'] }),
} as const satisfies Record<RequestKind, z.ZodType>;

export type RequestPayload<K extends RequestKind> = z.infer<(typeof PAYLOAD_SCHEMAS)[K]>;

/**
 * An approval step: a holder of a role, or the department manager over the beneficiary's
 * department (a partner may stand in where no manager is above the member).
 */
export type ApprovalStep =
  | { readonly approver: 'department_manager' }
  | { readonly approver: 'role'; readonly role: (typeof ROLE_KEYS)[number] }
  /** The manager of the department that owns the shared clients (`toDepartmentId` of a share). */
  | { readonly approver: 'owning_department_manager' };

/** Default approval flows per kind. */
export const DEFAULT_FLOWS: Readonly<Record<RequestKind, readonly ApprovalStep[]>> = Object.freeze({
  role_grant: [{ approver: 'department_manager' }, { approver: 'role', role: 'security_admin' }],
  role_revoke: [{ approver: 'department_manager' }, { approver: 'role', role: 'security_admin' }],
  department_change: [{ approver: 'role', role: 'security_admin' }],
  assignment_add: [{ approver: 'department_manager' }],
  assignment_remove: [{ approver: 'department_manager' }],
  temporary_grant: [{ approver: 'department_manager' }],
  // The requesting department's manager files the share, which is that manager's consent; the
  // owning department's manager approves it.
  department_share: [{ approver: 'owning_department_manager' }],
});

/** Pending requests lapse after this many days. */
export const REQUEST_LIFETIME_DAYS = 7;
