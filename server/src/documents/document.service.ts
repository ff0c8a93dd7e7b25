import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { type SubjectSnapshot, decide } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import { type ClientRow, findClientRow } from '../clients/client.repository.js';
import { MIN_REASON_LENGTH, type RequestContext } from '../clients/client.service.js';
import type { FieldCrypto } from '../crypto/index.js';
import type { Db } from '../db/index.js';
import { AppError } from '../errors/index.js';
import { DocumentCorruptedError, EncryptedDocumentReader } from './chunk-cipher.js';
import { DOCUMENT_TYPES, type DocumentType, MEDIA_TYPES } from './content-type.js';
import { type DocumentCategory, VISIBILITY_CATEGORY, isDocumentCategory } from './document-category.js';
import { type DocumentRow, findClientDocument, findDisplayName, insertDocument } from './document.repository.js';
import { DocumentStore, DocumentTooLargeError, DocumentTypeRejectedError } from './document-store.js';
import { listDocuments, type DocumentListQuery } from './document-list.js';
import { verifyStoredDocumentOrThrow } from './integrity.js';
import { watermarkImage, watermarkPdf } from './watermark.js';

export type Delivery = 'download' | 'preview';

export interface DocumentOutput {
  readonly fileName: string;
  readonly mediaType: string;
  readonly body: Buffer | Readable;
  readonly watermarked: boolean;
}

const MIB = 1024 * 1024;

/** Client documents: upload into the encrypted store, list, and hand out watermarked copies. */
export class DocumentService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #crypto: FieldCrypto;
  readonly #store: DocumentStore;
  readonly #maxBytes: number;
  readonly #timeZone: string;
  readonly #logger: Logger;

  constructor({ db, audit, crypto, dataDir, maxMb, timeZone, logger }: { db: Db; audit: AuditLog; crypto: FieldCrypto; dataDir: string; maxMb: number; timeZone: string; logger: Logger }) {
    this.#db = db;
    this.#audit = audit;
    this.#crypto = crypto;
    this.#store = new DocumentStore(dataDir);
    this.#maxBytes = maxMb * MIB;
    this.#timeZone = timeZone;
    this.#logger = logger;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  get store(): DocumentStore {
    return this.#store;
  }

  /**
   * Checks that the caller may add documents to the client, before any of the body is read:
   * `document:upload` within the role's data scope.
   */
  async authorizeUploadOrThrow(clientId: string, context: RequestContext): Promise<ClientRow> {
    const client = await this.#loadClientOrThrow(clientId, 'document:upload', context, 'document.uploaded');

    // A client that left is read-only: its records wait out their retention periods unchanged.
    if (client.status !== 'active') {
      await this.#audit.record({ action: 'document.uploaded', outcome: 'failure', actor: actorOf(context.subject), targetType: 'client', targetId: client.id, clientId: client.id, ip: context.ip, userAgent: context.userAgent, details: { code: 'client_archived' } });
      throw new AppError('client_archived');
    }
    return client;
  }

  async upload({ client, category, fileName, source, context }: { client: ClientRow; category: string; fileName: string; source: Readable; context: RequestContext }) {
    if (!isDocumentCategory(category)) {
      source.resume();
      throw new AppError('validation_failed', {}, [{ path: 'category', message: 'issue.invalid' }]);
    }

    const documentId = randomUUID();
    const key = randomBytes(32);
    let stored;
    try {
      stored = await this.#store.write({ source, clientId: client.id, documentId, key, maxBytes: this.#maxBytes });
    } catch (error) {
      await this.#recordUploadFailure(context, client.id, category, error);
      throw this.#translateUploadError(error);
    }

    const uploadedAt = new Date().toISOString();
    const name = fileName.trim().slice(0, 255) || `${documentId}.${stored.fileType}`;
    try {
      await this.#db.transaction().execute(async (trx) => {
        const row: DocumentRow = {
          id: documentId,
          client_id: client.id,
          category,
          file_name_enc: await this.#crypto.encrypt(trx, client.id, { table: 'documents', column: 'file_name', rowId: documentId }, name),
          file_type: stored.fileType,
          size_bytes: stored.sizeBytes,
          sha256: stored.sha256,
          content_key: await this.#crypto.encrypt(trx, client.id, { table: 'documents', column: 'content_key', rowId: documentId }, key.toString('base64')),
          storage_name: stored.storageName,
          uploaded_by: context.subject.userId,
          uploaded_at: uploadedAt,
        };
        await insertDocument(trx, row);
        // The file name may itself be personal data ("张三身份证.jpg"), so the audit event names the document by id.
        await this.#audit.append(trx, { action: 'document.uploaded', outcome: 'success', actor: actorOf(context.subject), targetType: 'document', targetId: documentId, clientId: client.id, ip: context.ip, userAgent: context.userAgent, details: { category, fileType: stored.fileType, sizeBytes: stored.sizeBytes } });
      });
    } catch (error) {
      await this.#store.remove(client.id, stored.storageName);
      throw error;
    }

    return { id: documentId, category, fileName: name, fileType: stored.fileType, sizeBytes: stored.sizeBytes, uploadedAt };
  }

  async list({ clientId, query, context }: { clientId: string; query: DocumentListQuery; context: RequestContext }) {
    const client = await this.#loadClientOrThrow(clientId, 'client:read', context, 'document.list');
    const page = await listDocuments({ db: this.#db, crypto: this.#crypto, subject: context.subject, client, query });
    return { ...page, maxMb: this.#maxBytes / MIB };
  }

  /**
   * Hands out one document. Like a reveal it needs a reason and a recent second factor, and its
   * audit event is committed before any byte leaves. PDFs and images carry the member's stamp.
   */
  async deliver({ clientId, documentId, reason, delivery, context }: { clientId: string; documentId: string; reason: string; delivery: Delivery; context: RequestContext }): Promise<DocumentOutput> {
    const action = delivery === 'download' ? 'document.download' : 'document.previewed';
    const client = await this.#loadClientOrThrow(clientId, 'client:read', context, action);
    const document = await findClientDocument(this.#db, client.id, documentId);

    // A document in a category the caller cannot see answers like a missing one.
    const category = document && isDocumentCategory(document.category) ? document.category : undefined;
    const decision = category ? decide(context.subject, 'client:reveal', { type: 'client', id: client.id, departmentId: client.department_id, category: VISIBILITY_CATEGORY[category] }) : undefined;
    if (!document || !decision?.allow) {
      await this.#recordDenial(context, client.id, action, decision?.reasons ?? ['document_not_found'], documentId);
      throw new AppError('not_found');
    }

    const trimmedReason = reason.trim();
    if ([...trimmedReason].length < MIN_REASON_LENGTH) {
      await this.#recordFailure(action, context, document, 'reason_required');
      throw new AppError('reason_required', { min: MIN_REASON_LENGTH }, [{ path: 'reason', message: 'reason_required' }]);
    }
    const stampable = document.file_type === 'pdf' || document.file_type === 'jpeg' || document.file_type === 'png';
    if (delivery === 'preview' && !stampable) {
      throw new AppError('document_not_previewable');
    }
    try {
      await context.assertRecentSecondFactor?.();
    } catch (error) {
      await this.#recordFailure(action, context, document, 'step_up_required');
      throw error;
    }

    const reader = await this.#openVerifiedOrThrow(action, context, document);
    const fileName = await this.#crypto.decrypt(this.#db, { table: 'documents', column: 'file_name', rowId: document.id }, document.file_name_enc);
    const body = stampable ? await this.#stampOrThrow(action, context, document, reader) : reader.stream();

    await this.#audit.record({ action, outcome: 'success', actor: actorOf(context.subject), targetType: 'document', targetId: document.id, clientId: client.id, reason: trimmedReason, ip: context.ip, userAgent: context.userAgent, details: { category: document.category, fileType: document.file_type, watermarked: stampable, decision: decision.reasons } });
    return { fileName, mediaType: mediaTypeOf(document.file_type), body, watermarked: stampable };
  }

  async #openVerifiedOrThrow(action: 'document.download' | 'document.previewed', context: RequestContext, document: DocumentRow): Promise<EncryptedDocumentReader> {
    const key = Buffer.from(await this.#crypto.decrypt(this.#db, { table: 'documents', column: 'content_key', rowId: document.id }, document.content_key), 'base64');
    const reader = new EncryptedDocumentReader({ path: this.#store.pathOf(document.client_id, document.storage_name), key, documentId: document.id });
    try {
      // A full pass before the response starts, so a damaged file is an error status rather than a cut-off download.
      await verifyStoredDocumentOrThrow(reader, { sha256: document.sha256, sizeBytes: document.size_bytes });
      return reader;
    } catch (error) {
      if (!(error instanceof DocumentCorruptedError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.#logger.error({ documentId: document.id, clientId: document.client_id, err: { message: (error as Error).message } }, 'stored document failed its integrity check');
      await this.#recordFailure(action, context, document, 'document_corrupted');
      throw new AppError('document_corrupted');
    }
  }

  async #stampOrThrow(action: 'document.download' | 'document.previewed', context: RequestContext, document: DocumentRow, reader: EncryptedDocumentReader): Promise<Buffer> {
    // NOTE: pdf-lib and the image decoder need the whole file, so stamped types are held in memory.
    const content = await streamToBuffer(reader.stream());
    const stamp = { displayName: (await findDisplayName(this.#db, context.subject.userId)) ?? context.subject.username, username: context.subject.username, at: new Date(), timeZone: this.#timeZone };
    try {
      return document.file_type === 'pdf' ? await watermarkPdf(content, stamp) : await watermarkImage(content, document.file_type as 'jpeg' | 'png', stamp);
    } catch (error) {
      this.#logger.warn({ documentId: document.id, err: { message: (error as Error).message } }, 'watermarking a document failed');
      await this.#recordFailure(action, context, document, 'document_watermark_failed');
      throw new AppError('document_watermark_failed');
    }
  }

  /** Loads a client the subject may act on; an out-of-scope client answers like a missing one and is audited. */
  async #loadClientOrThrow(id: string, permission: 'client:read' | 'document:upload', context: RequestContext, attempted: string): Promise<ClientRow> {
    const row = await findClientRow(this.#db, id);
    const decision = row ? decide(context.subject, permission, { type: 'client', id: row.id, departmentId: row.department_id }) : undefined;
    if (!row || !decision?.allow) {
      await this.#recordDenial(context, row?.id ?? null, attempted, decision?.reasons ?? ['not_found'], undefined, id);
      throw new AppError('not_found');
    }
    return row;
  }

  async #recordDenial(context: RequestContext, clientId: string | null, attempted: string, reasons: readonly string[], documentId?: string, requestedClientId?: string): Promise<void> {
    await this.#audit.record({ action: 'access.denied', outcome: 'denied', actor: actorOf(context.subject), targetType: documentId ? 'document' : 'client', targetId: (documentId ?? clientId ?? requestedClientId)?.slice(0, 64), clientId: clientId ?? undefined, ip: context.ip, userAgent: context.userAgent, details: { attempted, reasons } });
  }

  async #recordFailure(action: 'document.download' | 'document.previewed', context: RequestContext, document: DocumentRow, code: string): Promise<void> {
    await this.#audit.record({ action, outcome: 'failure', actor: actorOf(context.subject), targetType: 'document', targetId: document.id, clientId: document.client_id, ip: context.ip, userAgent: context.userAgent, details: { code, category: document.category } });
  }

  async #recordUploadFailure(context: RequestContext, clientId: string, category: DocumentCategory, error: unknown): Promise<void> {
    const code = error instanceof DocumentTypeRejectedError ? 'document_type_rejected' : isTooLarge(error) ? 'document_too_large' : 'upload_aborted';
    await this.#audit.record({ action: 'document.uploaded', outcome: 'failure', actor: actorOf(context.subject), targetType: 'client', targetId: clientId, clientId, ip: context.ip, userAgent: context.userAgent, details: { code, category } });
  }

  #translateUploadError(error: unknown): unknown {
    if (error instanceof DocumentTypeRejectedError) {
      return new AppError('document_type_rejected', {}, [{ path: 'file', message: { 'zh-CN': '文件内容不是 PDF、JPEG、PNG、OFD、XLSX 或 DOCX。', 'en-US': 'The file content is not PDF, JPEG, PNG, OFD, XLSX or DOCX.' } }]);
    }
    if (isTooLarge(error)) {
      const maxMb = this.#maxBytes / MIB;
      return new AppError('document_too_large', { maxMb }, [{ path: 'file', message: { 'zh-CN': `文件超过 ${maxMb} MB。`, 'en-US': `The file exceeds ${maxMb} MB.` } }]);
    }
    return error;
  }
}

function isTooLarge(error: unknown): boolean {
  return error instanceof DocumentTooLargeError || (error as { code?: string } | null)?.code === 'FST_REQ_FILE_TOO_LARGE';
}

function mediaTypeOf(fileType: string): string {
  return (DOCUMENT_TYPES as readonly string[]).includes(fileType) ? MEDIA_TYPES[fileType as DocumentType] : 'application/octet-stream';
}

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

function actorOf(subject: SubjectSnapshot) {
  return { id: subject.userId, username: subject.username };
}
