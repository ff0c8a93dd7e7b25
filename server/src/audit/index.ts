export { AuditLog, type AppendedEvent, type ChainVerification } from './audit-log.js';
export { searchAuditEvents, type AuditSearch } from './audit.repository.js';
export { AUDIT_ACTIONS, type AuditAction, type AuditActor, type AuditEvent, type AuditEventInput, type AuditOutcome } from './audit.types.js';
export { AuditIntegrity, type ChainStatus, type IntegrityRequester, type VerificationTrigger } from './audit-integrity.js';
export { RetentionPeriodError, type ArchiveResult } from './archive.service.js';
export type { IntegrityVerification } from './audit-verifier.js';
export { CHAIN_PROBLEMS, ChainBrokenError, type ChainProblem } from './chain.js';
export { ephemeralSigningKeys, loadOrCreateSigningKeys, signingKeyFile, type SigningAlgorithm, type SigningKeyRing } from './signing-keys.js';
