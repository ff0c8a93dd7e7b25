import type { Db, DialectName } from '../db/index.js';
import { isManifestSignedBy } from './archive-manifest.js';
import type { AuditLog } from './audit-log.js';
import { findLastCheckpoint, insertCheckpoint, listArchives, readChainHead } from './audit-integrity.repository.js';
import { lockChainHead } from './audit.repository.js';
import { type ChainAnchor, ChainBrokenError, ChainWalker, GENESIS_ANCHOR, walkStoredEvents } from './chain.js';
import { type Checkpoint, isCheckpointSignedBy, signCheckpoint } from './checkpoint.js';
import { appendCheckpointLine } from './checkpoint-file.js';
import type { SigningKeyRing } from './signing-keys.js';

export interface CheckpointSchedule {
  /** A checkpoint is due once this many events follow the last one. */
  readonly everyEvents: number;
  /** A checkpoint is due once the last one is this old and events followed it. */
  readonly everyMinutes: number;
}

/**
 * Signs checkpoints of the chain head when they are due. Each checkpoint is stored in the
 * database and appended to a file outside it, and is signed only after the events since the
 * previous checkpoint have been recomputed, so a signature never vouches for a broken chain.
 */
export class CheckpointSigner {
  readonly #db: Db;
  readonly #dialect: DialectName;
  readonly #audit: AuditLog;
  readonly #keys: SigningKeyRing;
  readonly #schedule: CheckpointSchedule;
  readonly #file: string;

  constructor({ db, dialect, audit, keys, schedule, file }: { db: Db; dialect: DialectName; audit: AuditLog; keys: SigningKeyRing; schedule: CheckpointSchedule; file: string }) {
    this.#db = db;
    this.#dialect = dialect;
    this.#audit = audit;
    this.#keys = keys;
    this.#schedule = schedule;
    this.#file = file;
  }

  /** Signs a checkpoint when one is due. Returns it, or `undefined` when none was due. */
  async signIfDue(now: Date): Promise<Checkpoint | undefined> {
    const [head, last] = await Promise.all([readChainHead(this.#db), findLastCheckpoint(this.#db)]);
    if (!this.#isDue(head, last, now)) return undefined;
    return this.#sign(now, { onlyIfDue: true });
  }

  /**
   * Signs a checkpoint now. The 'audit.checkpoint_signed' event is appended first, in the same
   * transaction, and the checkpoint signs the chain hash of that very event. Announcing a
   * checkpoint therefore adds one event that the checkpoint already covers, and an idle log
   * never becomes due again.
   */
  sign(now: Date): Promise<Checkpoint | undefined> {
    return this.#sign(now, { onlyIfDue: false });
  }

  async #sign(now: Date, { onlyIfDue }: { onlyIfDue: boolean }): Promise<Checkpoint | undefined> {
    const last = await findLastCheckpoint(this.#db);
    const walker = new ChainWalker(await this.#startingAnchor(last));

    // Most of the walk happens before the head is locked, so appends wait only for the last few events.
    const firstHead = await readChainHead(this.#db);
    const early = await walkStoredEvents(this.#db, walker, firstHead.seq);
    if (early) throw new ChainBrokenError(early);

    const checkpoint = await this.#db.transaction().execute(async (trx) => {
      const head = await lockChainHead(trx, this.#dialect);
      const latest = await findLastCheckpoint(trx);
      // Another instance signed while this one walked the chain, or just before, so none is due now.
      if (latest?.seq !== last?.seq) return undefined;
      if (onlyIfDue && !this.#isDue(head, latest, now)) return undefined;

      const late = await walkStoredEvents(trx, walker, head.seq);
      if (late) throw new ChainBrokenError(late);
      if (walker.position.hash !== head.hash) throw new ChainBrokenError({ seq: head.seq + 1, problem: 'head_mismatch' });

      const key = this.#keys.active;
      const [event] = await this.#audit.append(trx, { action: 'audit.checkpoint_signed', outcome: 'success', actor: null, details: { algorithm: key.algorithm, keyId: key.keyId, previousCheckpointSeq: last?.seq ?? null } });
      const signed = signCheckpoint(key, { seq: event!.seq, chainHash: event!.hash, signedAt: now.toISOString() });
      await insertCheckpoint(trx, signed);
      return signed;
    });

    // Written only after the commit: a checkpoint of a rolled-back event would later look like tampering.
    if (checkpoint) await appendCheckpointLine(this.#file, checkpoint);
    return checkpoint;
  }

  #isDue(head: ChainAnchor, last: Checkpoint | undefined, now: Date): boolean {
    if (head.seq <= (last?.seq ?? 0)) return false;
    if (!last) return true;
    if (head.seq - last.seq >= this.#schedule.everyEvents) return true;
    return now.getTime() - Date.parse(last.signedAt) >= this.#schedule.everyMinutes * 60_000;
  }

  /** Finds the walk's start: the later of the last checkpoint and the archive anchor, each checked by its signature. */
  async #startingAnchor(last: Checkpoint | undefined): Promise<ChainAnchor> {
    const archives = await listArchives(this.#db);
    const archive = archives[archives.length - 1];
    if (archive && archive.lastSeq >= (last?.seq ?? 0)) {
      if (!isManifestSignedBy(archive, this.#keys.publicKeys)) throw new ChainBrokenError({ seq: archive.firstSeq, problem: 'checkpoint_signature_invalid' });
      return { seq: archive.lastSeq, hash: archive.lastHash };
    }
    if (last) {
      if (!isCheckpointSignedBy(last, this.#keys.publicKeys)) throw new ChainBrokenError({ seq: last.seq, problem: 'checkpoint_signature_invalid' });
      return { seq: last.seq, hash: last.chainHash };
    }
    return GENESIS_ANCHOR;
  }
}
