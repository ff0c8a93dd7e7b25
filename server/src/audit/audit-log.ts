import type { Db, DbOrTrx, DialectName } from '../db/index.js';
import { listArchives, readChainHead, readEventRange } from './audit-integrity.repository.js';
import { type AuditRow, ensureChainHead, insertAuditRows, lockChainHead } from './audit.repository.js';
import type { AuditEventInput } from './audit.types.js';
import { type ChainProblem, ChainWalker, GENESIS_ANCHOR, computeEventHash } from './chain.js';
import { redactDetails, redactText } from './redact.js';

export interface AppendedEvent {
  readonly seq: number;
  readonly hash: string;
}

export interface ChainVerification {
  readonly intact: boolean;
  readonly checked: number;
  /** The first event whose hash, link or sequence does not hold. */
  readonly firstBrokenSeq?: number;
  readonly problem?: ChainProblem;
}

/**
 * The single writer of the hash-chained audit log. Every event is appended inside a
 * transaction that holds the chain head, so sequence numbers are gap-free and each event's
 * hash covers the one before it.
 */
export class AuditLog {
  readonly #db: Db;
  readonly #dialect: DialectName;
  readonly #now: () => Date;

  constructor({ db, dialect, now = () => new Date() }: { db: Db; dialect: DialectName; now?: () => Date }) {
    this.#db = db;
    this.#dialect = dialect;
    this.#now = now;
  }

  async initialize(): Promise<void> {
    await ensureChainHead(this.#db);
  }

  /**
   * Appends events within the caller's transaction, so they commit or roll back with the change
   * they record. Outside a transaction, opens one of its own.
   */
  async append(db: DbOrTrx, ...events: AuditEventInput[]): Promise<AppendedEvent[]> {
    if (!db.isTransaction) {
      return db.transaction().execute((trx) => this.append(trx, ...events));
    }

    const head = await lockChainHead(db, this.#dialect);
    const rows: AuditRow[] = [];
    let { seq, hash } = head;
    for (const event of events) {
      seq += 1;
      const row = this.#toRow(event, seq, hash);
      hash = row.hash;
      rows.push(row);
    }
    await insertAuditRows(db, rows, { seq, hash });
    return rows.map((row) => ({ seq: row.seq, hash: row.hash }));
  }

  /** Appends events in a transaction of their own; for reads and denials that change nothing. */
  async record(...events: AuditEventInput[]): Promise<AppendedEvent[]> {
    return this.append(this.#db, ...events);
  }

  /**
   * Recomputes every hash and link from the archive anchor (or the first event) to the head.
   * This checks only what the database holds; `AuditIntegrity.verify` adds the signed
   * checkpoints and archive manifests.
   */
  async verify(): Promise<ChainVerification> {
    const archives = await listArchives(this.#db);
    const lastArchive = archives[archives.length - 1];
    const head = await readChainHead(this.#db);
    const walker = new ChainWalker(lastArchive ? { seq: lastArchive.lastSeq, hash: lastArchive.lastHash } : GENESIS_ANCHOR);

    for await (const row of readEventRange(this.#db, { afterSeq: walker.position.seq, throughSeq: head.seq })) {
      const broken = walker.accept(row);
      if (broken) return { intact: false, checked: walker.checked, firstBrokenSeq: broken.seq, problem: broken.problem };
    }

    const end = walker.position;
    if (head.seq !== end.seq || head.hash !== end.hash) {
      return { intact: false, checked: walker.checked, firstBrokenSeq: Math.min(head.seq, end.seq) + 1, problem: 'head_mismatch' };
    }
    return { intact: true, checked: walker.checked };
  }

  #toRow(event: AuditEventInput, seq: number, previousHash: string): AuditRow {
    const row: Omit<AuditRow, 'hash'> = {
      seq,
      occurred_at: this.#now().toISOString(),
      actor_id: event.actor?.id ?? null,
      actor_username: event.actor?.username ?? null,
      action: event.action,
      outcome: event.outcome,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      client_id: event.clientId ?? null,
      fields: JSON.stringify(event.fields ?? []),
      reason: event.reason === undefined ? null : redactText(event.reason),
      ip: event.ip ?? null,
      user_agent: event.userAgent?.slice(0, 512) ?? null,
      details: JSON.stringify(redactDetails(event.details ?? {})),
      prev_hash: previousHash,
    };
    return { ...row, hash: computeEventHash(row) };
  }
}
