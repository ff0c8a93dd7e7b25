import type { DbOrTrx } from '../db/index.js';
import type { ArchiveManifest } from './archive-manifest.js';
import type { AuditVerificationTable } from './audit-integrity.tables.js';
import type { AuditRow } from './audit.repository.js';
import type { ChainAnchor } from './chain.js';
import type { Checkpoint } from './checkpoint.js';
import type { SigningAlgorithm } from './signing-keys.js';

/** Reads the committed chain head without locking it. */
export async function readChainHead(db: DbOrTrx): Promise<ChainAnchor> {
  const head = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}

/** Alerts whose evidence is read for the highest sequence number: the latest changed, where new evidence lands. */
const RECENT_ALERTS = 100;

/**
 * Finds the highest audit sequence number that records outside the chain name: the detectors'
 * cursors and the evidence of recently changed alerts. Returns 0 when none does. A head below it
 * means events at the end were deleted, even behind the last checkpoint.
 */
export async function findHighestReferencedSeq(db: DbOrTrx): Promise<number> {
  const cursor = await db.selectFrom('detector_cursors').select((eb) => eb.fn.max('last_seq').as('seq')).executeTakeFirst();
  const alerts = await db.selectFrom('alerts').select('evidence').orderBy('revision', 'desc').limit(RECENT_ALERTS).execute();

  let highest = cursor?.seq === null || cursor?.seq === undefined ? 0 : Number(cursor.seq);
  for (const alert of alerts) {
    for (const seq of parseEvidence(alert.evidence)) highest = Math.max(highest, seq);
  }
  return highest;
}

function parseEvidence(evidence: string): number[] {
  try {
    const value: unknown = JSON.parse(evidence);
    return Array.isArray(value) ? value.map(Number).filter(Number.isSafeInteger) : [];
  } catch {
    return [];
  }
}

/** Streams events with `afterSeq < seq <= throughSeq` in chain order, a page at a time. */
export async function* readEventRange(db: DbOrTrx, { afterSeq, throughSeq, pageSize = 5000 }: { afterSeq: number; throughSeq?: number; pageSize?: number }): AsyncGenerator<AuditRow> {
  let after = afterSeq;
  for (;;) {
    let query = db.selectFrom('audit_events').selectAll().where('seq', '>', after);
    if (throughSeq !== undefined) query = query.where('seq', '<=', throughSeq);
    const rows = await query.orderBy('seq').limit(pageSize).execute();
    yield* rows;
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/** Finds the first sequence number of an event at or after the instant, or `undefined` when there is none. */
export async function findFirstSeqAtOrAfter(db: DbOrTrx, instant: string): Promise<number | undefined> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.min('seq').as('seq')).where('occurred_at', '>=', instant).executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? undefined : Number(row.seq);
}

function toCheckpoint(row: { seq: number; chain_hash: string; signed_at: string; algorithm: string; key_id: string; signature: string }): Checkpoint {
  // The algorithm is checked when the signature is: a key must match it by name.
  return { seq: Number(row.seq), chainHash: row.chain_hash, signedAt: row.signed_at, algorithm: row.algorithm as SigningAlgorithm, keyId: row.key_id, signature: row.signature };
}

export async function findLastCheckpoint(db: DbOrTrx): Promise<Checkpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row && toCheckpoint(row);
}

/** Inserts a checkpoint unless another instance signed that sequence number first. */
export async function insertCheckpoint(trx: DbOrTrx, checkpoint: Checkpoint): Promise<void> {
  await trx
    .insertInto('audit_checkpoints')
    .values({ seq: checkpoint.seq, chain_hash: checkpoint.chainHash, signed_at: checkpoint.signedAt, algorithm: checkpoint.algorithm, key_id: checkpoint.keyId, signature: checkpoint.signature })
    .onConflict((conflict) => conflict.column('seq').doNothing())
    .execute();
}

export async function listCheckpoints(db: DbOrTrx, { offset, limit }: { offset: number; limit: number }): Promise<{ total: number; items: Checkpoint[] }> {
  const [rows, count] = await Promise.all([
    db.selectFrom('audit_checkpoints').selectAll().orderBy('seq', 'desc').offset(offset).limit(limit).execute(),
    db.selectFrom('audit_checkpoints').select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { total: Number(count.total), items: rows.map(toCheckpoint) };
}

/** Reads every stored checkpoint in sequence order. There is about one per thousand events, so they fit in memory. */
export async function readAllCheckpoints(db: DbOrTrx): Promise<Checkpoint[]> {
  const rows = await db.selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  return rows.map(toCheckpoint);
}

export async function listArchives(db: DbOrTrx): Promise<ArchiveManifest[]> {
  const rows = await db.selectFrom('audit_archives').selectAll().orderBy('first_seq').execute();
  return rows.map((row) => ({
    firstSeq: Number(row.first_seq),
    lastSeq: Number(row.last_seq),
    firstPrevHash: row.first_prev_hash,
    lastHash: row.last_hash,
    eventCount: Number(row.event_count),
    fileName: row.file_name,
    fileSha256: row.file_sha256,
    beforeAt: row.before_at,
    createdAt: row.created_at,
    algorithm: row.algorithm,
    keyId: row.key_id,
    signature: row.signature,
  }));
}

/**
 * Records a segment and deletes its events from the database. The database's delete trigger
 * accepts only rows a recorded segment covers, so the record must be inserted first.
 */
export async function recordArchiveAndDeleteEvents(trx: DbOrTrx, manifest: ArchiveManifest): Promise<number> {
  await trx
    .insertInto('audit_archives')
    .values({
      first_seq: manifest.firstSeq,
      last_seq: manifest.lastSeq,
      first_prev_hash: manifest.firstPrevHash,
      last_hash: manifest.lastHash,
      event_count: manifest.eventCount,
      file_name: manifest.fileName,
      file_sha256: manifest.fileSha256,
      before_at: manifest.beforeAt,
      created_at: manifest.createdAt,
      algorithm: manifest.algorithm,
      key_id: manifest.keyId,
      signature: manifest.signature,
    })
    .execute();
  const deleted = await trx.deleteFrom('audit_events').where('seq', '>=', manifest.firstSeq).where('seq', '<=', manifest.lastSeq).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

export async function insertVerification(trx: DbOrTrx, row: AuditVerificationTable): Promise<void> {
  await trx.insertInto('audit_verifications').values(row).execute();
}

export async function findLastVerification(db: DbOrTrx): Promise<AuditVerificationTable | undefined> {
  return db.selectFrom('audit_verifications').selectAll().orderBy('verified_at', 'desc').limit(1).executeTakeFirst();
}
