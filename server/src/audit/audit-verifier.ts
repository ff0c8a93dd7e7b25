import type { Db } from '../db/index.js';
import { type ArchiveManifest, isManifestSignedBy } from './archive-manifest.js';
import { archiveFolder, openSegmentFile, segmentPath } from './archive-segment.js';
import { findHighestReferencedSeq, listArchives, readAllCheckpoints, readChainHead, readEventRange } from './audit-integrity.repository.js';
import { type ChainAnchor, type ChainBreak, type ChainProblem, ChainWalker, GENESIS_ANCHOR } from './chain.js';
import { type Checkpoint, isCheckpointSignedBy } from './checkpoint.js';
import { localCheckpointFile, readCheckpointFile } from './checkpoint-file.js';
import type { SigningKeyRing, SigningPublicKey } from './signing-keys.js';

/** The result of a full verification: the chain, the signed checkpoints and the archive anchor. */
export interface IntegrityVerification {
  readonly intact: boolean;
  /** Events whose hash and link were recomputed. */
  readonly checked: number;
  readonly firstBrokenSeq?: number;
  readonly problem?: ChainProblem;
  /** Checkpoints with a valid signature whose chain hash was compared; `lastSeq` is the highest of them. */
  readonly checkpoints: { readonly checked: number; readonly lastSeq: number | null };
  /**
   * Present when an exported checkpoint file was given. A file with any checkpoint whose signature
   * fails is not genuine: none of its checkpoints are used, and the file, not the log, is reported.
   */
  readonly checkpointFile?: { readonly genuine: boolean; readonly invalidSignatures: number };
}

export interface VerifyOptions {
  /** An exported checkpoint file kept outside the system; its own public keys check its signatures. */
  readonly checkpointFile?: string | undefined;
  /** Also recompute the archived events from their segment files, from the first event on. */
  readonly withArchives?: boolean | undefined;
}

/**
 * Verifies the audit log against everything that vouches for it: the hash chain in the
 * database, checkpoints from the database, from the server's own file outside it and from an
 * exported file, and the signed archive manifests. A database administrator who rewrites rows,
 * checkpoints and the chain head together is still caught by the copies outside the database.
 */
export class AuditVerifier {
  readonly #db: Db;
  readonly #keys: SigningKeyRing;
  readonly #dataDir: string;

  constructor({ db, keys, dataDir }: { db: Db; keys: SigningKeyRing; dataDir: string }) {
    this.#db = db;
    this.#keys = keys;
    this.#dataDir = dataDir;
  }

  async verify({ checkpointFile, withArchives = false }: VerifyOptions = {}): Promise<IntegrityVerification> {
    const breaks: ChainBreak[] = [];

    // Archive manifests: signed by our key, and each segment linked to the one before.
    const archives = await listArchives(this.#db);
    breaks.push(...this.#checkArchiveRecords(archives));

    // Checkpoints are read before the head, so none of them can be newer than the head read.
    const checkpoints = await this.#collectCheckpoints(checkpointFile);
    breaks.push(...checkpoints.breaks);
    const referencedSeq = await findHighestReferencedSeq(this.#db);
    const head = await readChainHead(this.#db);

    // Without the segment files the walk starts at the last archive's signed end.
    const lastArchive = archives[archives.length - 1];
    const start: ChainAnchor = withArchives || !lastArchive ? GENESIS_ANCHOR : { seq: lastArchive.lastSeq, hash: lastArchive.lastHash };
    const walk = new CheckpointedWalk(start, checkpoints.expected);
    let walkBreak = walk.begin();
    if (!walkBreak && withArchives) walkBreak = await this.#walkArchives(archives, walk);
    walkBreak ??= await this.#walkDatabase(walk, head, referencedSeq);
    if (walkBreak) breaks.push(walkBreak);

    const first = breaks.sort((a, b) => a.seq - b.seq)[0];
    const checkpointSummary = { checked: walk.checkpointsChecked, lastSeq: walk.lastCheckpointSeq };
    const fileSummary = checkpoints.file ? { checkpointFile: checkpoints.file } : {};
    if (first) {
      return { intact: false, checked: walk.walker.checked, firstBrokenSeq: first.seq, problem: first.problem, checkpoints: checkpointSummary, ...fileSummary };
    }
    return { intact: true, checked: walk.walker.checked, checkpoints: checkpointSummary, ...fileSummary };
  }

  #checkArchiveRecords(archives: readonly ArchiveManifest[]): ChainBreak[] {
    const breaks: ChainBreak[] = [];
    let previous: ChainAnchor = GENESIS_ANCHOR;
    for (const archive of archives) {
      // An archive manifest is a signed checkpoint of its segment's end.
      if (!isManifestSignedBy(archive, this.#keys.publicKeys)) breaks.push({ seq: archive.firstSeq, problem: 'checkpoint_signature_invalid' });
      if (archive.firstSeq !== previous.seq + 1) breaks.push({ seq: previous.seq + 1, problem: 'sequence_gap' });
      else if (archive.firstPrevHash !== previous.hash) breaks.push({ seq: archive.firstSeq, problem: 'link_broken' });
      previous = { seq: archive.lastSeq, hash: archive.lastHash };
    }
    return breaks;
  }

  /**
   * Gathers the chain hashes of validly signed checkpoints by sequence number. An invalid signature
   * in the database or the server's own file is a break, since both belong to the system; one in
   * an exported file makes that file not genuine instead.
   */
  async #collectCheckpoints(checkpointFile: string | undefined): Promise<{ expected: Map<number, Set<string>>; breaks: ChainBreak[]; file?: { genuine: boolean; invalidSignatures: number } }> {
    const sources: { checkpoints: readonly Checkpoint[]; keys: readonly SigningPublicKey[] }[] = [
      { checkpoints: await readAllCheckpoints(this.#db), keys: this.#keys.publicKeys },
      { checkpoints: (await readCheckpointFile(localCheckpointFile(this.#dataDir))).checkpoints, keys: this.#keys.publicKeys },
    ];
    let file: { genuine: boolean; invalidSignatures: number } | undefined;
    if (checkpointFile) {
      const external = await readCheckpointFile(checkpointFile, { mustExist: true });
      // A copy of the server's own file names no keys; an export carries the keys it was signed with.
      const keys = external.keys.length > 0 ? external.keys : this.#keys.publicKeys;
      const invalidSignatures = external.checkpoints.filter((checkpoint) => !isCheckpointSignedBy(checkpoint, keys)).length;
      file = { genuine: invalidSignatures === 0, invalidSignatures };
      if (invalidSignatures === 0) sources.push({ checkpoints: external.checkpoints, keys });
    }

    const expected = new Map<number, Set<string>>();
    const breaks: ChainBreak[] = [];
    for (const { checkpoints, keys } of sources) {
      for (const checkpoint of checkpoints) {
        if (!isCheckpointSignedBy(checkpoint, keys)) {
          breaks.push({ seq: checkpoint.seq, problem: 'checkpoint_signature_invalid' });
          continue;
        }
        const hashes = expected.get(checkpoint.seq) ?? new Set<string>();
        hashes.add(checkpoint.chainHash);
        expected.set(checkpoint.seq, hashes);
      }
    }
    return { expected, breaks, ...(file ? { file } : {}) };
  }

  async #walkArchives(archives: readonly ArchiveManifest[], walk: CheckpointedWalk): Promise<ChainBreak | undefined> {
    const folder = archiveFolder(this.#dataDir);
    for (const archive of archives) {
      const broken = await walkSegment(segmentPath(folder, archive.fileName), archive, walk);
      if (broken) return broken;
    }
    return undefined;
  }

  /** Walks the events in the database; `referencedSeq` is the highest sequence number other records name. */
  async #walkDatabase(walk: CheckpointedWalk, head: ChainAnchor, referencedSeq: number): Promise<ChainBreak | undefined> {
    for await (const row of readEventRange(this.#db, { afterSeq: walk.walker.position.seq, throughSeq: head.seq })) {
      const broken = walk.accept(row);
      if (broken) return broken;
    }

    const end = walk.walker.position;
    // A signed checkpoint beyond the last event proves that events were removed from the end. The
    // detector's cursor or an alert's evidence beyond it shows the same without a signature.
    if (Math.max(walk.highestExpectedSeq, referencedSeq) > end.seq) return { seq: end.seq + 1, problem: 'truncated' };
    if (head.seq !== end.seq || head.hash !== end.hash) return { seq: Math.min(head.seq, end.seq) + 1, problem: 'head_mismatch' };
    return undefined;
  }
}

/**
 * A chain walk that also compares each checkpoint's chain hash as the walk passes its sequence
 * number. A chain rehashed after a change links and hashes correctly, so only a checkpoint shows
 * the change. It then lies somewhere after the last position a signature vouched for, so that
 * position plus one is reported as the first broken event.
 */
class CheckpointedWalk {
  readonly walker: ChainWalker;
  readonly #expected: Map<number, Set<string>>;
  checkpointsChecked = 0;
  lastCheckpointSeq: number | null = null;
  readonly highestExpectedSeq: number;
  /** The last sequence number a signature (checkpoint, manifest or the start anchor's) vouched for. */
  #vouchedThrough: number;

  constructor(start: ChainAnchor, expected: Map<number, Set<string>>) {
    this.walker = new ChainWalker(start);
    this.#expected = expected;
    this.#vouchedThrough = start.seq;
    let highest = 0;
    for (const seq of expected.keys()) highest = Math.max(highest, seq);
    this.highestExpectedSeq = highest;
  }

  /** Compares a checkpoint at the start anchor; others inside segments that are not walked go unchecked. */
  begin(): ChainBreak | undefined {
    return this.#compare(this.walker.position);
  }

  accept(row: Parameters<ChainWalker['accept']>[0]): ChainBreak | undefined {
    return this.walker.accept(row) ?? this.#compare(this.walker.position);
  }

  /** Records that a signed manifest vouched for the chain through `seq`. */
  vouch(seq: number): void {
    this.#vouchedThrough = Math.max(this.#vouchedThrough, seq);
  }

  /** Returns the break for a signed hash that the walked chain does not reproduce. */
  mismatch(): ChainBreak {
    return { seq: this.#vouchedThrough + 1, problem: 'checkpoint_mismatch' };
  }

  #compare(position: ChainAnchor): ChainBreak | undefined {
    const hashes = this.#expected.get(position.seq);
    if (!hashes) return undefined;
    if (hashes.size !== 1 || !hashes.has(position.hash)) return this.mismatch();
    this.checkpointsChecked += 1;
    this.lastCheckpointSeq = position.seq;
    this.vouch(position.seq);
    return undefined;
  }
}

/** Recomputes one archive segment from its file and checks it against its signed manifest. */
async function walkSegment(file: string | undefined, manifest: ArchiveManifest, walk: CheckpointedWalk): Promise<ChainBreak | undefined> {
  if (!file) return { seq: manifest.firstSeq, problem: 'sequence_gap' };
  const segment = openSegmentFile(file);
  try {
    for await (const row of segment.rows) {
      const broken = walk.accept(row);
      if (broken) return broken;
    }
  } catch (error) {
    // A missing file loses the segment's events; an unreadable one no longer matches their hashes.
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { seq: walk.walker.position.seq + 1, problem: missing ? 'sequence_gap' : 'hash_mismatch' };
  }

  const end = walk.walker.position;
  if (end.seq < manifest.lastSeq) return { seq: end.seq + 1, problem: 'sequence_gap' };
  if (end.seq !== manifest.lastSeq || end.hash !== manifest.lastHash) return walk.mismatch();
  // The events verify, but the file is not byte for byte the one the manifest signed.
  if (segment.sha256() !== manifest.fileSha256) return { seq: manifest.firstSeq, problem: 'checkpoint_mismatch' };
  walk.vouch(manifest.lastSeq);
  return undefined;
}
