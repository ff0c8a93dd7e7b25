import type { Locale } from '../../i18n/index.js';
import type { AuditEvent } from '../audit.types.js';
import type { ExportCell } from './export-cell.js';
import { neutralizeCell } from './neutralize.js';

export type ExportedEvent = AuditEvent & { readonly clientName: string | null };

interface Column {
  readonly header: Record<Locale, string>;
  /** Width in characters, for the workbook. */
  readonly width: number;
  readonly value: (event: ExportedEvent, timeZone: string) => ExportCell;
}

const COLUMNS: readonly Column[] = [
  { header: { 'zh-CN': '序号', 'en-US': 'Seq' }, width: 10, value: (event) => event.seq },
  { header: { 'zh-CN': '本地时间（{timeZone}）', 'en-US': 'Local time ({timeZone})' }, width: 20, value: (event, timeZone) => formatWallClock(event.occurredAt, timeZone) },
  { header: { 'zh-CN': '时间（UTC）', 'en-US': 'Time (UTC)' }, width: 26, value: (event) => event.occurredAt },
  { header: { 'zh-CN': '操作人', 'en-US': 'Actor' }, width: 16, value: (event) => event.actorUsername },
  { header: { 'zh-CN': '操作人 ID', 'en-US': 'Actor ID' }, width: 38, value: (event) => event.actorId },
  { header: { 'zh-CN': '操作', 'en-US': 'Action' }, width: 26, value: (event) => event.action },
  { header: { 'zh-CN': '结果', 'en-US': 'Outcome' }, width: 10, value: (event) => event.outcome },
  { header: { 'zh-CN': '客户名称', 'en-US': 'Client name' }, width: 28, value: (event) => event.clientName },
  { header: { 'zh-CN': '客户 ID', 'en-US': 'Client ID' }, width: 38, value: (event) => event.clientId },
  { header: { 'zh-CN': '操作对象', 'en-US': 'Target' }, width: 30, value: (event) => (event.targetType === null ? null : `${event.targetType}:${event.targetId ?? ''}`) },
  { header: { 'zh-CN': '涉及字段', 'en-US': 'Fields' }, width: 24, value: (event) => (event.fields.length === 0 ? null : event.fields.join(', ')) },
  { header: { 'zh-CN': '理由', 'en-US': 'Reason' }, width: 30, value: (event) => event.reason },
  { header: { 'zh-CN': 'IP 地址', 'en-US': 'IP address' }, width: 18, value: (event) => event.ip },
  { header: { 'zh-CN': '浏览器标识', 'en-US': 'User agent' }, width: 30, value: (event) => event.userAgent },
  { header: { 'zh-CN': '附加信息（JSON）', 'en-US': 'Details (JSON)' }, width: 40, value: (event) => JSON.stringify(event.details) },
  { header: { 'zh-CN': '哈希', 'en-US': 'Hash' }, width: 66, value: (event) => event.hash },
];

/** Column headers in the request's language; the local time names the firm's time zone. */
export function exportHeaders(locale: Locale, timeZone: string): string[] {
  return COLUMNS.map((column) => column.header[locale].replace('{timeZone}', timeZone));
}

export function exportColumnWidths(): number[] {
  return COLUMNS.map((column) => column.width);
}

/**
 * Builds the cells of one event, already neutralized, so the CSV and the workbook carry the same
 * text. Every text cell passes through `neutralizeCell` whatever its column, because a username,
 * a user agent or a reason is typed by someone the auditor should not have to trust.
 */
export function exportRow(event: ExportedEvent, timeZone: string): ExportCell[] {
  return COLUMNS.map((column) => {
    const cell = column.value(event, timeZone);
    return typeof cell === 'string' ? neutralizeCell(cell) : cell;
  });
}

/** Formats an instant as `YYYY-MM-DD HH:mm:ss` on the wall clock of `timeZone`. */
export function formatWallClock(instant: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}
