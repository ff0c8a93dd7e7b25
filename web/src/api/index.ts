export { request, renewCsrfToken, setApiLocale, setSessionLossHandler } from './api-client.js';
export type { QueryValue, RequestOptions } from './api-client.js';
export { ApiError, isApiError } from './api-error.js';
export type { ApiIssue } from './api-error.js';
export type * from './types.js';
