import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import type { CipherSuiteName } from '../crypto/cipher-suites.js';
import type { KeySourceSettings } from '../crypto/keyring.js';
import type { BackupSettings } from '../backup/backup.service.js';
import { DEFAULT_RETENTION, type RetentionSettings, parseRetentionSettings } from '../retention/retention-policy.js';

/**
 * Configuration read once by the composition root. Nothing else reads `process.env`, so tests
 * build the same object graph from a literal configuration.
 */
const environmentSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional(),
  SQLITE_KEEP_PLAIN_COPY: z.enum(['true', 'false']).default('false'),
  PUBLIC_URL: z.string().url().optional(),
  TIME_ZONE: z.string().default('Asia/Shanghai'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  BEHIND_TLS_PROXY: z.enum(['true', 'false']).default('false'),
  DATABASE_CA_FILE: z.string().min(1).optional(),
  MFA_REQUIRED: z.enum(['true', 'false']).default('true'),
  STEP_UP_MINUTES: z.coerce.number().int().min(1).max(60).default(5),
  TRUSTED_DEVICE_DAYS: z.coerce.number().int().min(0).max(90).default(30),
  WEBAUTHN_RP_ID: z.string().optional(),
  WEBAUTHN_ORIGINS: z.string().optional(),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(64).default(12),
  PASSWORD_MIN_CLASSES: z.coerce.number().int().min(1).max(4).default(3),
  PASSWORD_HISTORY: z.coerce.number().int().min(0).max(24).default(5),
  PASSWORD_MAX_AGE_DAYS: z.coerce.number().int().min(0).max(3650).default(180),
  BREAK_GLASS_MINUTES: z.coerce.number().int().min(5).max(240).default(30),
  DOCUMENT_MAX_MB: z.coerce.number().int().min(1).max(2048).default(200),
  BACKUP_DIR: z.string().optional(),
  BACKUP_SCHEDULE: z.string().regex(/^(off|([01][0-9]|2[0-3]):[0-5][0-9])$/, { message: 'must be a daily time HH:MM or off' }).default('02:30'),
  BACKUP_KEEP_DAILY: z.coerce.number().int().min(1).max(366).default(7),
  BACKUP_KEEP_WEEKLY: z.coerce.number().int().min(0).max(520).default(4),
  BACKUP_KEEP_MONTHLY: z.coerce.number().int().min(0).max(1200).default(12),
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default('账安 LedgerGuard <no-reply@localhost>'),
  SMS_PROVIDER: z.enum(['outbox', 'aliyun', 'tencent']).default('outbox'),
  SMS_ACCESS_KEY_ID: z.string().optional(),
  SMS_ACCESS_KEY_SECRET: z.string().optional(),
  SMS_SIGN_NAME: z.string().optional(),
  SMS_TEMPLATE: z.string().optional(),
  SMS_SDK_APP_ID: z.string().optional(),
  SMS_ENDPOINT: z.string().url().optional(),
  AUDIT_SIGNING_ALGORITHM: z.enum(['ed25519', 'sm2']).default('ed25519'),
  AUDIT_CHECKPOINT_EVERY_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  AUDIT_CHECKPOINT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(10),
  // China's Cybersecurity Law (article 21) requires network logs to be kept for at least six months.
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(180, { message: 'must be at least 180 days (six months of network logs are required by law)' }).max(36_500).default(1095),
  CRYPTO_SUITE: z.enum(['aes-256-gcm', 'sm4']).default('aes-256-gcm'),
  KEK_SOURCE: z.enum(['file', 'env', 'vault']).default('file'),
  KEY_FILE: z.string().optional(),
  LEDGERGUARD_KEK: z.string().optional(),
  LEDGERGUARD_KEK_VERSION: z.coerce.number().int().min(1).default(1),
  LEDGERGUARD_KEK_PREVIOUS: z.string().optional(),
  LEDGERGUARD_INDEX_ROOT: z.string().optional(),
  /** Overrides of retention periods in years, e.g. `bank_statement=15,contract=5,personal_fields=10`. */
  RETENTION_YEARS: z.string().max(1000).optional(),
  VAULT_ADDR: z.string().url().optional(),
  VAULT_TOKEN: z.string().optional(),
  VAULT_TRANSIT_MOUNT: z.string().regex(/^[A-Za-z0-9_\/-]+$/).default('transit'),
  VAULT_TRANSIT_KEY: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('ledgerguard'),
});

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `undefined` selects the embedded SQLite database in the data folder. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema in place of `public`; tests give each run its own. */
  readonly databaseSchema?: string | undefined;
  /** PostgreSQL connections per process; tests keep it small so parallel test files fit the server's limit. */
  readonly databasePoolSize?: number | undefined;
  /** Whether to keep the plain SQLite file (as ledgerguard.db.plain-<time>) when it is encrypted at start (SQLITE_KEEP_PLAIN_COPY). */
  readonly sqliteKeepPlainCopy?: boolean | undefined;
  readonly publicUrl: string;
  readonly timeZone: string;
  readonly logLevel: string;
  readonly session: { readonly idleMinutes: number; readonly absoluteHours: number };
  readonly trustProxy: boolean;
  /** PEM certificate chain and key of the built-in HTTPS server; `undefined` serves plain HTTP. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Whether a TLS-terminating reverse proxy sits in front, which allows plain HTTP on a non-loopback HOST. */
  readonly behindTlsProxy?: boolean | undefined;
  /** PEM file of the private CA that signed the PostgreSQL server's certificate. */
  readonly databaseCaFile?: string | undefined;
  readonly serveWeb: boolean;
  readonly loginAttemptsPerMinute: number;
  /** Client list and search requests one session may make per minute. */
  readonly clientListsPerMinute: number;
  readonly mfa: MfaSettings;
  readonly webauthn: { readonly rpId: string; readonly origins: readonly string[] };
  readonly password: { readonly minLength: number; readonly minClasses: number; readonly historySize: number; readonly maxAgeDays: number };
  readonly sms: SmsSettings;
  /** How long emergency (break-glass) access lasts. */
  readonly breakGlassMinutes: number;
  /** Largest client document accepted by an upload, in MiB (DOCUMENT_MAX_MB). */
  readonly documentMaxMb: number;
  /** Backup folder, daily schedule and retention (BACKUP_DIR, BACKUP_SCHEDULE, BACKUP_KEEP_*). */
  readonly backup: BackupSettings;
  readonly mail: { readonly smtpUrl: string | undefined; readonly from: string };
  readonly auditIntegrity: AuditIntegritySettings;
  /** Retention periods per record category (RETENTION_YEARS over the defaults). */
  readonly retention: RetentionSettings;
  /** Cipher suite of new field ciphertexts and the source of the key-encryption keys. */
  readonly keys: KeySettings;
}

export interface KeySettings {
  readonly suite: CipherSuiteName;
  readonly source: KeySourceSettings;
}

export interface AuditIntegritySettings {
  /** Algorithm of newly signed checkpoints and archive manifests. */
  readonly signingAlgorithm: 'ed25519' | 'sm2';
  /** A checkpoint is due once this many events follow the last one. */
  readonly checkpointEveryEvents: number;
  /** A checkpoint is due once the last one is this old and events followed it. */
  readonly checkpointMinutes: number;
  /** Events younger than this are never archived (removed from the database). */
  readonly retentionDays: number;
}

export interface MfaSettings {
  /** Whether sign-in asks for a second factor; off only for tests and trials. */
  readonly required: boolean;
  /** Whether reveals ask for a second factor confirmed within `stepUpMinutes`. */
  readonly stepUpRequired: boolean;
  readonly stepUpMinutes: number;
  readonly trustedDeviceDays: number;
}

export interface SmsSettings {
  readonly provider: 'outbox' | 'aliyun' | 'tencent';
  readonly accessKeyId?: string | undefined;
  readonly accessKeySecret?: string | undefined;
  readonly signName?: string | undefined;
  readonly template?: string | undefined;
  readonly sdkAppId?: string | undefined;
  readonly endpoint?: string | undefined;
}

export function loadConfig(environment: NodeJS.ProcessEnv): AppConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  if (Boolean(values.TLS_CERT_FILE) !== Boolean(values.TLS_KEY_FILE)) {
    throw new Error('Invalid configuration: TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  const shownHost = values.HOST === '0.0.0.0' || values.HOST === '::' ? '127.0.0.1' : values.HOST;
  const defaultPublicUrl = `${values.TLS_CERT_FILE ? 'https' : 'http'}://${shownHost}:${values.PORT}`;

  return Object.freeze({
    host: values.HOST,
    port: values.PORT,
    dataDir: path.resolve(values.DATA_DIR),
    retention: parseRetentionSettingsForConfig(values.RETENTION_YEARS),
    databaseUrl: values.DATABASE_URL || undefined,
    databaseSchema: values.DATABASE_SCHEMA,
    sqliteKeepPlainCopy: values.SQLITE_KEEP_PLAIN_COPY === 'true',
    publicUrl: values.PUBLIC_URL ?? defaultPublicUrl,
    timeZone: values.TIME_ZONE,
    logLevel: values.LOG_LEVEL,
    session: Object.freeze({ idleMinutes: values.SESSION_IDLE_MINUTES, absoluteHours: values.SESSION_ABSOLUTE_HOURS }),
    trustProxy: values.TRUST_PROXY === 'true',
    tls: values.TLS_CERT_FILE && values.TLS_KEY_FILE ? Object.freeze({ certFile: path.resolve(values.TLS_CERT_FILE), keyFile: path.resolve(values.TLS_KEY_FILE) }) : undefined,
    behindTlsProxy: values.BEHIND_TLS_PROXY === 'true',
    databaseCaFile: values.DATABASE_CA_FILE ? path.resolve(values.DATABASE_CA_FILE) : undefined,
    serveWeb: true,
    loginAttemptsPerMinute: 20,
    clientListsPerMinute: 120,
    mfa: Object.freeze({ required: values.MFA_REQUIRED === 'true', stepUpRequired: values.MFA_REQUIRED === 'true', stepUpMinutes: values.STEP_UP_MINUTES, trustedDeviceDays: values.TRUSTED_DEVICE_DAYS }),
    webauthn: webauthnSettings(values.PUBLIC_URL ?? defaultPublicUrl, values.WEBAUTHN_RP_ID, values.WEBAUTHN_ORIGINS),
    password: Object.freeze({ minLength: values.PASSWORD_MIN_LENGTH, minClasses: values.PASSWORD_MIN_CLASSES, historySize: values.PASSWORD_HISTORY, maxAgeDays: values.PASSWORD_MAX_AGE_DAYS }),
    breakGlassMinutes: values.BREAK_GLASS_MINUTES,
    documentMaxMb: values.DOCUMENT_MAX_MB,
    backup: Object.freeze({
      dir: path.resolve(values.BACKUP_DIR ?? path.join(values.DATA_DIR, 'backups')),
      schedule: values.BACKUP_SCHEDULE,
      keep: Object.freeze({ daily: values.BACKUP_KEEP_DAILY, weekly: values.BACKUP_KEEP_WEEKLY, monthly: values.BACKUP_KEEP_MONTHLY }),
    }),
    mail: Object.freeze({ smtpUrl: values.SMTP_URL, from: values.MAIL_FROM }),
    keys: Object.freeze({ suite: values.CRYPTO_SUITE, source: keySource(values, path.resolve(values.DATA_DIR)) }),
    auditIntegrity: Object.freeze({
      signingAlgorithm: values.AUDIT_SIGNING_ALGORITHM,
      checkpointEveryEvents: values.AUDIT_CHECKPOINT_EVERY_EVENTS,
      checkpointMinutes: values.AUDIT_CHECKPOINT_MINUTES,
      retentionDays: values.AUDIT_RETENTION_DAYS,
    }),
    sms: Object.freeze({
      provider: values.SMS_PROVIDER,
      accessKeyId: values.SMS_ACCESS_KEY_ID,
      accessKeySecret: values.SMS_ACCESS_KEY_SECRET,
      signName: values.SMS_SIGN_NAME,
      template: values.SMS_TEMPLATE,
      sdkAppId: values.SMS_SDK_APP_ID,
      endpoint: values.SMS_ENDPOINT,
    }),
  });
}

/**
 * The WebAuthn relying party: its ID defaults to the host name of the public URL, and the
 * accepted origins to that URL plus its localhost form (browsers treat http://localhost as a
 * secure context, so passkeys work on a local install).
 */
function webauthnSettings(publicUrl: string, rpId: string | undefined, origins: string | undefined) {
  const url = new URL(publicUrl);
  const defaultOrigins = [url.origin];
  if (url.hostname === '127.0.0.1') defaultOrigins.push(`${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`);
  return Object.freeze({
    rpId: rpId ?? (url.hostname === '127.0.0.1' ? 'localhost' : url.hostname),
    origins: Object.freeze(origins ? origins.split(',').map((origin) => origin.trim()) : defaultOrigins),
  });
}

/** Reads the KEK source settings; a missing key for the chosen source is a configuration error. */
function keySource(values: z.infer<typeof environmentSchema>, dataDir: string): KeySourceSettings {
  const keysDir = path.join(dataDir, 'keys');
  if (values.KEK_SOURCE === 'env') {
    if (!values.LEDGERGUARD_KEK || !values.LEDGERGUARD_INDEX_ROOT) {
      throw new Error('Invalid configuration: KEK_SOURCE=env needs LEDGERGUARD_KEK and LEDGERGUARD_INDEX_ROOT (32 random bytes each, base64)');
    }
    return Object.freeze({ source: 'env', kek: values.LEDGERGUARD_KEK, kekVersion: values.LEDGERGUARD_KEK_VERSION, previousKeks: values.LEDGERGUARD_KEK_PREVIOUS, indexRoot: values.LEDGERGUARD_INDEX_ROOT });
  }
  if (values.KEK_SOURCE === 'vault') {
    if (!values.VAULT_ADDR || !values.VAULT_TOKEN) {
      throw new Error('Invalid configuration: KEK_SOURCE=vault needs VAULT_ADDR and VAULT_TOKEN');
    }
    return Object.freeze({
      source: 'vault',
      vault: Object.freeze({ address: values.VAULT_ADDR, token: values.VAULT_TOKEN, mount: values.VAULT_TRANSIT_MOUNT, keyName: values.VAULT_TRANSIT_KEY }),
      indexRootFile: path.join(keysDir, 'index-root.vault.json'),
    });
  }
  return Object.freeze({ source: 'file', file: values.KEY_FILE ? path.resolve(values.KEY_FILE) : path.join(keysDir, 'keyring.json') });
}

/** Builds a test configuration: a private data folder, no web app, quiet logs. */
function parseRetentionSettingsForConfig(text: string | undefined): RetentionSettings {
  try {
    return parseRetentionSettings(text);
  } catch (error) {
    throw new Error(`Invalid configuration: ${(error as Error).message}`);
  }
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const dataDir = overrides.dataDir ?? path.resolve('.test-artifacts', `data-${randomBytes(6).toString('hex')}`);
  return Object.freeze({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    backup: Object.freeze({ dir: path.join(dataDir, 'backups'), schedule: 'off', keep: Object.freeze({ daily: 7, weekly: 4, monthly: 12 }) }),
    databaseUrl: undefined,
    publicUrl: 'http://127.0.0.1:3000',
    timeZone: 'Asia/Shanghai',
    logLevel: 'silent',
    session: Object.freeze({ idleMinutes: 30, absoluteHours: 12 }),
    trustProxy: false,
    serveWeb: false,
    databasePoolSize: 4,
    loginAttemptsPerMinute: 1000,
    clientListsPerMinute: 10_000,
    mfa: Object.freeze({ required: false, stepUpRequired: false, stepUpMinutes: 5, trustedDeviceDays: 30 }),
    webauthn: Object.freeze({ rpId: 'localhost', origins: Object.freeze(['http://localhost:3000']) }),
    password: Object.freeze({ minLength: 12, minClasses: 3, historySize: 5, maxAgeDays: 180 }),
    sms: Object.freeze({ provider: 'outbox' as const }),
    breakGlassMinutes: 30,
    documentMaxMb: 200,
    retention: DEFAULT_RETENTION,
    mail: Object.freeze({ smtpUrl: undefined, from: 'LedgerGuard <no-reply@localhost>' }),
    auditIntegrity: Object.freeze({ signingAlgorithm: 'ed25519' as const, checkpointEveryEvents: 1000, checkpointMinutes: 10, retentionDays: 1095 }),
    keys: Object.freeze({ suite: 'aes-256-gcm' as const, source: Object.freeze({ source: 'file' as const, file: path.resolve('.test-artifacts', `keys-${randomBytes(6).toString('hex')}.json`) }) }),
    ...overrides,
  });
}
