import type { Logger } from 'pino';
import { AuditIntegrity, AuditLog, type SigningKeyRing, loadOrCreateSigningKeys, signingKeyFile } from '../audit/index.js';
import { integrityRoutes } from '../audit/integrity.routes.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { ClientService } from '../clients/client.service.js';
import { clientRoutes } from '../clients/client.routes.js';
import { DocumentService, documentRoutes } from '../documents/index.js';
import { ClientArchiveService, RetentionRun, retentionRoutes } from '../retention/index.js';
import type { AppConfig } from '../config/config.js';
import { FieldCrypto, KeyRotation, type KeyringMaterial, deriveServiceKey, loadKeyring } from '../crypto/index.js';
import { type DatabaseHandle, migrateToLatestOrThrow, openDatabase } from '../db/index.js';
import { buildHttpApp } from '../http/app.js';
import { loadHttpsServerOptions } from '../http/tls-files.js';
import { assertTransportAllowedOrThrow, isHstsEnabled, isSecureCookiesEnabled } from '../http/transport-policy.js';
import { AuthService, CsrfTokens } from '../identity/index.js';
import { authRoutes } from '../identity/auth.routes.js';
import { ImportService } from '../roster/index.js';
import { importRoutes } from '../roster/import.routes.js';
import { BackupService, backupSigningKeyFile } from '../backup/index.js';
import { BackgroundWork } from './background.js';
import { createLogger } from './logger.js';
import { createMailer, type Mailer } from '../notify/mailer.js';
import { AlertNotifications, NotificationChannels, notifyRoutes } from '../notify/index.js';
import { DETECTOR_POLL_MS, createDetection } from '../detect/index.js';
import { explainRoutes } from '../access/explain.routes.js';
import { matrixRoutes } from '../access/matrix.routes.js';
import { departmentRoutes } from '../org/department.routes.js';
import { BreakGlassService } from '../governance/break-glass.service.js';
import { governanceRoutes } from '../governance/governance.routes.js';
import { AccessRequestService } from '../governance/request.service.js';
import { reviewRoutes } from '../governance/review.routes.js';
import { AccessReviewService } from '../governance/review.service.js';
import { createSmsProvider } from './sms-provider.js';
import { AccountService } from '../identity/account.service.js';
import { accountRoutes } from '../identity/account.routes.js';
import { adminRoutes } from '../identity/admin.routes.js';
import { mfaRoutes } from '../identity/mfa.routes.js';
import { RecoveryCodes } from '../identity/mfa/recovery-codes.js';
import { TotpService } from '../identity/mfa/totp.js';
import { PasskeyService } from '../identity/passkeys/index.js';
import { createPasswordRules } from '../identity/password-rules.impl.js';
import { SecondFactors } from '../identity/second-factors.js';
import { SmsCodeService, type SmsProvider } from '../identity/sms/index.js';

export interface ComposeOptions {
  /** Key material to use instead of the key file; tests pass ephemeral keys. */
  keyring?: KeyringMaterial;
  /** Checkpoint signing keys to use instead of the signing key file. */
  auditSigningKeys?: SigningKeyRing;
  /** Backup signing keys to use instead of DATA_DIR/keys/backup-signing.json. */
  backupSigningKeys?: SigningKeyRing;
  logger?: Logger;
  /** Folder of the built web app. */
  webRoot?: string;
  /** SMS provider in place of the configured one; tests pass a fake or an outbox of their own. */
  smsProvider?: SmsProvider;
  /** Mailer in place of the SMTP one; tests pass one pointed at a local fake server. */
  mailer?: Mailer;
}

export type Application = Awaited<ReturnType<typeof composeApplication>>;

/**
 * Builds the application in the composition root's order: configuration, database, the three
 * gates (access, audit, crypto), the domain services and the HTTP app. Tests build the same graph.
 */
export async function composeApplication(config: AppConfig, options: ComposeOptions = {}) {
  const logger = options.logger ?? createLogger(config.logLevel);

  // Transport is checked before anything opens, so an unsafe HOST never gets a database or a listener.
  const transport = { host: config.host, tls: config.tls !== undefined, behindTlsProxy: config.behindTlsProxy === true, publicUrl: config.publicUrl };
  assertTransportAllowedOrThrow(transport);
  const https = config.tls ? loadHttpsServerOptions(config.tls) : undefined;

  // The keys load before the database opens, because the embedded SQLite file is encrypted with a key derived from them.
  const keyring = options.keyring ?? (await loadKeyring(config.keys.source));
  const database: DatabaseHandle = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, postgresSchema: config.databaseSchema, poolSize: config.databasePoolSize, sqliteKey: deriveServiceKey(keyring, 'sqlite-database'), keepPlainSqliteCopy: config.sqliteKeepPlainCopy, postgresCaFile: config.databaseCaFile });
  const { db } = database;

  try {
    await migrateToLatestOrThrow(db, database.dialect === 'postgres' ? (config.databaseSchema ?? 'public') : undefined);
  } catch (error) {
    await database.close();
    throw error;
  }

  const crypto = new FieldCrypto(keyring, { suite: config.keys.suite });
  const audit = new AuditLog({ db, dialect: database.dialect });
  await audit.initialize();

  const csrf = new CsrfTokens(deriveServiceKey(keyring, 'csrf'));
  const passwords = createPasswordRules(config.password);
  const totp = new TotpService({ db, crypto });
  const recovery = new RecoveryCodes({ db });
  const passkeys = new PasskeyService({ db, rpId: config.webauthn.rpId, origins: config.webauthn.origins });
  const sms = new SmsCodeService({ db, dialect: database.dialect, provider: options.smsProvider ?? createSmsProvider(config, logger), hashKey: deriveServiceKey(keyring, 'sms-codes') });
  const factors = new SecondFactors({ db, crypto, totp, recovery, sms, passkeys });
  const auth = new AuthService({ db, audit, policy: config.session, mfa: config.mfa, factors, passwords, logger });
  const accounts = new AccountService({ db, audit, crypto, auth, passwords });
  const mailer = options.mailer ?? createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, logger });
  const requests = new AccessRequestService({ db, audit, mailer, logger });
  const reviews = new AccessReviewService({ db, audit });
  const clients = new ClientService({ db, audit, crypto });
  const imports = new ImportService({ db, audit, crypto, logger });
  await imports.recoverInterrupted();
  const background = new BackgroundWork(logger);
  background.add('review-deadlines', 10 * 60_000, () => reviews.closeDueCampaigns(new Date()));
  background.add('request-expiry', 10 * 60_000, () => requests.expireLapsed(new Date()));

  // Documents (upload, encrypted store, download, watermark).
  const documents = new DocumentService({ db, audit, crypto, dataDir: config.dataDir, maxMb: config.documentMaxMb, timeZone: config.timeZone, logger });
  await documents.store.removeIncompleteUploads();

  // Key rotation (key versions, re-encryption job).
  const keyRotation = new KeyRotation({ db, audit, crypto, logger });
  background.add('key-rotation', 5_000, () => keyRotation.runBackgroundStep());

  // Client retention (archiving, destruction).
  const archives = new ClientArchiveService({ db, audit });
  const retention = new RetentionRun({ db, audit, crypto, dataDir: config.dataDir, settings: config.retention, timeZone: config.timeZone, logger });
  // Periods end on calendar days, so a daily pass destroys each record on the day it may go.
  background.add('retention', 24 * 60 * 60_000, () => retention.run({ now: new Date() }));

  // Backups (create, verify, restore, schedule). Verification checks a backup's audit
  // checkpoints with the audit signing keys, so those load first.
  const auditSigningKeys = options.auditSigningKeys ?? loadOrCreateSigningKeys(signingKeyFile(config.dataDir), config.auditIntegrity.signingAlgorithm);
  const backups = new BackupService({ database, audit, keyring, signingKeys: options.backupSigningKeys ?? loadOrCreateSigningKeys(backupSigningKeyFile(config.dataDir), 'ed25519'), auditKeys: auditSigningKeys, settings: config.backup, dataDir: config.dataDir, timeZone: config.timeZone, logger });
  // Checked each minute; a run happens once the configured daily time has passed.
  background.add('backup-schedule', 60_000, () => backups.runScheduledStep());

  // Audit integrity (checkpoints, archive).
  const auditIntegrity = new AuditIntegrity({ db, dialect: database.dialect, audit, keys: auditSigningKeys, settings: config.auditIntegrity, dataDir: config.dataDir, logger });
  // Checked every half minute, so a burst of events gets its checkpoint soon after the threshold.
  background.add('audit-checkpoint', 30_000, () => auditIntegrity.runCheckpointJob(new Date()));
  background.add('audit-verification', 60 * 60_000, () => auditIntegrity.verifyIfDue(new Date()));

  // Notifications (channels, deliveries).
  const notifier = new AlertNotifications({ db, crypto, mailer, logger, timeZone: config.timeZone });
  const notificationChannels = new NotificationChannels({ db, audit, crypto, notifications: notifier });
  background.add('notification-deliveries', 1_000, () => notifier.dispatchDue());

  // Detection (detectors, alerts, responses).
  const detection = createDetection({ db, audit, notifier, timeZone: config.timeZone, logger });
  const breakGlass = new BreakGlassService({ db, audit, alerts: detection.breakGlassAlerts, minutes: config.breakGlassMinutes });
  background.add('detector', DETECTOR_POLL_MS, () => detection.detector.runUntilIdle());
  background.add('detector-activity-prune', 6 * 60 * 60_000, () => detection.pruneActivity(new Date()));

  const secureCookies = isSecureCookiesEnabled(transport);
  const { app, routeTable } = await buildHttpApp({
    logger,
    db,
    audit,
    auth,
    csrf,
    trustProxy: config.trustProxy,
    https,
    hsts: isHstsEnabled(transport),
    webRoot: config.serveWeb ? options.webRoot : undefined,
    routes: [
      authRoutes({ db, auth, csrf, secureCookies, loginAttemptsPerMinute: config.loginAttemptsPerMinute }),
      mfaRoutes({ db, auth, totp, recovery, passkeys, secureCookies, attemptsPerMinute: config.loginAttemptsPerMinute }),
      accountRoutes({ db, audit, auth, accounts, totp, recovery, passkeys, secureCookies, secondFactorRequired: config.mfa.required, passwordMaxAgeDays: config.password.maxAgeDays, timeZone: config.timeZone }),
      adminRoutes({ accounts }),
      governanceRoutes({ db, audit, requests, breakGlass }),
      reviewRoutes({ reviews }),
      explainRoutes({ db, audit, timeZone: config.timeZone }),
      matrixRoutes({ db, audit }),
      departmentRoutes({ db }),
      clientRoutes({ clients, searchesPerMinute: config.clientListsPerMinute, stepUp: (session) => auth.assertRecentSecondFactorOrThrow(session) }),
      importRoutes({ imports }),
      auditRoutes({ db, audit, timeZone: config.timeZone, stepUp: (session) => auth.assertRecentSecondFactorOrThrow(session) }),
      retentionRoutes({ archives }),
      documentRoutes({ documents, stepUp: (session) => auth.assertRecentSecondFactorOrThrow(session) }),
      detection.routes,
      integrityRoutes({ integrity: auditIntegrity }),
      notifyRoutes({ channels: notificationChannels }),
    ],
  });

  return {
    config,
    logger,
    database,
    db,
    crypto,
    audit,
    auth,
    accounts,
    requests,
    breakGlass,
    reviews,
    totp,
    recovery,
    passkeys,
    sms,
    clients,
    imports,
    app,
    routeTable,
    background,
    documents,
    archives,
    retention,
    backups,
    keyRotation,
    detection,
    auditIntegrity,
    notifier,
    notificationChannels,
    async close(): Promise<void> {
      await background.stop();
      await app.close();
      await database.close();
    },
  };
}
