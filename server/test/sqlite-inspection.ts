import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import type { KeyringMaterial } from '../src/crypto/index.js';
import { deriveServiceKey } from '../src/crypto/index.js';

/** Reads the raw bytes of the SQLite file and its WAL, as a thief who copied them would see them. */
export function readSqliteFileBytes(file: string): { main: Buffer; wal: Buffer } {
  return {
    main: readFileSync(file),
    wal: existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0),
  };
}

/**
 * Returns the bytes of a decrypted copy of the SQLite file, free pages included, so a test can
 * check what the field encryption left in the pages underneath the file encryption. The copy
 * folds in the WAL first, and the original file is only read.
 */
export function readDecryptedSqliteBytes(file: string, keyring: KeyringMaterial): Buffer {
  const folder = mkdtempSync(path.join(path.dirname(file), 'inspect-'));
  const copy = path.join(folder, 'copy.db');
  try {
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);

    const connection = new SqliteDatabase(copy);
    connection.pragma(`cipher = 'sqlcipher'`);
    connection.pragma('legacy = 4');
    connection.pragma(`key = "x'${deriveServiceKey(keyring, 'sqlite-database').toString('hex')}'"`);
    // Rekeying needs a rollback journal, and leaving WAL mode also checkpoints the copied WAL.
    connection.pragma('journal_mode = DELETE');
    // An empty key decrypts every page in place.
    connection.pragma(`rekey = ''`);
    connection.close();

    return readFileSync(copy);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
