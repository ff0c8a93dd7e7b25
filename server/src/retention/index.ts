export { ClientArchiveService } from './client-archive.service.js';
export { RetentionRun, type PlannedDestruction, type RetentionRunReport } from './retention-run.service.js';
export { retentionRoutes } from './retention.routes.js';
export { DEFAULT_RETENTION, RECORD_CATEGORIES, type RecordCategory, type RetentionSettings, parseRetentionSettings } from './retention-policy.js';
