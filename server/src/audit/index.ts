export { AuditLog, type AppendedEvent, type ChainVerification } from './audit-log.js';
export { searchAuditEvents, type AuditSearch } from './audit.repository.js';
export { AUDIT_ACTIONS, type AuditAction, type AuditActor, type AuditEvent, type AuditEventInput, type AuditOutcome } from './audit.types.js';
