/**
 * Application errors: a stable code from a closed set, an HTTP status from an exhaustive switch
 * and a message chosen per request from the locale files. Messages never carry a secret or
 * another person's data; `params` only fills placeholders such as a field name or a minute count.
 */
export const ERROR_CODES = [
  'validation_failed',
  'unauthenticated',
  'forbidden',
  'not_found',
  'csrf_invalid',
  'invalid_credentials',
  'account_locked',
  'rate_limited',
  'reason_required',
  'field_not_revealable',
  'field_empty',
  'payload_too_large',
  'session_expired',
  'setup_not_needed',
  'setup_token_invalid',
  'password_too_weak',
  'username_taken',
  'import_file_missing',
  'import_file_too_large',
  'roster_file_unsupported',
  'roster_file_unreadable',
  'roster_file_empty',
  'roster_header_not_found',
  'import_failed',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorParams = Record<string, string | number>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;
  /** Field-level problems of a rejected input, shown by forms next to the field. */
  readonly issues: readonly { path: string; message: string }[];

  constructor(code: ErrorCode, params: ErrorParams = {}, issues: readonly { path: string; message: string }[] = []) {
    super(code);
    this.name = 'AppError';
    this.code = code;
    this.params = params;
    this.issues = issues;
  }
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'validation_failed':
    case 'reason_required':
    case 'field_not_revealable':
    case 'field_empty':
    case 'password_too_weak':
    case 'import_file_missing':
    case 'roster_file_unsupported':
    case 'roster_file_unreadable':
    case 'roster_file_empty':
    case 'roster_header_not_found':
      return 400;
    case 'unauthenticated':
    case 'session_expired':
    case 'invalid_credentials':
      return 401;
    case 'forbidden':
    case 'csrf_invalid':
    case 'setup_token_invalid':
      return 403;
    // A client outside the caller's scope answers like a missing one, so ids cannot be probed.
    case 'not_found':
      return 404;
    case 'setup_not_needed':
    case 'username_taken':
      return 409;
    case 'import_file_too_large':
    case 'payload_too_large':
      return 413;
    case 'account_locked':
      return 423;
    case 'rate_limited':
      return 429;
    case 'import_failed':
    case 'internal_error':
      return 500;
  }
}
