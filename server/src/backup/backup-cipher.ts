import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Plaintext bytes per encrypted record; each record carries its own 16-byte GCM tag. */
export const BACKUP_CHUNK_BYTES = 1024 * 1024;
const TAG_BYTES = 16;
const LENGTH_BYTES = 4;

/** Raised when a backup's body, key or records do not decrypt and authenticate. */
export class BackupCorruptedError extends Error {
  constructor(readonly problem: string) {
    super(`备份文件已损坏或被改动（${problem}）/ The backup file is damaged or was altered (${problem})`);
    this.name = 'BackupCorruptedError';
  }
}

// The record index and a final flag are bound into each tag, so records cannot be reordered,
// dropped from the end or repeated without the body failing to decrypt.
function associatedData(backupId: string, index: number, final: boolean): Buffer {
  return Buffer.from(`ledgerguard-backup|${backupId}|${index}|${final ? 1 : 0}`, 'utf8');
}

function nonceOf(prefix: Buffer, index: number): Buffer {
  const nonce = Buffer.alloc(12);
  prefix.copy(nonce, 0, 0, 8);
  nonce.writeUInt32BE(index, 8);
  return nonce;
}

export function newNoncePrefix(): Buffer {
  return randomBytes(8);
}

/** Encrypts a byte stream into length-prefixed AES-256-GCM records of BACKUP_CHUNK_BYTES plaintext. */
export function createBackupEncryptStream({ key, backupId, noncePrefix }: { key: Buffer; backupId: string; noncePrefix: Buffer }): Transform {
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;

  const seal = (stream: Transform, plaintext: Buffer, final: boolean) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonceOf(noncePrefix, index));
    cipher.setAAD(associatedData(backupId, index, final));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32BE(body.length);
    stream.push(Buffer.concat([length, body]));
    index += 1;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending = Buffer.concat([pending, chunk]);
      // A full chunk is sealed only once more data follows, because the last record must carry the final flag.
      while (pending.length > BACKUP_CHUNK_BYTES) {
        seal(this, pending.subarray(0, BACKUP_CHUNK_BYTES), false);
        pending = pending.subarray(BACKUP_CHUNK_BYTES);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      seal(this, pending, true);
      callback();
    },
  });
}

/** Decrypts the records written by createBackupEncryptStream; the input must be the whole body. */
export function createBackupDecryptStream({ key, backupId, noncePrefix, bodyBytes }: { key: Buffer; backupId: string; noncePrefix: Buffer; bodyBytes: number }): Transform {
  let pending: Buffer = Buffer.alloc(0);
  let consumed = 0;
  let index = 0;
  let finished = false;

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending = Buffer.concat([pending, chunk]);
      try {
        while (pending.length >= LENGTH_BYTES) {
          const length = pending.readUInt32BE(0);
          if (length < TAG_BYTES || length > BACKUP_CHUNK_BYTES + TAG_BYTES) throw new BackupCorruptedError('record_length');
          if (pending.length < LENGTH_BYTES + length) break;

          const record = pending.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
          pending = pending.subarray(LENGTH_BYTES + length);
          consumed += LENGTH_BYTES + length;
          if (finished) throw new BackupCorruptedError('data_after_final_record');
          finished = consumed === bodyBytes;
          this.push(open(record, finished));
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      callback(finished && pending.length === 0 ? null : new BackupCorruptedError('truncated_body'));
    },
  });

  function open(record: Buffer, final: boolean): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(noncePrefix, index));
    decipher.setAAD(associatedData(backupId, index, final));
    decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
    index += 1;
    try {
      return Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new BackupCorruptedError('record_authentication_failed');
    }
  }
}

/** Wraps the backup's random content key under the service key, bound to the backup's id. */
export function wrapContentKey(serviceKey: Buffer, backupId: string, contentKey: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', serviceKey, nonce);
  cipher.setAAD(Buffer.from(`ledgerguard-backup-key|${backupId}`, 'utf8'));
  return Buffer.concat([nonce, cipher.update(contentKey), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

export function unwrapContentKeyOrThrow(serviceKey: Buffer, backupId: string, wrapped: string): Buffer {
  const bytes = Buffer.from(wrapped, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', serviceKey, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(`ledgerguard-backup-key|${backupId}`, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // The keyring differs from the one that made the backup (another installation or a lost key file).
    throw new BackupCorruptedError('content_key_unwrap_failed');
  }
}
