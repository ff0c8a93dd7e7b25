import type { Db, DbOrTrx, DialectName } from '../db/index.js';
import { listArchives, readChainHead, readEventRange } from './audit-integrity.repository.js';
import { type AuditRow, ensureChainHead, insertAuditRows, lockChainHead } from './audit.repository.js';
import type { AuditEventInput } from './audit.types.js';
import { type ChainAnchor, type ChainProblem, GENESIS_ANCHOR } from './chain.js';
import { findChainBreak, hashEventRow } from './event-hash.js';
import { GroupCommit } from './group-commit.js';
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

/** An event redacted and serialized for its row, before it has a place in the chain. */
type PreparedEvent = Omit<AuditRow, 'seq' | 'occurred_at' | 'prev_hash' | 'hash'>;

/**
 * Events one group commit takes from waiting `record()` calls. It bounds how long one transaction
 * locks the chain head; a single call with more events still commits them together.
 */
const MAX_GROUP_EVENTS = 256;

/**
 * Rows per insert statement: 16 columns × 1,000 rows stays under the bound-parameter limits
 * (32,766 in SQLite since 3.32, 65,535 in PostgreSQL's protocol).
 */
const INSERT_CHUNK_ROWS = 1000;

/**
 * The single writer of the hash-chained audit log. Every event is appended inside a
 * transaction that holds the chain head, so sequence numbers are gap-free and each event's
 * hash covers the one before it.
 */
export class AuditLog {
  readonly #db: Db;
  readonly #dialect: DialectName;
  readonly #now: () => Date;
  readonly #groupCommit: GroupCommit<PreparedEvent, AppendedEvent>;

  constructor({ db, dialect, now = () => new Date() }: { db: Db; dialect: DialectName; now?: () => Date }) {
    this.#db = db;
    this.#dialect = dialect;
    this.#now = now;
    this.#groupCommit = new GroupCommit({
      commit: (groups) => this.#db.transaction().execute((trx) => this.#appendPrepared(trx, groups)),
      maxItems: MAX_GROUP_EVENTS,
    });
  }

  async initialize(): Promise<void> {
    await ensureChainHead(this.#db);
  }

  /**
   * Appends events within the caller's transaction, so they commit or roll back with the change
   * they record. Outside a transaction on this log's own database it does what `record()` does,
   * and on another database it opens a transaction of its own.
   */
  async append(db: DbOrTrx, ...events: AuditEventInput[]): Promise<AppendedEvent[]> {
    if (!db.isTransaction) {
      if (db === this.#db) return this.record(...events);
      return db.transaction().execute((trx) => this.append(trx, ...events));
    }

    const [appended] = await this.#appendPrepared(db, [events.map((event) => this.#prepare(event))]);
    return appended!;
  }

  /**
   * Appends events in a transaction of their own; for reads and denials that change nothing.
   * Calls that arrive while another append commits share the next transaction (group commit),
   * and each call resolves only once its own events have committed, so a caller that awaits it
   * (a reveal before it sends the value) can rely on the event being stored. When a shared transaction
   * fails, every call in it rejects with that error and none of their events is written.
   * An event that cannot be serialized rejects its own call before it joins a group.
   */
  async record(...events: AuditEventInput[]): Promise<AppendedEvent[]> {
    if (events.length === 0) return [];
    return this.#groupCommit.submit(events.map((event) => this.#prepare(event)));
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
    let position: ChainAnchor = lastArchive ? { seq: lastArchive.lastSeq, hash: lastArchive.lastHash } : GENESIS_ANCHOR;
    let checked = 0;

    for await (const row of readEventRange(this.#db, { afterSeq: position.seq, throughSeq: head.seq })) {
      const broken = findChainBreak(position, row);
      if (broken) return { intact: false, checked, firstBrokenSeq: broken.seq, problem: broken.problem };
      position = { seq: Number(row.seq), hash: row.hash };
      checked += 1;
    }

    if (head.seq !== position.seq || head.hash !== position.hash) {
      return { intact: false, checked, firstBrokenSeq: Math.min(head.seq, position.seq) + 1, problem: 'head_mismatch' };
    }
    return { intact: true, checked };
  }

  /**
   * Chains the groups' events after the head, in order, and writes them in the given
   * transaction. Returns each group's sequence numbers and hashes.
   */
  async #appendPrepared(trx: DbOrTrx, groups: readonly (readonly PreparedEvent[])[]): Promise<AppendedEvent[][]> {
    const head = await lockChainHead(trx, this.#dialect);
    const rows: AuditRow[] = [];
    let { seq, hash } = head;
    const appended = groups.map((events) =>
      events.map((event) => {
        seq += 1;
        const row = this.#chainRow(event, seq, hash);
        hash = row.hash;
        rows.push(row);
        return { seq: row.seq, hash: row.hash };
      }),
    );

    for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + INSERT_CHUNK_ROWS);
      const last = chunk[chunk.length - 1]!;
      await insertAuditRows(trx, chunk, { seq: last.seq, hash: last.hash });
    }
    return appended;
  }

  #prepare(event: AuditEventInput): PreparedEvent {
    return {
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
    };
  }

  /** Gives a prepared event its place: sequence number, time of append, previous hash and its own hash. */
  #chainRow(event: PreparedEvent, seq: number, previousHash: string): AuditRow {
    const row: Omit<AuditRow, 'hash'> = { seq, occurred_at: this.#now().toISOString(), ...event, prev_hash: previousHash };
    return { ...row, hash: hashEventRow(row) };
  }
}
