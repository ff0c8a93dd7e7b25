/** One problem with one input field, as the server reports it in a `validation_failed` body. */
export interface ApiIssue {
  path: string;
  message: string;
}

/**
 * A failed API call. `code` is the server's stable error code, and `message` is already in the
 * request's language. Codes the client invents itself: `network_error` (no response at all) and
 * `unexpected_response` (a response without a `{code, message}` JSON body, e.g. from a proxy).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly issues: readonly ApiIssue[];
  /** The second factors the caller may use, sent with `step_up_required`; empty for other codes. */
  readonly methods: readonly string[];

  constructor({ status, code, message, issues = [], methods = [] }: { status: number; code: string; message: string; issues?: readonly ApiIssue[]; methods?: readonly string[] }) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
    this.methods = methods;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

// A 401 with one of these codes rejects the request itself and does not mean the session is lost.
// A wrong step-up code or a failed passkey returns 401 inside a valid session.
const NOT_SESSION_LOSS = new Set(['invalid_credentials', 'step_up_required', 'mfa_required', 'mfa_code_invalid', 'mfa_challenge_invalid', 'passkey_failed']);

/** Whether the error means the caller's session is gone and they must sign in again. */
export function isSessionLoss(error: ApiError): boolean {
  return error.status === 401 && !NOT_SESSION_LOSS.has(error.code);
}

function isIssue(value: unknown): value is ApiIssue {
  if (typeof value !== 'object' || value === null) return false;

  const candidate = value as Record<string, unknown>;
  return typeof candidate.path === 'string' && typeof candidate.message === 'string';
}

/** Builds an `ApiError` from a non-2xx response, whatever its body turns out to be. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // A body that is not JSON falls through to `unexpected_response` below.
  }

  if (typeof body === 'object' && body !== null) {
    const { code, message, issues, methods } = body as Record<string, unknown>;
    if (typeof code === 'string') {
      return new ApiError({
        status: response.status,
        code,
        message: typeof message === 'string' ? message : '',
        issues: Array.isArray(issues) ? issues.filter(isIssue) : [],
        methods: Array.isArray(methods) ? methods.filter((method): method is string => typeof method === 'string') : [],
      });
    }
  }

  return new ApiError({ status: response.status, code: 'unexpected_response', message: '' });
}
