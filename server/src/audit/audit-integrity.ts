import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditIntegritySettings } from '../config/config.js';
import type { Db, DialectName } from '../db/index.js';
import { ArchiveService, type ArchiveResult } from './archive.service.js';
import type { AuditLog } from './audit-log.js';
import { findLastCheckpoint, findLastVerification, insertVerification, listArchives, listCheckpoints, readAllCheckpoints, readChainHead } from './audit-integrity.repository.js';
import type { AuditActor } from './audit.types.js';
import { AuditVerifier, type IntegrityVerification, type VerifyOptions } from './audit-verifier.js';
import { type Checkpoint, isCheckpointSignedBy } from './checkpoint.js';
import { exportLines, localCheckpointFile, readCheckpointFile } from './checkpoint-file.js';
import { CheckpointSigner } from './checkpoint.service.js';
import { ChainBrokenError, type ChainProblem } from './chain.js';
import type { SigningKeyRing } from './signing-keys.js';

/** Requester of a verification or an export, named in the audit event that records it. */
export interface IntegrityRequester {
  readonly actor: AuditActor | null;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

export type VerificationTrigger = 'manual' | 'scheduled' | 'cli' | 'checkpoint';

const DAY_MS = 24 * 60 * 60_000;

/**
 * The audit log's integrity controls in one place: signed checkpoints, full verification with
 * stored results, checkpoint export for safekeeping, and archiving of events past retention.
 */
export class AuditIntegrity {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #keys: SigningKeyRing;
  readonly #settings: AuditIntegritySettings;
  readonly #dataDir: string;
  readonly #signer: CheckpointSigner;
  readonly #verifier: AuditVerifier;
  readonly #archives: ArchiveService;
  readonly #logger: Logger | undefined;
  /** The break last logged by the checkpoint job, so a broken chain is logged once, not every run. */
  #loggedBreak: string | undefined;

  constructor({ db, dialect, audit, keys, settings, dataDir, logger }: { db: Db; dialect: DialectName; audit: AuditLog; keys: SigningKeyRing; settings: AuditIntegritySettings; dataDir: string; logger?: Logger }) {
    this.#db = db;
    this.#logger = logger;
    this.#audit = audit;
    this.#keys = keys;
    this.#settings = settings;
    this.#dataDir = dataDir;
    const schedule = { everyEvents: settings.checkpointEveryEvents, everyMinutes: settings.checkpointMinutes };
    this.#signer = new CheckpointSigner({ db, dialect, audit, keys, schedule, file: localCheckpointFile(dataDir) });
    this.#verifier = new AuditVerifier({ db, keys, dataDir });
    this.#archives = new ArchiveService({ db, dialect, audit, keys, retentionDays: settings.retentionDays, dataDir });
  }

  get retentionDays(): number {
    return this.#settings.retentionDays;
  }

  signCheckpointIfDue(now: Date): Promise<Checkpoint | undefined> {
    return this.#signer.signIfDue(now);
  }

  /**
   * Runs the background checkpoint job: signs when due. A broken chain is logged and verified in
   * full once per break, not every run, and the recorded failed verification raises the alert.
   */
  async runCheckpointJob(now: Date): Promise<void> {
    try {
      await this.#signer.signIfDue(now);
      this.#loggedBreak = undefined;
    } catch (error) {
      if (!(error instanceof ChainBrokenError)) throw error;
      const { seq, problem } = error.chainBreak;
      if (this.#loggedBreak === `${seq}:${problem}`) return;
      this.#loggedBreak = `${seq}:${problem}`;
      this.#logger?.error({ firstBrokenSeq: seq, problem }, 'audit checkpoint not signed: the chain is broken');
      await this.verifyAndRecord({ trigger: 'checkpoint', requester: { actor: null }, now });
    }
  }

  /** Signs a checkpoint of the current head even when none is due, e.g. before a backup. */
  signCheckpoint(now: Date): Promise<Checkpoint | undefined> {
    return this.#signer.sign(now);
  }

  /** Verifies without recording anything. */
  verify(options: VerifyOptions = {}): Promise<IntegrityVerification> {
    return this.#verifier.verify(options);
  }

  /** Verifies, stores the result for the chain status and records an 'audit.verified' event. */
  async verifyAndRecord({ trigger, requester, now, ...options }: VerifyOptions & { trigger: VerificationTrigger; requester: IntegrityRequester; now: Date }): Promise<IntegrityVerification> {
    const result = await this.#verifier.verify(options);

    await this.#db.transaction().execute(async (trx) => {
      await insertVerification(trx, {
        id: randomUUID(),
        verified_at: now.toISOString(),
        trigger,
        intact: result.intact ? 1 : 0,
        checked: result.checked,
        first_broken_seq: result.firstBrokenSeq ?? null,
        problem: result.problem ?? null,
        checkpoints_checked: result.checkpoints.checked,
        last_checkpoint_seq: result.checkpoints.lastSeq,
        actor_id: requester.actor?.id ?? null,
      });
      await this.#audit.append(trx, { action: 'audit.verified', outcome: result.intact ? 'success' : 'failure', actor: requester.actor, ip: requester.ip, userAgent: requester.userAgent, details: { trigger, withArchives: options.withArchives === true, withCheckpointFile: options.checkpointFile !== undefined, ...result } });
    });
    return result;
  }

  /** Runs the daily verification when the last stored one, by any instance, is a day old. */
  async verifyIfDue(now: Date): Promise<IntegrityVerification | undefined> {
    const last = await findLastVerification(this.#db);
    if (last && now.getTime() - Date.parse(last.verified_at) < DAY_MS) return undefined;

    const result = await this.verifyAndRecord({ trigger: 'scheduled', requester: { actor: null }, now });
    if (!result.intact) this.#logger?.error({ firstBrokenSeq: result.firstBrokenSeq, problem: result.problem }, 'scheduled audit verification found the chain broken');
    return result;
  }

  listCheckpoints(page: { offset: number; limit: number }): Promise<{ total: number; items: Checkpoint[] }> {
    return listCheckpoints(this.#db, page);
  }

  /**
   * Builds the checkpoint export (JSON Lines: public keys, every checkpoint, every archive
   * manifest) and records the export. Checkpoints from the database and from the file outside it
   * are merged, so rows deleted from the database still leave with the export. When `write` is
   * given, the export is recorded only after it resolves, so a failed write records nothing.
   */
  async exportCheckpoints({ requester, now, via, write }: { requester: IntegrityRequester; now: Date; via: 'http' | 'cli'; write?: (content: string) => Promise<void> }): Promise<{ content: string; count: number }> {
    const checkpoints = await this.#mergedCheckpoints();
    const archives = await listArchives(this.#db);
    const lines = [...exportLines({ keys: this.#keys.publicKeys, checkpoints, archives, exportedAt: now.toISOString() })];
    const content = `${lines.join('\n')}\n`;

    if (write) await write(content);
    await this.#audit.record({ action: 'audit.checkpoints_exported', outcome: 'success', actor: requester.actor, ip: requester.ip, userAgent: requester.userAgent, details: { via, checkpoints: checkpoints.length, archives: archives.length, lastSeq: checkpoints[checkpoints.length - 1]?.seq ?? null } });
    return { content, count: checkpoints.length };
  }

  archive(options: { now: Date; before?: Date | undefined; actor?: AuditActor | null }): Promise<ArchiveResult> {
    return this.#archives.archive(options);
  }

  /** Returns the security dashboard's summary of the chain. */
  async chainStatus(): Promise<ChainStatus> {
    const [head, checkpoint, verification, archives] = await Promise.all([readChainHead(this.#db), findLastCheckpoint(this.#db), findLastVerification(this.#db), listArchives(this.#db)]);
    return {
      headSeq: head.seq,
      lastCheckpoint: checkpoint ? { seq: checkpoint.seq, signedAt: checkpoint.signedAt, algorithm: checkpoint.algorithm, keyId: checkpoint.keyId } : null,
      lastVerification: verification
        ? {
            at: verification.verified_at,
            intact: verification.intact === 1,
            checked: Number(verification.checked),
            ...(verification.first_broken_seq === null ? {} : { firstBrokenSeq: Number(verification.first_broken_seq) }),
            ...(verification.problem === null ? {} : { problem: verification.problem as ChainProblem }),
          }
        : null,
      retentionDays: this.#settings.retentionDays,
      archivedThroughSeq: archives.length === 0 ? null : archives[archives.length - 1]!.lastSeq,
    };
  }

  async #mergedCheckpoints(): Promise<Checkpoint[]> {
    const stored = await readAllCheckpoints(this.#db);
    const outside = (await readCheckpointFile(localCheckpointFile(this.#dataDir))).checkpoints;
    const bySignature = new Map<string, Checkpoint>();
    for (const checkpoint of [...stored, ...outside]) {
      // Forged rows are left out: the export is meant to be trusted later.
      if (isCheckpointSignedBy(checkpoint, this.#keys.publicKeys)) bySignature.set(`${checkpoint.seq}:${checkpoint.signature}`, checkpoint);
    }
    return [...bySignature.values()].sort((a, b) => a.seq - b.seq);
  }
}

export interface ChainStatus {
  readonly headSeq: number;
  readonly lastCheckpoint: { seq: number; signedAt: string; algorithm: string; keyId: string } | null;
  readonly lastVerification: { at: string; intact: boolean; checked: number; firstBrokenSeq?: number; problem?: ChainProblem } | null;
  readonly retentionDays: number;
  readonly archivedThroughSeq: number | null;
}
