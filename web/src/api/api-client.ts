import { ApiError, isSessionLoss, toApiError } from './api-error.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as a JSON body. */
  json?: unknown;
  /** Sent as multipart/form-data, with the boundary header set by the browser. */
  form?: FormData;
  /** False for calls whose 401 response is expected (who am I, sign in). */
  reportSessionLoss?: boolean;
}

const UNSAFE_METHODS = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

let locale = 'zh-CN';
let csrfToken: Promise<string> | null = null;
let onSessionLoss: () => void = () => {};

/** Sets the language the server writes messages and field labels in (`accept-language`). */
export function setApiLocale(next: string): void {
  locale = next;
}

/** Registers what happens when any call reports that the session has ended. */
export function setSessionLossHandler(handler: () => void): void {
  onSessionLoss = handler;
}

async function fetchCsrfToken(): Promise<string> {
  const response = await send('GET', '/api/auth/csrf', {});
  const body = (await response.json()) as { token: string };
  return body.token;
}

function getCsrfToken(): Promise<string> {
  if (csrfToken === null) {
    const pending = fetchCsrfToken();
    csrfToken = pending;

    // A failed fetch must not stay cached, or every later write would fail the same way.
    pending.catch(() => {
      if (csrfToken === pending) csrfToken = null;
    });
  }
  return csrfToken;
}

/**
 * Drops the cached CSRF token and fetches a new one. The server binds the token to the session,
 * so call this after signing in, signing out and finishing set-up.
 */
export function renewCsrfToken(): void {
  csrfToken = null;
  getCsrfToken().catch(() => {
    // The next write fetches the token again and reports a failure to its caller.
  });
}

function buildUrl(path: string, query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }

  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

async function send(method: Method, path: string, options: RequestOptions, token?: string): Promise<Response> {
  const headers = new Headers({ accept: 'application/json', 'accept-language': locale });
  if (token !== undefined) headers.set('x-csrf-token', token);

  let body: BodyInit | undefined;
  if (options.form !== undefined) {
    body = options.form;
  } else if (options.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(options.json);
  }

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', message: '' });
  }

  if (!response.ok) throw await toApiError(response);
  return response;
}

async function sendWithCsrf(method: Method, path: string, options: RequestOptions): Promise<Response> {
  if (!UNSAFE_METHODS.has(method)) return send(method, path, options);

  try {
    return await send(method, path, options, await getCsrfToken());
  } catch (error) {
    // The token expires with the session it belongs to, so a fresh token is worth one retry.
    if (!(error instanceof ApiError) || error.code !== 'csrf_invalid') throw error;

    csrfToken = null;
    return send(method, path, options, await getCsrfToken());
  }
}

/**
 * Calls the LedgerGuard API and returns the parsed JSON body (`undefined` for 204).
 * Throws `ApiError` for every failure, including network errors.
 */
export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await sendWithCsrf(method, path, options);
  } catch (error) {
    if (error instanceof ApiError && isSessionLoss(error) && options.reportSessionLoss !== false) onSessionLoss();
    throw error;
  }

  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
