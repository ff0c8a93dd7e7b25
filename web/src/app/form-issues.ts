import type { FormInstance } from 'antd';

import { isApiError } from '../api/index.js';
import type { Translate } from '../i18n/index.js';
import { describeError } from './describe-error.js';

interface ServerErrorAtFields<Values> {
  form: FormInstance<Values>;
  error: unknown;
  t: Translate;
  /** Form fields that the `path` of a server issue may name. */
  fields: readonly string[];
  /** Error codes that concern one field as a whole, such as `password_too_weak`, mapped to that field. */
  fieldOfCode?: Readonly<Record<string, string>>;
}

/**
 * Puts a failed call's messages under the form fields they concern: each issue whose path names
 * a field, or the whole message when `fieldOfCode` maps the error code to a field. Returns the
 * text still to show above the form, or `null` when the field shows the whole message.
 */
export function showServerErrorAtFields<Values>({ form, error, t, fields, fieldOfCode = {} }: ServerErrorAtFields<Values>): string | null {
  if (!isApiError(error)) return describeError(error, t);

  const codeField = Object.hasOwn(fieldOfCode, error.code) ? fieldOfCode[error.code] : undefined;
  if (codeField !== undefined) {
    form.setFields([{ name: codeField as never, errors: [describeError(error, t)] }]);
    return null;
  }

  const unplaced: string[] = [];
  const byField = new Map<string, string[]>();
  for (const issue of error.issues) {
    if (!fields.includes(issue.path)) {
      unplaced.push(issue.message);
      continue;
    }
    byField.set(issue.path, [...(byField.get(issue.path) ?? []), issue.message]);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name: name as never, errors })));

  // The top-level message of `validation_failed` only asks to check the marked fields, so issues
  // without a field replace it. Other codes may put an error code in an issue's message, and their
  // top-level message is the readable one.
  if (unplaced.length > 0 && error.code === 'validation_failed') return unplaced.join(' ');
  return describeError(error, t);
}
