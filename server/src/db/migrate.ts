import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './db.types.js';
import * as createOrgAndIdentity from './migrations/2026-12-04T0100_create_org_and_identity.js';
import * as createClients from './migrations/2026-12-04T0200_create_clients.js';
import * as createAuditLog from './migrations/2026-12-04T0300_create_audit_log.js';
import * as addSecondFactors from './migrations/2026-12-04T0400_add_second_factors.js';
import * as createAccessGrants from './migrations/2026-12-04T0500_create_access_grants.js';
import * as createAccessRequests from './migrations/2026-12-04T0600_create_access_requests.js';
import * as createApprovalFlows from './migrations/2026-12-04T0800_create_approval_flows.js';
import * as createAccessReviews from './migrations/2026-12-04T0900_create_access_reviews.js';
import * as addUserEmail from './migrations/2026-12-04T1000_add_user_email.js';
import * as addGrantExpiryRecorded from './migrations/2026-12-04T1100_add_grant_expiry_recorded.js';
import * as createAuditCheckpoints from './migrations/2026-12-04T1200_create_audit_checkpoints.js';
import * as createDetection from './migrations/2026-12-04T1300_create_detection.js';
import * as createNotificationChannels from './migrations/2026-12-04T1400_create_notification_channels.js';
import * as createKeyRotation from './migrations/2026-12-04T1500_create_key_rotation.js';
import * as createDocuments from './migrations/2026-12-04T1600_create_documents.js';
import * as createBackups from './migrations/2026-12-04T1700_create_backups.js';
import * as addClientRetention from './migrations/2026-12-04T1800_add_client_retention.js';
import * as addBlindIndexVersions from './migrations/2026-12-05T0100_add_blind_index_versions.js';
import * as addClientListIndexes from './migrations/2026-12-05T0200_add_client_list_indexes.js';

// Listed in code rather than read from the folder, so the same build runs from source (tsx) and
// from a bundle, and an unlisted file cannot slip in.
const MIGRATIONS: Record<string, Migration> = {
  '2026-12-04T0100_create_org_and_identity': createOrgAndIdentity,
  '2026-12-04T0200_create_clients': createClients,
  '2026-12-04T0300_create_audit_log': createAuditLog,
  '2026-12-04T0400_add_second_factors': addSecondFactors,
  '2026-12-04T0500_create_access_grants': createAccessGrants,
  '2026-12-04T0600_create_access_requests': createAccessRequests,
  '2026-12-04T0800_create_approval_flows': createApprovalFlows,
  '2026-12-04T0900_create_access_reviews': createAccessReviews,
  '2026-12-04T1000_add_user_email': addUserEmail,
  '2026-12-04T1100_add_grant_expiry_recorded': addGrantExpiryRecorded,
  '2026-12-04T1200_create_audit_checkpoints': createAuditCheckpoints,
  '2026-12-04T1300_create_detection': createDetection,
  '2026-12-04T1400_create_notification_channels': createNotificationChannels,
  '2026-12-04T1500_create_key_rotation': createKeyRotation,
  '2026-12-04T1600_create_documents': createDocuments,
  '2026-12-04T1700_create_backups': createBackups,
  '2026-12-04T1800_add_client_retention': addClientRetention,
  '2026-12-05T0100_add_blind_index_versions': addBlindIndexVersions,
  '2026-12-05T0200_add_client_list_indexes': addClientListIndexes,
};

const provider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};

/**
 * Applies every pending migration; throws with the failing migration's name. On PostgreSQL the
 * bookkeeping tables are looked up in the given schema, since Kysely otherwise finds a
 * `kysely_migration` table of another schema on the same server and skips creating its own.
 */
export async function migrateToLatestOrThrow(db: Db, postgresSchema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider, ...(postgresSchema ? { migrationTableSchema: postgresSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`Database migration failed${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
