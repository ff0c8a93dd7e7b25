export { BackupService, backupSigningKeyFile, type BackupListItem, type BackupSettings, type VerificationResult } from './backup.service.js';
export { RestoreRejectedError, restoreBackup, type RestoreResult } from './backup-restore.js';
export { SchemaNotEmptyError } from './restore-postgres.js';
export { BackupCorruptedError } from './backup-cipher.js';
export type { BackupProgress } from './backup-writer.js';
export { selectBackupsToKeep, type RetentionPolicy } from './retention.js';
