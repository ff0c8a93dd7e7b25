import type { DbOrTrx } from '../db/index.js';
import { readEventRange } from './audit-integrity.repository.js';
import type { AuditRow } from './audit.repository.js';
import { GENESIS_HASH, canonicalJson, chainHash } from './canonical.js';

/** Problems verification can find, each reported with the first event it affects. */
export const CHAIN_PROBLEMS = [
  'hash_mismatch',
  'link_broken',
  'sequence_gap',
  'head_mismatch',
  'checkpoint_mismatch',
  'checkpoint_signature_invalid',
  'truncated',
] as const;

export type ChainProblem = (typeof CHAIN_PROBLEMS)[number];

export interface ChainBreak {
  readonly seq: number;
  readonly problem: ChainProblem;
}

/** A verified position of the chain: the last sequence number and its hash. */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

export const GENESIS_ANCHOR: ChainAnchor = Object.freeze({ seq: 0, hash: GENESIS_HASH });

/** Hash of one event row: its canonical content chained to the previous event's hash. */
export function computeEventHash(row: Omit<AuditRow, 'hash'>): string {
  return chainHash(row.prev_hash, canonicalJson(hashedContent(row)));
}

/** Selects the columns an event's hash covers: everything but the hash itself. */
export function hashedContent(row: Omit<AuditRow, 'hash'>): Record<string, unknown> {
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

/**
 * Checks events one at a time in chain order, starting after an anchor. Each event must carry
 * the next sequence number, link to the previous hash and hash to its stored value.
 */
export class ChainWalker {
  #position: ChainAnchor;
  #checked = 0;

  constructor(anchor: ChainAnchor = GENESIS_ANCHOR) {
    this.#position = anchor;
  }

  /** The last event accepted, or the anchor before any. */
  get position(): ChainAnchor {
    return this.#position;
  }

  get checked(): number {
    return this.#checked;
  }

  /** Accepts the next row, or returns the break it shows and stays where it was. */
  accept(row: AuditRow): ChainBreak | undefined {
    const expectedSeq = this.#position.seq + 1;
    const seq = Number(row.seq);
    if (seq !== expectedSeq) {
      return { seq: expectedSeq, problem: 'sequence_gap' };
    }
    if (row.prev_hash !== this.#position.hash) {
      return { seq, problem: 'link_broken' };
    }
    if (computeEventHash(row) !== row.hash) {
      return { seq, problem: 'hash_mismatch' };
    }

    this.#position = { seq, hash: row.hash };
    this.#checked += 1;
    return undefined;
  }
}

/** Raised where work must not go on over a broken chain, such as signing or archiving it. */
export class ChainBrokenError extends Error {
  readonly chainBreak: ChainBreak;

  constructor(chainBreak: ChainBreak) {
    super(`Audit chain broken at event ${chainBreak.seq} (${chainBreak.problem}); run \`ledgerguard audit verify\` for details`);
    this.name = 'ChainBrokenError';
    this.chainBreak = chainBreak;
  }
}

/**
 * Walks the stored events after the walker's position through `throughSeq`; returns the first
 * break, including events missing at the end.
 */
export async function walkStoredEvents(db: DbOrTrx, walker: ChainWalker, throughSeq: number): Promise<ChainBreak | undefined> {
  for await (const row of readEventRange(db, { afterSeq: walker.position.seq, throughSeq })) {
    const broken = walker.accept(row);
    if (broken) return broken;
  }
  return walker.position.seq === throughSeq ? undefined : { seq: walker.position.seq + 1, problem: 'sequence_gap' };
}
