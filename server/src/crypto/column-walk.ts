import type { DbOrTrx } from '../db/index.js';
import { type KeyRotationJob, saveJobProgress, tableExists } from './key-rotation.repository.js';

export type RowOutcome = 'rewritten' | 'current' | 'failed';

/**
 * Advances a key rotation job through its columns for up to `maxBatches` batches, handling each
 * row and saving the cursor after every batch, so a stopped process loses at most one batch.
 * Returns the job's progress; its status is `finished` once every column is done.
 */
export async function walkColumns<Column extends { readonly table: string }, Row extends { readonly rowId: string }>({
  db,
  job,
  columns,
  batchSize,
  maxBatches,
  readBatch,
  handleRow,
}: {
  db: DbOrTrx;
  job: KeyRotationJob;
  columns: readonly Column[];
  batchSize: number;
  maxBatches: number;
  readBatch: (column: Column, afterRowId: string | null, limit: number) => Promise<Row[]>;
  handleRow: (column: Column, row: Row) => Promise<RowOutcome>;
}): Promise<KeyRotationJob> {
  const progress = { ...job };

  for (let batch = 0; batch < maxBatches && progress.status === 'running'; batch += 1) {
    const column = columns[progress.column_index];
    if (!column) {
      progress.status = 'finished';
      progress.finished_at = new Date().toISOString();
      break;
    }

    // A table listed in the registry may not exist yet in an older schema; it has nothing to move.
    const rows = (await tableExists(db, column.table)) ? await readBatch(column, progress.row_cursor, batchSize) : [];
    for (const row of rows) {
      const outcome = await handleRow(column, row);
      if (outcome === 'rewritten') progress.rewritten += 1;
      if (outcome === 'failed') progress.failed += 1;
    }

    if (rows.length < batchSize) {
      progress.column_index += 1;
      progress.row_cursor = null;
    } else {
      progress.row_cursor = rows[rows.length - 1]!.rowId;
    }
    progress.updated_at = new Date().toISOString();
    await saveJobProgress(db, progress);
  }

  return progress;
}
