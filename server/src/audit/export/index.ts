export { AUDIT_EXPORT_MAX_ROWS, AuditExportService, type AuditExportFile, type AuditExportFormat, type AuditExportRequest } from './export.service.js';
export { neutralizeCell } from './neutralize.js';
