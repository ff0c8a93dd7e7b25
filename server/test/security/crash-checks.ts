import { type Kysely, sql } from 'kysely';
import { CLIENT_FIELDS } from '../../src/clients/field-catalog.js';
import { maskValue } from '../../src/clients/masking.js';
import { BLIND_INDEXED_COLUMNS, ENCRYPTED_COLUMNS, normalizeForBlindIndex } from '../../src/crypto/index.js';
import { blindIndexVersionOf } from '../../src/crypto/blind-index.js';
import { listActiveIndexVersions } from '../../src/crypto/blind-index.repository.js';
import type { GeneratedClient } from '../../src/demo/demo.data.js';
import type { Application } from '../../src/main/compose.js';

/*
 * Consistency checks run on a fresh instance after a child was killed. Each returns a list of
 * problems that names tables, columns and row ids but never a value, so a failing assertion
 * prints no client data.
 */

// The registries name tables and columns as constants, so an untyped view may read any of them in one loop.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (instance: Application) => instance.db as unknown as Kysely<any>;

/** Runs SQLite's own page and index check and its foreign key check. PostgreSQL enforces foreign keys at every commit, so it is skipped. */
export async function storageProblems(instance: Application): Promise<string[]> {
  if (instance.database.dialect !== 'sqlite') return [];

  const problems: string[] = [];
  const integrity = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(instance.db);
  const messages = integrity.rows.map((row) => row.integrity_check);
  if (messages.join() !== 'ok') problems.push(`integrity_check: ${messages.slice(0, 5).join('; ')}`);

  const orphans = await sql<{ table: string; rowid: number; parent: string }>`pragma foreign_key_check`.execute(instance.db);
  for (const orphan of orphans.rows.slice(0, 20)) problems.push(`foreign key of ${orphan.table} row ${orphan.rowid} names a missing ${orphan.parent} row`);
  return problems;
}

/**
 * Verifies the audit chain: every hash and link from the first event to the head, and the signed
 * checkpoints in the database and in the checkpoint file outside it.
 */
export async function auditProblems(instance: Application): Promise<string[]> {
  const verification = await instance.auditIntegrity.verify();
  return verification.intact ? [] : [`audit verification failed at event ${verification.firstBrokenSeq}: ${verification.problem}`];
}

const maskOf = new Map(CLIENT_FIELDS.filter((field) => field.protection === 'encrypted').map((field) => [field.column, field.mask]));

/**
 * Decrypts every value in every registered encrypted column, checks each client's stored masked
 * form against the plaintext, and recomputes every blind index under the version it names, which
 * must be one that lookups still use. Returns the decrypted client values by row id for further checks.
 */
export async function encryptedValueProblems(instance: Application): Promise<{ problems: string[]; clientValues: Map<string, Record<string, string | null>> }> {
  const problems: string[] = [];
  const clientValues = new Map<string, Record<string, string | null>>();
  const activeVersions = new Set(await listActiveIndexVersions(instance.db));
  const tables = [...new Set(ENCRYPTED_COLUMNS.map((column) => column.table))];

  for (const table of tables) {
    const rows = (await untyped(instance).selectFrom(table).selectAll().execute().catch(() => undefined)) as Record<string, string | null>[] | undefined;
    // A table of a later migration may not exist yet, and then it contains nothing to check.
    if (!rows) continue;

    for (const row of rows) {
      for (const column of ENCRYPTED_COLUMNS.filter((candidate) => candidate.table === table)) {
        const stored = row[column.column];
        const rowId = String(row[column.rowIdColumn]);
        const where = `${table}.${column.column} of row ${rowId}`;
        let plaintext: string | null = null;
        if (stored) {
          try {
            plaintext = await instance.crypto.decrypt(instance.db, { table, column: column.contextColumn, rowId }, stored);
          } catch {
            problems.push(`${where} does not decrypt`);
            continue;
          }
        }
        if (table === 'clients') {
          const values = clientValues.get(rowId) ?? {};
          values[column.contextColumn] = plaintext;
          clientValues.set(rowId, values);
          const mask = maskOf.get(column.contextColumn);
          const masked = row[`${column.contextColumn}_masked`] ?? null;
          if (mask && masked !== (plaintext === null ? null : maskValue(mask, plaintext))) problems.push(`${where} has a masked form that does not match it`);
        }

        const indexed = BLIND_INDEXED_COLUMNS.find((candidate) => candidate.table === table && candidate.encryptedColumn === column.column);
        if (!indexed) continue;
        const index = row[indexed.indexColumn] ?? null;
        if (plaintext === null) {
          if (index !== null) problems.push(`${where} is empty but has a blind index`);
          continue;
        }
        if (index === null) {
          problems.push(`${where} has no blind index`);
          continue;
        }
        const version = blindIndexVersionOf(index);
        if (!activeVersions.has(version)) problems.push(`${where} has a blind index under retired version ${version}`);
        if (index !== instance.crypto.blindIndexUnder(version, table, indexed.contextColumn, normalizeForBlindIndex(indexed.form, plaintext))) {
          problems.push(`${where} has a blind index that does not match the value`);
        }
      }
    }
  }
  return { problems, clientValues };
}

/**
 * Checks each roster as a whole: either none of its clients exists, or all of them do with the
 * roster's values and assignments. Returns the problems and which rosters are stored.
 */
export async function rosterProblems(instance: Application, rosters: readonly (readonly GeneratedClient[])[], clientValues: Map<string, Record<string, string | null>>): Promise<{ problems: string[]; stored: boolean[] }> {
  const problems: string[] = [];
  const stored: boolean[] = [];
  const rows = await instance.db.selectFrom('clients').select(['id', 'uscc', 'name']).execute();
  const byUscc = new Map(rows.map((row) => [row.uscc, row]));
  const assigned = new Set((await instance.db.selectFrom('client_assignments').select('client_id').execute()).map((row) => row.client_id));

  for (const [index, roster] of rosters.entries()) {
    const present = roster.filter(({ client }) => byUscc.has(client.uscc));
    stored.push(present.length > 0);
    if (present.length === 0) continue;
    if (present.length !== roster.length) {
      problems.push(`roster ${index} is half imported: ${present.length} of ${roster.length} clients exist`);
      continue;
    }

    for (const { client, assignees } of roster) {
      const row = byUscc.get(client.uscc)!;
      const values = clientValues.get(row.id) ?? {};
      const expected: Record<string, string | undefined> = { legal_rep_id_number: client.legalRepIdNumber, contact_phone: client.contactPhone, bank_account: client.bankAccount, confidential_notes: client.confidentialNotes };
      for (const [column, value] of Object.entries(expected)) {
        if ((values[column] ?? undefined) !== value) problems.push(`client ${row.id} of roster ${index} has a ${column} other than the roster's`);
      }
      if (row.name !== client.name) problems.push(`client ${row.id} of roster ${index} has a name other than the roster's`);
      if (assignees.length > 0 && !assigned.has(row.id)) problems.push(`client ${row.id} of roster ${index} lost its assignment`);
    }
  }
  return { problems, stored };
}

/**
 * Checks that each import job's status after a restart matches what was committed: none is still
 * running, a job marked done has its audited import in the log, and a failed one has none.
 */
export async function importJobProblems(instance: Application): Promise<string[]> {
  const problems: string[] = [];
  const jobs = await instance.db.selectFrom('import_jobs').select(['id', 'status', 'created']).execute();
  const audited = await instance.db.selectFrom('audit_events').select(['target_id', 'details']).where('action', '=', 'client.import').where('outcome', '=', 'success').execute();
  const createdByJob = new Map(audited.map((event) => [event.target_id, Number((JSON.parse(event.details) as { created?: number }).created)]));

  for (const job of jobs) {
    if (job.status === 'running') problems.push(`import job ${job.id} still shows as running after a restart`);
    if (job.status === 'done' && !createdByJob.has(job.id)) problems.push(`import job ${job.id} shows as done but its import is not in the audit log`);
    if (job.status === 'failed' && createdByJob.has(job.id)) problems.push(`import job ${job.id} shows as failed but its clients were committed`);
    if (job.status === 'done' && createdByJob.has(job.id) && Number(job.created) !== createdByJob.get(job.id)) problems.push(`import job ${job.id} reports ${job.created} clients, the audit log ${createdByJob.get(job.id)}`);
  }
  return problems;
}

/**
 * Checks each access request against what approving it leaves behind. An applied request has one
 * decision, one approval event, one applied event and one grant, and a pending one has none of them.
 * Returns the problems and the ids of the applied requests.
 */
export async function approvalProblems(instance: Application, requests: readonly { id: string; reason: string }[]): Promise<{ problems: string[]; applied: Set<string> }> {
  const problems: string[] = [];
  const applied = new Set<string>();
  const ids = requests.map((request) => request.id);
  const statuses = new Map((await instance.db.selectFrom('access_requests').select(['id', 'status']).where('id', 'in', ids).execute()).map((row) => [row.id, row.status]));
  const count = (values: readonly (string | null)[]) => values.reduce((counts, value) => counts.set(value ?? '', (counts.get(value ?? '') ?? 0) + 1), new Map<string, number>());
  const decisions = count((await instance.db.selectFrom('access_request_decisions').select('request_id').where('request_id', 'in', ids).execute()).map((row) => row.request_id));
  const approvedEvents = count((await instance.db.selectFrom('audit_events').select('target_id').where('action', '=', 'governance.request_approved').where('target_id', 'in', ids).execute()).map((row) => row.target_id));
  const appliedEvents = count((await instance.db.selectFrom('audit_events').select('details').where('action', '=', 'governance.request_applied').execute()).map((row) => (JSON.parse(row.details) as { requestId?: string }).requestId ?? null));
  const grants = count((await instance.db.selectFrom('access_grants').select('reason').where('reason', 'in', requests.map((request) => request.reason)).execute()).map((row) => row.reason));

  for (const { id, reason } of requests) {
    const status = statuses.get(id);
    const traces = { decisions: decisions.get(id) ?? 0, approvalEvents: approvedEvents.get(id) ?? 0, appliedEvents: appliedEvents.get(id) ?? 0, grants: grants.get(reason) ?? 0 };
    const expected = status === 'applied' ? 1 : 0;
    if (status !== 'applied' && status !== 'pending') problems.push(`request ${id} has status ${status}`);
    for (const [name, value] of Object.entries(traces)) {
      if (value !== expected) problems.push(`request ${id} (${status}) has ${value} ${name}, expected ${expected}`);
    }
    if (status === 'applied') applied.add(id);
  }
  return { problems, applied };
}
