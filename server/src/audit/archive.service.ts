import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db, DialectName } from '../db/index.js';
import { type ArchiveManifest, isManifestSignedBy, signArchiveManifest } from './archive-manifest.js';
import { archiveFolder, segmentFileName, writeSegmentFile } from './archive-segment.js';
import type { AuditLog } from './audit-log.js';
import { findFirstSeqAtOrAfter, listArchives, readChainHead, readEventRange, recordArchiveAndDeleteEvents } from './audit-integrity.repository.js';
import type { AuditRow } from './audit.repository.js';
import { lockChainHead } from './audit.repository.js';
import type { AuditActor } from './audit.types.js';
import { type ChainAnchor, ChainBrokenError, ChainWalker, GENESIS_ANCHOR } from './chain.js';
import type { SigningKeyRing } from './signing-keys.js';

const DAY_MS = 24 * 60 * 60_000;

/** Raised when an archive run would remove events younger than the retention period. */
export class RetentionPeriodError extends Error {
  constructor(before: Date, earliestAllowed: Date) {
    super(`Events after ${earliestAllowed.toISOString()} are inside the retention period; archiving before ${before.toISOString()} was rejected`);
    this.name = 'RetentionPeriodError';
  }
}

export type ArchiveResult = { readonly archived: 0 } | { readonly archived: number; readonly manifest: ArchiveManifest };

/**
 * Moves events older than the retention period out of the database into a segment file with a
 * signed manifest. This is the only way events leave the database: the manifest is recorded and
 * the rows deleted in one transaction, and the database's delete trigger accepts only rows that
 * a recorded segment covers. Verification then starts from the last manifest's hash.
 */
export class ArchiveService {
  readonly #db: Db;
  readonly #dialect: DialectName;
  readonly #audit: AuditLog;
  readonly #keys: SigningKeyRing;
  readonly #retentionDays: number;
  readonly #folder: string;

  constructor({ db, dialect, audit, keys, retentionDays, dataDir }: { db: Db; dialect: DialectName; audit: AuditLog; keys: SigningKeyRing; retentionDays: number; dataDir: string }) {
    this.#db = db;
    this.#dialect = dialect;
    this.#audit = audit;
    this.#keys = keys;
    this.#retentionDays = retentionDays;
    this.#folder = archiveFolder(dataDir);
  }

  /** Archives every event that occurred before `before` (default: the start of the retention period). */
  async archive({ now, before, actor = null }: { now: Date; before?: Date | undefined; actor?: AuditActor | null }): Promise<ArchiveResult> {
    // No caller may shorten the retention period, whatever its role.
    const earliestAllowed = new Date(now.getTime() - this.#retentionDays * DAY_MS);
    const until = before ?? earliestAllowed;
    if (until.getTime() > earliestAllowed.getTime()) throw new RetentionPeriodError(until, earliestAllowed);

    // Only a prefix of the chain is archived: up to the event before the first one at or after `until`.
    const anchor = await this.#currentAnchor();
    const boundary = await findFirstSeqAtOrAfter(this.#db, until.toISOString());
    const lastSeq = boundary === undefined ? (await readChainHead(this.#db)).seq : boundary - 1;
    if (lastSeq <= anchor.seq) return { archived: 0 };

    // Each event is verified as it is written, so a broken chain is never archived out of sight.
    const walker = new ChainWalker(anchor);
    const fileName = segmentFileName(anchor.seq + 1, lastSeq);
    const fileSha256 = await writeSegmentFile(path.join(this.#folder, fileName), verifiedRows(this.#db, walker, lastSeq));
    const manifest = signArchiveManifest(this.#keys.active, {
      firstSeq: anchor.seq + 1,
      lastSeq,
      firstPrevHash: anchor.hash,
      lastHash: walker.position.hash,
      eventCount: lastSeq - anchor.seq,
      fileName,
      fileSha256,
      beforeAt: until.toISOString(),
      createdAt: now.toISOString(),
    });

    await this.#db.transaction().execute(async (trx) => {
      await lockChainHead(trx, this.#dialect);
      const current = await listArchives(trx);
      if ((current[current.length - 1]?.lastSeq ?? 0) !== anchor.seq) {
        throw new Error('Another archive run finished first; run the archive again');
      }
      const deleted = await recordArchiveAndDeleteEvents(trx, manifest);
      if (deleted !== manifest.eventCount) {
        throw new Error(`Archive of events ${manifest.firstSeq}–${manifest.lastSeq} deleted ${deleted} rows instead of ${manifest.eventCount}; nothing was archived`);
      }
      const { signature: _signature, ...details } = manifest;
      await this.#audit.append(trx, { action: 'audit.archived', outcome: 'success', actor, details: { ...details, retentionDays: this.#retentionDays } });
    });

    // A readable copy of the manifest beside the segment, so the folder can be checked on its own.
    await writeFile(path.join(this.#folder, fileName.replace(/\.jsonl\.gz$/, '.manifest.json')), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return { archived: manifest.eventCount, manifest };
  }

  async #currentAnchor(): Promise<ChainAnchor> {
    const archives = await listArchives(this.#db);
    const last = archives[archives.length - 1];
    if (!last) return GENESIS_ANCHOR;
    if (!isManifestSignedBy(last, this.#keys.publicKeys)) throw new ChainBrokenError({ seq: last.firstSeq, problem: 'checkpoint_signature_invalid' });
    return { seq: last.lastSeq, hash: last.lastHash };
  }
}

async function* verifiedRows(db: Db, walker: ChainWalker, throughSeq: number): AsyncGenerator<AuditRow> {
  for await (const row of readEventRange(db, { afterSeq: walker.position.seq, throughSeq })) {
    const broken = walker.accept(row);
    if (broken) throw new ChainBrokenError(broken);
    yield row;
  }
  if (walker.position.seq !== throughSeq) throw new ChainBrokenError({ seq: walker.position.seq + 1, problem: 'sequence_gap' });
}
