import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

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
  PUBLIC_URL: z.string().url().optional(),
  TIME_ZONE: z.string().default('Asia/Shanghai'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
});

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** `undefined` selects the embedded SQLite database in the data folder. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema in place of `public`; tests give each run its own. */
  readonly databaseSchema?: string | undefined;
  readonly publicUrl: string;
  readonly timeZone: string;
  readonly logLevel: string;
  readonly session: { readonly idleMinutes: number; readonly absoluteHours: number };
  readonly trustProxy: boolean;
  readonly serveWeb: boolean;
  readonly loginAttemptsPerMinute: number;
  /** Client list and search requests one session may make per minute. */
  readonly clientListsPerMinute: number;
}

export function loadConfig(environment: NodeJS.ProcessEnv): AppConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  const shownHost = values.HOST === '0.0.0.0' || values.HOST === '::' ? '127.0.0.1' : values.HOST;

  return Object.freeze({
    host: values.HOST,
    port: values.PORT,
    dataDir: path.resolve(values.DATA_DIR),
    databaseUrl: values.DATABASE_URL || undefined,
    databaseSchema: values.DATABASE_SCHEMA,
    publicUrl: values.PUBLIC_URL ?? `http://${shownHost}:${values.PORT}`,
    timeZone: values.TIME_ZONE,
    logLevel: values.LOG_LEVEL,
    session: Object.freeze({ idleMinutes: values.SESSION_IDLE_MINUTES, absoluteHours: values.SESSION_ABSOLUTE_HOURS }),
    trustProxy: values.TRUST_PROXY === 'true',
    serveWeb: true,
    loginAttemptsPerMinute: 20,
    clientListsPerMinute: 120,
  });
}

/** Builds a test configuration: a private data folder, no web app, quiet logs. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return Object.freeze({
    host: '127.0.0.1',
    port: 0,
    dataDir: path.resolve('.test-artifacts', `data-${randomBytes(6).toString('hex')}`),
    databaseUrl: undefined,
    publicUrl: 'http://127.0.0.1:3000',
    timeZone: 'Asia/Shanghai',
    logLevel: 'silent',
    session: Object.freeze({ idleMinutes: 30, absoluteHours: 12 }),
    trustProxy: false,
    serveWeb: false,
    loginAttemptsPerMinute: 1000,
    clientListsPerMinute: 10_000,
    ...overrides,
  });
}
