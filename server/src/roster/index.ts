export { ImportService, type Importer } from './import.service.js';
export { buildRejectionWorkbook, jobErrorMessage, rejectionMessage } from './import.report.js';
export type { ImportJobState, Rejection } from './import.types.js';
