import { chmodSync, closeSync, constants, copyFileSync, existsSync, fsyncSync, linkSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';

type Connection = SqliteDatabase.Database;

/** The first 16 bytes of every unencrypted SQLite 3 file; SQLCipher files start with a random salt instead. */
const PLAIN_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const KEY_BYTES = 32;
/** Suffix of the copy that a conversion encrypts before it replaces the plain file. */
const CONVERSION_SUFFIX = '.encrypting';

/** Raised when the database file exists but the derived key does not decrypt it. */
export class DatabaseKeyMismatchError extends Error {
  readonly code = 'DATABASE_KEY_MISMATCH';

  constructor(file: string) {
    super(
      `密钥文件与此数据库不匹配：请恢复与该数据库配套的密钥文件（数据目录下的 keys/），数据库文件未作任何改动。` +
        ` The key file does not match this database (${file}): restore the key file that belongs to it (keys/ in the data folder); the database file was not changed.`,
    );
    this.name = 'DatabaseKeyMismatchError';
  }
}

export interface OpenEncryptedSqliteOptions {
  file: string;
  /** The 32-byte raw page key. */
  key: Buffer;
  /** Whether to keep the plain file under a timestamped name when converting. Off by default, because a plain copy defeats the encryption. */
  keepPlainCopy?: boolean;
  now?: () => Date;
}

/**
 * Opens the SQLite file keyed with SQLCipher 4 settings, first encrypting a plain file in place.
 * Throws DatabaseKeyMismatchError when the key does not fit an existing encrypted file.
 */
export function openEncryptedSqlite({ file, key, keepPlainCopy = false, now = () => new Date() }: OpenEncryptedSqliteOptions): Connection {
  if (key.length !== KEY_BYTES) {
    throw new Error(`The SQLite database key must be ${KEY_BYTES} bytes, not ${key.length}`);
  }

  // A copy left by a conversion that crashed before its rename may hold plain pages: the plain
  // file beside it is still the database, so the copy is deleted and the conversion runs again.
  removeConversionLeftovers(file);

  if (isPlainSqliteFile(file)) {
    encryptPlainFile({ file, key, keepPlainCopy, now });
  }

  return openKeyedOrThrow(file, key);
}

/** Returns true when the file exists and starts with the unencrypted SQLite header. */
export function isPlainSqliteFile(file: string): boolean {
  if (!existsSync(file)) return false;

  const header = Buffer.alloc(PLAIN_HEADER.length);
  const descriptor = openSync(file, 'r');
  try {
    const read = readSync(descriptor, header, 0, header.length, 0);
    return read === header.length && header.equals(PLAIN_HEADER);
  } finally {
    closeSync(descriptor);
  }
}

/** Sets the cipher and key on a fresh connection; it must run before any statement reads the file. */
function applyKey(connection: Connection, key: Buffer): void {
  // SQLCipher 4 page format (AES-256-CBC with HMAC-SHA512 per page), which SQLCipher tools open.
  connection.pragma(`cipher = 'sqlcipher'`);
  connection.pragma('legacy = 4');
  // `x'…'` is SQLCipher's raw-key syntax: the bytes are used as the page key directly, so no
  // PBKDF2 with 256,000 iterations runs on each open. The key is already uniformly random (HKDF).
  connection.pragma(`key = "x'${key.toString('hex')}'"`);
}

function openKeyedOrThrow(file: string, key: Buffer): Connection {
  const connection = new SqliteDatabase(file);
  try {
    applyKey(connection, key);
    // Page 1 decrypted with a wrong key fails its HMAC check, which SQLite reports as SQLITE_NOTADB.
    connection.prepare('select count(*) from sqlite_master').get();
  } catch (error) {
    connection.close();
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') throw new DatabaseKeyMismatchError(file);
    throw error;
  }
  return connection;
}

/**
 * Encrypts a plain database by rekeying a copy and renaming the copy over the original. Until the
 * rename the plain file is untouched, and rename(2) replaces it in one step, so a crash at any
 * point leaves either the plain or the encrypted database at `file`.
 */
function encryptPlainFile({ file, key, keepPlainCopy, now }: Required<OpenEncryptedSqliteOptions>): void {
  const copy = `${file}${CONVERSION_SUFFIX}`;
  const tableCount = foldJournalIntoFile(file);

  copyFileSync(file, copy, constants.COPYFILE_EXCL);
  chmodSync(copy, 0o600);
  rekeyPlainCopy(copy, key);
  verifyEncryptedCopyOrThrow(copy, key, tableCount);
  fsyncPath(copy);

  if (keepPlainCopy) {
    // A hard link keeps the plain inode alive after the rename, without copying the bytes again.
    const plainCopy = `${file}.plain-${now().toISOString().replace(/[:.]/g, '-')}`;
    linkSync(file, plainCopy);
    chmodSync(plainCopy, 0o600);
  }

  renameSync(copy, file);
  fsyncPath(path.dirname(file));
}

/**
 * Moves every committed page into the main file and leaves it in rollback-journal mode, because
 * sqlite3mc 2.3 refuses to rekey a database in WAL mode. Returns the number of schema entries.
 */
function foldJournalIntoFile(file: string): number {
  const connection = new SqliteDatabase(file);
  try {
    // Leaving WAL mode checkpoints the whole log and deletes it; a hot rollback journal is
    // replayed by this first read. Either way the main file alone then holds the database.
    const mode = connection.pragma('journal_mode = DELETE', { simple: true });
    if (mode !== 'delete') {
      throw new Error(`The plain database ${file} is in use by another process; stop it and start again`);
    }
    return Number(connection.prepare('select count(*) as entries from sqlite_master').pluck().get());
  } finally {
    connection.close();
  }
}

function rekeyPlainCopy(copy: string, key: Buffer): void {
  const connection = new SqliteDatabase(copy);
  try {
    connection.pragma(`cipher = 'sqlcipher'`);
    connection.pragma('legacy = 4');
    // On a plain file, rekey writes every page encrypted through a VACUUM, because SQLCipher
    // pages reserve 80 bytes (IV and HMAC) that plain pages do not.
    connection.pragma(`rekey = "x'${key.toString('hex')}'"`);
  } finally {
    connection.close();
  }
}

function verifyEncryptedCopyOrThrow(copy: string, key: Buffer, tableCount: number): void {
  const connection = openKeyedOrThrow(copy, key);
  try {
    const check = connection.pragma('quick_check', { simple: true });
    const entries = Number(connection.prepare('select count(*) as entries from sqlite_master').pluck().get());
    if (check !== 'ok' || entries !== tableCount || isPlainSqliteFile(copy)) {
      throw new Error(`Encrypting the SQLite database failed its check (${String(check)}); the plain database was left unchanged`);
    }
  } finally {
    connection.close();
  }
}

function removeConversionLeftovers(file: string): void {
  const copy = `${file}${CONVERSION_SUFFIX}`;
  for (const leftover of [copy, `${copy}-journal`, `${copy}-wal`, `${copy}-shm`]) {
    rmSync(leftover, { force: true });
  }
}

function fsyncPath(target: string): void {
  const descriptor = openSync(target, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
