import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { localCheckpointFile } from '../audit/checkpoint-file.js';

/** The files a restore moved: the old ones kept aside, and a way to move everything back. */
export interface SwappedFiles {
  readonly keptAside: string[];
  /** Moves the staged files out again and the kept-aside ones back, in reverse order. */
  undo(): Promise<void>;
}

/**
 * Renames the current database file (SQLite only, when `stagedDb` is given), documents and
 * checkpoint file aside as `*.before-restore-<stamp>` and the staged ones into place.
 */
export async function swapFilesIn({ dataDir, stagedDb, stagedDocuments, stamp }: { dataDir: string; stagedDb?: string | undefined; stagedDocuments: string; stamp: string }): Promise<SwappedFiles> {
  const moves: { from: string; to: string }[] = [];
  const keptAside: string[] = [];
  const move = async (from: string, to: string) => {
    await rename(from, to);
    moves.push({ from, to });
  };
  const undo = async () => {
    for (const { from, to } of [...moves].reverse()) await rename(to, from);
  };

  try {
    if (stagedDb) {
      const database = path.join(dataDir, 'ledgerguard.db');
      if (existsSync(database)) {
        // Closing the last connection folded the WAL into the file, so the file alone is the database.
        const aside = `${database}.before-restore-${stamp}`;
        await move(database, aside);
        keptAside.push(aside);
      }
      await rm(`${database}-wal`, { force: true });
      await rm(`${database}-shm`, { force: true });
      await move(stagedDb, database);
    }

    const documents = path.join(dataDir, 'documents');
    if (existsSync(documents)) {
      const aside = `${documents}.before-restore-${stamp}`;
      await move(documents, aside);
      keptAside.push(aside);
    }
    if (existsSync(stagedDocuments)) await move(stagedDocuments, documents);

    // The checkpoint file outside the database witnessed events the restore rolls back; left in
    // place it would make the restored chain look truncated. It is kept aside as the record of
    // what the log held before, and the next checkpoint starts a new file.
    const checkpoints = localCheckpointFile(dataDir);
    if (existsSync(checkpoints)) {
      const aside = `${checkpoints}.before-restore-${stamp}`;
      await move(checkpoints, aside);
      keptAside.push(aside);
    }
  } catch (error) {
    await undo();
    throw error;
  }
  return { keptAside, undo };
}
