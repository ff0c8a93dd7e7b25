import type { Db, DbOrTrx, DialectName } from '../db/index.js';
import { type AuditRow, ensureChainHead, insertAuditRows, lockChainHead, readAuditChain } from './audit.repository.js';
import type { AuditEventInput } from './audit.types.js';
import { GENESIS_HASH, canonicalJson, chainHash } from './canonical.js';
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
  readonly problem?: 'hash_mismatch' | 'link_broken' | 'sequence_gap' | 'head_mismatch';
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

  /** Recomputes every hash and link from the first event to the head. */
  async verify(): Promise<ChainVerification> {
    let previousHash = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for await (const row of readAuditChain(this.#db)) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) {
        return { intact: false, checked, firstBrokenSeq: expectedSeq, problem: 'sequence_gap' };
      }
      if (row.prev_hash !== previousHash) {
        return { intact: false, checked, firstBrokenSeq: seq, problem: 'link_broken' };
      }
      if (chainHash(previousHash, canonicalJson(hashedContent(row))) !== row.hash) {
        return { intact: false, checked, firstBrokenSeq: seq, problem: 'hash_mismatch' };
      }
      previousHash = row.hash;
      expectedSeq += 1;
      checked += 1;
    }

    const head = await lockChainHead(this.#db, 'sqlite');
    if (head.seq !== checked || head.hash !== previousHash) {
      return { intact: false, checked, firstBrokenSeq: checked + 1, problem: 'head_mismatch' };
    }
    return { intact: true, checked };
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
    return { ...row, hash: chainHash(previousHash, canonicalJson(hashedContent(row))) };
  }
}

/** The columns covered by an event's hash: everything but the hash itself. */
function hashedContent(row: Omit<AuditRow, 'hash'>): Record<string, unknown> {
  return {
    seq: Number(row.seq),
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
    actorUsername: row.actor_username,
    action: row.action,
    outcome: row.outcome,
    targetType: row.target_type,
    targetId: row.target_id,
    clientId: row.client_id,
    fields: row.fields,
    reason: row.reason,
    ip: row.ip,
    userAgent: row.user_agent,
    details: row.details,
    prevHash: row.prev_hash,
  };
}
