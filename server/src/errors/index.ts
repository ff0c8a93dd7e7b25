export { AppError, ERROR_CODES, httpStatusOf, type ErrorCode, type ErrorParams, type IssueMessage } from './app-error.js';
