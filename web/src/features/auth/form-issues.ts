import type { FormInstance } from 'antd';

import { isApiError } from '../../api/index.js';

/**
 * Puts the server's per-field validation messages under the matching form fields. Returns the
 * messages whose path names no field of the form, for the caller to show elsewhere.
 */
export function applyServerIssues<Values>(form: FormInstance<Values>, error: unknown, fieldNames: readonly string[]): string[] {
  if (!isApiError(error)) return [];

  const unplaced: string[] = [];
  const byField = new Map<string, string[]>();
  for (const issue of error.issues) {
    if (!fieldNames.includes(issue.path)) {
      unplaced.push(issue.message);
      continue;
    }
    byField.set(issue.path, [...(byField.get(issue.path) ?? []), issue.message]);
  }

  form.setFields([...byField].map(([name, errors]) => ({ name: name as never, errors })));
  return unplaced;
}
