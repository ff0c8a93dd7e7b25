import type { FormInstance, FormRule } from 'antd';
import type { Dayjs } from 'dayjs';

import { ApiError, isApiError, type FieldCategory } from '../../api/index.js';
import { firmPickerValueToInstant } from '../../app/firm-time.js';
import { showServerErrorAtFields } from '../../app/form-issues.js';
import type { Translate } from '../../i18n/index.js';
import { MIN_REQUEST_REASON, type FilableKind, type GrantableAction, type NewAccessRequest, type RoleKey } from './access.api.js';

/** Whether a temporary grant covers one client or a whole department. */
export type GrantScope = 'client' | 'department';

export interface RequestFormValues {
  kind: FilableKind;
  beneficiary: 'self' | 'other';
  beneficiaryId?: string;
  role?: RoleKey;
  departmentId?: string;
  /** The requesting and the owning department of a cross-department share. */
  fromDepartmentId?: string;
  toDepartmentId?: string;
  clientId?: string;
  scope?: GrantScope;
  categories?: FieldCategory[];
  actions?: GrantableAction[];
  /** Start and end, picked as dates and times in Shanghai. */
  window?: [Dayjs, Dayjs];
  reason: string;
}

const FORM_FIELDS = ['beneficiaryId', 'role', 'departmentId', 'fromDepartmentId', 'toDepartmentId', 'clientId', 'categories', 'actions', 'window', 'reason'] as const;

/** Rules of a reason field: required, and at least as long as the server accepts. */
export function reasonRules(t: Translate): FormRule[] {
  return [
    { required: true, whitespace: true, message: t('access.form.reasonRequired') },
    {
      // Counted in characters (code points), as the server counts them.
      validator: (_rule, value: unknown) =>
        typeof value !== 'string' || value.trim() === '' || [...value.trim()].length >= MIN_REQUEST_REASON
          ? Promise.resolve()
          : Promise.reject(new Error(t('access.form.reasonTooShort', { min: MIN_REQUEST_REASON }))),
    },
  ];
}

/** Builds the request body from the fields of the chosen kind; fields of other kinds are ignored. */
export function toNewRequest(values: RequestFormValues): NewAccessRequest {
  const beneficiaryId = values.beneficiary === 'other' ? values.beneficiaryId?.trim() : undefined;
  const base = { kind: values.kind, beneficiaryId, reason: values.reason.trim() };

  switch (values.kind) {
    case 'role_grant':
    case 'role_revoke':
      return { ...base, payload: { role: values.role } };
    case 'department_change':
      return { ...base, payload: { departmentId: values.departmentId?.trim() } };
    case 'assignment_add':
    case 'assignment_remove':
      return { ...base, payload: { clientId: values.clientId } };
    case 'department_share': {
      const [start, end] = values.window ?? [];
      return {
        ...base,
        beneficiaryId: undefined,
        payload: {
          fromDepartmentId: values.fromDepartmentId?.trim(),
          toDepartmentId: values.toDepartmentId?.trim(),
          categories: values.categories,
          actions: values.actions,
          startsAt: start === undefined ? undefined : firmPickerValueToInstant(start),
          endsAt: end === undefined ? undefined : firmPickerValueToInstant(end),
        },
      };
    }
    case 'temporary_grant': {
      const [start, end] = values.window ?? [];
      const target = values.scope === 'department' ? { departmentId: values.departmentId?.trim() } : { clientId: values.clientId };
      return {
        ...base,
        payload: {
          ...target,
          categories: values.categories,
          actions: values.actions,
          startsAt: start === undefined ? undefined : firmPickerValueToInstant(start),
          endsAt: end === undefined ? undefined : firmPickerValueToInstant(end),
        },
      };
    }
  }
}

/**
 * Maps a server issue's path (`payload.endsAt`, `reason`) to the form field that shows it. The
 * server reports "client or department, not both" at `payload.clientId`, so it goes to whichever
 * of the two the member chose.
 */
function fieldOfIssuePath(path: string, scope: GrantScope | undefined): string {
  switch (path) {
    case 'payload.role':
      return 'role';
    case 'payload.departmentId':
      return 'departmentId';
    case 'payload.fromDepartmentId':
      return 'fromDepartmentId';
    case 'payload.toDepartmentId':
      return 'toDepartmentId';
    case 'payload.clientId':
      return scope === 'department' ? 'departmentId' : 'clientId';
    case 'payload.categories':
      return 'categories';
    case 'payload.actions':
      return 'actions';
    case 'payload.startsAt':
    case 'payload.endsAt':
      return 'window';
    default:
      return path;
  }
}

/**
 * Puts a failed filing's messages under the fields they concern and returns the text still to
 * show above the form, or `null` when a field shows the whole message.
 */
export function showRequestErrorAtFields({ form, error, t, values }: { form: FormInstance<RequestFormValues>; error: unknown; t: Translate; values: RequestFormValues }): string | null {
  if (!isApiError(error)) return showServerErrorAtFields({ form, error, t, fields: FORM_FIELDS });

  // The server's `request_invalid` messages name fields and rules by their internal keys, so the
  // cases it raises are worded here. A role already held (for a grant) or not held (for a
  // revocation) comes without an issue, and a reason too short comes as an issue at `reason`.
  const isRoleKind = values.kind === 'role_grant' || values.kind === 'role_revoke';
  if (error.code === 'request_invalid' && error.issues.length === 0 && isRoleKind) {
    const message = t(values.kind === 'role_grant' ? 'access.form.roleAlreadyHeld' : 'access.form.roleNotHeld');
    form.setFields([{ name: 'role', errors: [message] }]);
    return null;
  }

  const issues = error.issues.map((issue) => {
    const path = fieldOfIssuePath(issue.path, values.scope);
    const reworded = error.code === 'request_invalid' && path === 'reason';
    return { path, message: reworded ? t('access.form.reasonTooShort', { min: MIN_REQUEST_REASON }) : issue.message };
  });

  // With every issue under its field, the banner only tells the member to correct the marked fields.
  const placed = issues.length > 0 && issues.every((issue) => (FORM_FIELDS as readonly string[]).includes(issue.path));
  const message = placed ? t('access.form.fixFields') : error.message;
  const mapped = new ApiError({ status: error.status, code: error.code, message, issues });

  return showServerErrorAtFields({ form, error: mapped, t, fields: FORM_FIELDS, fieldOfCode: { admin_roles_exclusive: 'role' } });
}
