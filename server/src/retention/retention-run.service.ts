import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/index.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { type RetentionSettings, destroyableFrom, hasEnded, laterOf, localDate, recordCategoryOf, ruleLabel, yearsAfterLeaving } from './retention-policy.js';
import { type ArchivedClient, type RetainedDocument, erasePersonalFields, listArchivedClients, listRetainedDocuments, replaceDocumentWithTombstone, writeClientTombstone } from './retention.repository.js';

/** One destruction, found by a run; in a dry run nothing of it was carried out. */
export interface PlannedDestruction {
  readonly kind: 'document' | 'personal_fields' | 'client';
  readonly clientId: string;
  readonly documentId?: string;
  readonly rule: string;
  readonly destroyableFrom: string;
}

export interface RetentionRunReport {
  readonly dryRun: boolean;
  /** The firm's calendar date the periods were compared with. */
  readonly today: string;
  readonly destructions: readonly PlannedDestruction[];
}

const UUID = /^[0-9a-f-]{36}$/;

/**
 * Destroys what has outlived its retention period, for clients that left the firm. A document
 * loses its row (and with it the encrypted content key) and its file; a client whose every
 * period has ended loses all its data key versions, which leaves every field and document key
 * sealed under them undecryptable. Each destruction writes a certificate event without personal data.
 */
export class RetentionRun {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #documentsRoot: string;
  readonly #settings: RetentionSettings;
  readonly #timeZone: string;
  readonly #logger: Logger;

  constructor({ db, audit, crypto, dataDir, settings, timeZone, logger }: { db: Db; audit: AuditLog; crypto: FieldCrypto; dataDir: string; settings: RetentionSettings; timeZone: string; logger: Logger }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#documentsRoot = path.join(dataDir, 'documents');
    this.#settings = settings;
    this.#timeZone = timeZone;
    this.#logger = logger;
  }

  async run({ now = new Date(), dryRun = false }: { now?: Date; dryRun?: boolean } = {}): Promise<RetentionRunReport> {
    const today = localDate(now, this.#timeZone);
    const destructions: PlannedDestruction[] = [];

    for (const client of await listArchivedClients(this.#db)) {
      destructions.push(...(await this.#runClient(client, today, now, dryRun)));
    }

    if (destructions.length > 0) {
      this.#logger.info({ dryRun, today, destroyed: destructions.length }, dryRun ? 'retention dry run found records to destroy' : 'retention run destroyed records');
    }
    return { dryRun, today, destructions };
  }

  async #runClient(client: ArchivedClient, today: string, now: Date, dryRun: boolean): Promise<PlannedDestruction[]> {
    const planned: PlannedDestruction[] = [];
    const documents = await listRetainedDocuments(this.#db, client.clientId);

    // Each document first, by its own category's period.
    const remaining: { document: RetainedDocument; until: string }[] = [];
    for (const document of documents) {
      const category = recordCategoryOf(document.category);
      const until = destroyableFrom({ category, recordAt: document.uploadedAt, archivedAt: client.archivedAt, settings: this.#settings, timeZone: this.#timeZone });
      if (!hasEnded(until, today)) {
        remaining.push({ document, until });
        continue;
      }
      const step: PlannedDestruction = { kind: 'document', clientId: client.clientId, documentId: document.id, rule: ruleLabel(category, this.#settings.years[category]), destroyableFrom: until };
      planned.push(step);
      if (!dryRun) await this.#destroyDocument(client, document, step, now);
    }

    // The client's own bookkeeping counts from the end of the year it left in.
    const accountingUntil = destroyableFrom({ category: 'accounting_records', recordAt: client.archivedAt, archivedAt: client.archivedAt, settings: this.#settings, timeZone: this.#timeZone });
    const personalUntil = this.#personalFieldsUntil(client, accountingUntil, documents);
    const recordsUntil = remaining.reduce<string>((latest, entry) => laterOf(latest, entry.until), accountingUntil);

    if (hasEnded(laterOf(recordsUntil, personalUntil), today)) {
      const step: PlannedDestruction = { kind: 'client', clientId: client.clientId, rule: ruleLabel('accounting_records', this.#settings.years.accounting_records), destroyableFrom: laterOf(recordsUntil, personalUntil) };
      planned.push(step);
      if (!dryRun) await this.#shredClient(client, step, now);
      return planned;
    }

    // PIPL art. 47: personal information is deleted once it is no longer needed, even while records of a longer period stay.
    if (client.personalErasedAt === null && hasEnded(personalUntil, today)) {
      const step: PlannedDestruction = { kind: 'personal_fields', clientId: client.clientId, rule: ruleLabel('personal_fields', this.#settings.personalFieldsYears), destroyableFrom: personalUntil };
      planned.push(step);
      if (!dryRun) await this.#erasePersonalFields(client, step, now);
    }
    return planned;
  }

  /** `auto` keeps personal fields as long as the longest finite period of the client's records. */
  #personalFieldsUntil(client: ArchivedClient, accountingUntil: string | 'permanent', documents: readonly RetainedDocument[]): string | 'permanent' {
    const years = this.#settings.personalFieldsYears;
    if (years !== 'auto') {
      return yearsAfterLeaving(client.archivedAt, years, this.#timeZone);
    }
    let latest = accountingUntil === 'permanent' ? '0000-01-01' : accountingUntil;
    for (const document of documents) {
      const until = destroyableFrom({ category: recordCategoryOf(document.category), recordAt: document.uploadedAt, archivedAt: client.archivedAt, settings: this.#settings, timeZone: this.#timeZone });
      if (until !== 'permanent' && until > latest) latest = until;
    }
    // Only permanent records: nothing finite bounds the personal fields, so they stay.
    return latest === '0000-01-01' ? 'permanent' : latest;
  }

  async #destroyDocument(client: ArchivedClient, document: RetainedDocument, step: PlannedDestruction, now: Date): Promise<void> {
    const destroyedAt = now.toISOString();
    await this.#db.transaction().execute(async (trx) => {
      await replaceDocumentWithTombstone(trx, { clientId: client.clientId, document, destroyedAt, rule: step.rule });
      await this.#audit.append(trx, certificate(step, destroyedAt, { documentIds: [document.id], categories: [document.category], contentKeysDeleted: 1, filesDeleted: 1 }));
    });

    // The key went with the row, so the file is unreadable even if this removal fails.
    await this.#removeFile(client.clientId, document.storageName);
  }

  async #erasePersonalFields(client: ArchivedClient, step: PlannedDestruction, now: Date): Promise<void> {
    const erasedAt = now.toISOString();
    await this.#db.transaction().execute(async (trx) => {
      const people = await erasePersonalFields(trx, client.clientId, erasedAt);
      await this.#audit.append(trx, certificate(step, erasedAt, { fieldsErased: ['legalRepName', 'legalRepIdNumber', 'contactName', 'contactPhone', 'notes', 'confidentialNotes'], peopleDeleted: people }));
    });
  }

  async #shredClient(client: ArchivedClient, step: PlannedDestruction, now: Date): Promise<void> {
    const destroyedAt = now.toISOString();
    await this.#db.transaction().execute(async (trx) => {
      const people = await trx.deleteFrom('client_people').where('client_id', '=', client.clientId).executeTakeFirst();
      const keys = await this.#crypto.destroyClientDataKeys(trx, client.clientId);
      await writeClientTombstone(trx, client.clientId, destroyedAt);
      await this.#audit.append(trx, certificate(step, destroyedAt, { archivedAt: client.archivedAt, dataKeys: keys, dataKeysDeleted: keys.length, peopleDeleted: Number(people.numDeletedRows) }));
    });

    // Document files of a destroyed client are already undecryptable; removing the folder frees the space.
    if (UUID.test(client.clientId)) {
      await rm(path.join(this.#documentsRoot, client.clientId), { recursive: true, force: true });
    }
  }

  async #removeFile(clientId: string, storageName: string): Promise<void> {
    if (!UUID.test(clientId) || !/^[0-9a-f-]{36}\.lgd$/.test(storageName)) return;
    try {
      await rm(path.join(this.#documentsRoot, clientId, storageName), { force: true });
    } catch (error) {
      this.#logger.warn({ clientId, err: { message: (error as Error).message } }, 'removing a destroyed document file failed');
    }
  }
}

/** The destruction certificate: ids, categories, key ids and versions, counts, dates and the rule; never a name or number. */
function certificate(step: PlannedDestruction, destroyedAt: string, destroyed: Record<string, unknown>) {
  return {
    action: 'retention.destroyed' as const,
    outcome: 'success' as const,
    actor: null,
    targetType: step.kind === 'document' ? 'document' : 'client',
    targetId: step.documentId ?? step.clientId,
    clientId: step.clientId,
    details: { certificate: { kind: step.kind, clientId: step.clientId, destroyedAt, rule: step.rule, destroyableFrom: step.destroyableFrom, method: step.kind === 'personal_fields' ? 'erasure' : 'crypto_shredding', ...destroyed } },
  };
}
