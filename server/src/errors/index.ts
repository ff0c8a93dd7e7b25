export { AppError, ERROR_CODES, httpStatusOf, type ErrorCode, type ErrorParams } from './app-error.js';
