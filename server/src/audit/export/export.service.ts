import { PassThrough, Readable } from 'node:stream';
import type { Db } from '../../db/index.js';
import { AppError } from '../../errors/index.js';
import type { Locale } from '../../i18n/index.js';
import type { AuditLog } from '../audit-log.js';
import type { AuditFilters } from '../audit.repository.js';
import type { AuditActor } from '../audit.types.js';
import { UTF8_BOM, csvRecord } from './csv.js';
import { exportColumnWidths, exportHeaders, exportRow, formatWallClock } from './export-columns.js';
import type { ExportCell } from './export-cell.js';
import { countExportableEvents, findLastSeq, readExportPages } from './export.repository.js';
import { writeXlsx } from './xlsx.js';

/** Maximum number of events in one export. A larger request must be narrowed by its filters. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;

export type AuditExportFormat = 'xlsx' | 'csv';

export interface AuditExportRequest {
  readonly format: AuditExportFormat;
  readonly filters: AuditFilters;
  readonly locale: Locale;
  readonly actor: AuditActor;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  /** Throws `step_up_required` unless a second factor was confirmed recently in this session. */
  readonly assertRecentSecondFactor: () => Promise<void>;
}

export interface AuditExportFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly rowCount: number;
  readonly body: Readable;
}

const CONTENT_TYPES: Record<AuditExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};

const SHEET_NAMES: Record<Locale, string> = { 'zh-CN': '审计日志', 'en-US': 'Audit log' };

/** Writes audit events matching the audit page's filters to an xlsx or CSV file. */
export class AuditExportService {
  readonly #db: Db;
  readonly #audit: AuditLog;
  readonly #timeZone: string;
  readonly #maxRows: number;
  readonly #now: () => Date;

  constructor({ db, audit, timeZone, maxRows = AUDIT_EXPORT_MAX_ROWS, now = () => new Date() }: { db: Db; audit: AuditLog; timeZone: string; maxRows?: number; now?: () => Date }) {
    this.#db = db;
    this.#audit = audit;
    this.#timeZone = timeZone;
    this.#maxRows = maxRows;
    this.#now = now;
  }

  /**
   * Checks step-up and the size limit, records the export, and returns the file as a stream.
   * Throws `step_up_required` or `audit_export_too_large`, and records each rejection too.
   */
  async exportOrThrow(request: AuditExportRequest): Promise<AuditExportFile> {
    const { format, filters } = request;

    // An export copies the log out of the system, so it proves again who is at the keyboard.
    try {
      await request.assertRecentSecondFactor();
    } catch (error) {
      await this.#record(request, 'denied', { code: error instanceof AppError ? error.code : 'step_up_failed' });
      throw error;
    }

    // Events up to the last sequence number never change (archiving aside), so fixing it now makes
    // the count below the number of rows the file will contain, even while others keep appending.
    const throughSeq = await findLastSeq(this.#db);
    const rowCount = await countExportableEvents(this.#db, filters, throughSeq);
    if (rowCount > this.#maxRows) {
      await this.#record(request, 'failure', { code: 'audit_export_too_large', rowCount, maximum: this.#maxRows });
      throw new AppError('audit_export_too_large', { maximum: this.#maxRows });
    }

    // The export is recorded and committed before the first byte leaves. Holding one transaction
    // open while the file streams would hold the chain head and stall every other audit append.
    // If the stream fails later, the log over-reports one export, which is the safe direction.
    await this.#record(request, 'success', { rowCount, throughSeq });

    return {
      fileName: `audit-log-${this.#fileStamp()}.${format}`,
      contentType: CONTENT_TYPES[format],
      rowCount,
      body: this.#stream(request, throughSeq),
    };
  }

  #stream({ format, filters, locale }: AuditExportRequest, throughSeq: number): Readable {
    const headers = exportHeaders(locale, this.#timeZone);
    const rows = this.#rows(filters, throughSeq);

    if (format === 'csv') {
      return Readable.from(csvChunks(headers, rows));
    }

    const output = new PassThrough();
    // A failure half-way ends the response with an error, which Fastify logs. The file is cut short.
    writeXlsx({ output, sheetName: SHEET_NAMES[locale], headers, widths: exportColumnWidths(), rows }).catch((error: unknown) => {
      output.destroy(error instanceof Error ? error : new Error('audit export stream failed'));
    });
    return output;
  }

  async *#rows(filters: AuditFilters, throughSeq: number): AsyncGenerator<ExportCell[][]> {
    for await (const page of readExportPages(this.#db, { filters, throughSeq })) {
      yield page.map((event) => exportRow(event, this.#timeZone));
    }
  }

  #fileStamp(): string {
    return formatWallClock(this.#now().toISOString(), this.#timeZone).replace(/[-:]/g, '').replace(' ', '-');
  }

  async #record(request: AuditExportRequest, outcome: 'success' | 'denied' | 'failure', details: Record<string, unknown>): Promise<void> {
    await this.#audit.record({
      action: 'audit.exported',
      outcome,
      actor: request.actor,
      ip: request.ip,
      userAgent: request.userAgent,
      details: { format: request.format, filters: definedMembers(request.filters), ...details },
    });
  }
}

async function* csvChunks(headers: readonly string[], rows: AsyncIterable<ExportCell[][]>): AsyncGenerator<Buffer> {
  yield Buffer.from(UTF8_BOM + csvRecord(headers), 'utf8');
  for await (const page of rows) {
    yield Buffer.from(page.map(csvRecord).join(''), 'utf8');
  }
}

/** Returns the filters that were set, so the audit record lists only what narrowed the export. */
function definedMembers(filters: AuditFilters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
}
