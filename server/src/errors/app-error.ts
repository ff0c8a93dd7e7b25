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
  'account_locked_by_alert',
  'rate_limited',
  'reason_required',
  'field_not_revealable',
  'field_empty',
  'payload_too_large',
  'session_expired',
  'step_up_required',
  'last_factor_required',
  'request_expired',
  'request_not_pending',
  'self_approval_forbidden',
  'approver_not_eligible',
  'request_already_decided',
  'admin_roles_exclusive',
  'request_invalid',
  'review_invalid',
  'review_not_reviewer',
  'review_own_item_forbidden',
  'review_item_decided',
  'review_campaign_closed',
  'mfa_code_invalid',
  'mfa_challenge_invalid',
  'mfa_method_unavailable',
  'sms_rate_limited',
  'sms_send_failed',
  'passkey_failed',
  'password_rejected',
  'password_change_required',
  'totp_already_enrolled',
  'phone_invalid',
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
  'audit_export_too_large',
  'alert_transition_invalid',
  'rule_settings_invalid',
  'channel_invalid',
  'document_file_missing',
  'document_type_rejected',
  'document_too_large',
  'document_corrupted',
  'document_not_previewable',
  'document_watermark_failed',
  'client_archived',
  'client_not_active',
  'cursor_invalid',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorParams = Record<string, string | number>;

/** An issue message: a message key the error handler translates, or a text in both languages. */
export type IssueMessage = string | { readonly 'zh-CN': string; readonly 'en-US': string };

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;
  /** Field-level problems of a rejected input, shown by forms next to the field. */
  readonly issues: readonly { path: string; message: IssueMessage }[];
  /** Further members of the error body, such as the second-factor methods a step-up accepts. */
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, params: ErrorParams = {}, issues: readonly { path: string; message: IssueMessage }[] = [], extra: Record<string, unknown> = {}) {
    super(code);
    this.name = 'AppError';
    this.code = code;
    this.params = params;
    this.issues = issues;
    this.extra = extra;
  }
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'validation_failed':
    case 'reason_required':
    case 'field_not_revealable':
    case 'field_empty':
    case 'password_rejected':
    case 'request_invalid':
    case 'review_invalid':
    case 'admin_roles_exclusive':
    case 'phone_invalid':
    case 'mfa_method_unavailable':
    case 'password_too_weak':
    case 'import_file_missing':
    case 'roster_file_unsupported':
    case 'roster_file_unreadable':
    case 'roster_file_empty':
    case 'roster_header_not_found':
    case 'rule_settings_invalid':
    case 'channel_invalid':
    case 'document_file_missing':
    case 'document_type_rejected':
    case 'document_not_previewable':
    case 'cursor_invalid':
      return 400;
    case 'unauthenticated':
    case 'session_expired':
    case 'invalid_credentials':
    case 'mfa_code_invalid':
    case 'mfa_challenge_invalid':
    case 'passkey_failed':
      return 401;
    case 'forbidden':
    case 'step_up_required':
    case 'self_approval_forbidden':
    case 'approver_not_eligible':
    case 'review_not_reviewer':
    case 'review_own_item_forbidden':
    case 'password_change_required':
    case 'csrf_invalid':
    case 'setup_token_invalid':
      return 403;
    // A client outside the caller's scope answers like a missing one, so ids cannot be probed.
    case 'not_found':
      return 404;
    case 'setup_not_needed':
    case 'username_taken':
    case 'totp_already_enrolled':
    case 'last_factor_required':
    case 'request_expired':
    case 'request_not_pending':
    case 'request_already_decided':
    case 'review_item_decided':
    case 'review_campaign_closed':
    case 'alert_transition_invalid':
    case 'client_archived':
    case 'client_not_active':
      return 409;
    case 'import_file_too_large':
    case 'document_too_large':
    case 'payload_too_large':
    case 'audit_export_too_large':
      return 413;
    case 'account_locked':
    case 'account_locked_by_alert':
      return 423;
    case 'rate_limited':
    case 'sms_rate_limited':
      return 429;
    case 'sms_send_failed':
      return 502;
    case 'import_failed':
    case 'document_corrupted':
    case 'document_watermark_failed':
    case 'internal_error':
      return 500;
  }
}
