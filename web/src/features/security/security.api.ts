import { request } from '../../api/index.js';

export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATUSES = ['new', 'acknowledged', 'resolved', 'false_positive'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** The statuses a security administrator may set; `new` is only ever set by the detector. */
export type AlertDecision = Exclude<AlertStatus, 'new'>;

export const RULE_KEYS = ['failed_sign_ins', 'credential_stuffing', 'new_device', 'off_hours', 'volume_anomaly', 'bulk_export', 'probing', 'dormant_account', 'unusual_department', 'break_glass', 'audit_chain_broken'] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

export const RESPONSE_KINDS = ['lock_account', 'end_sessions', 'require_step_up', 'suspend_grant'] as const;
export type ResponseKind = (typeof RESPONSE_KINDS)[number];

export const ALERT_SORTS = ['-createdAt', 'createdAt', '-severity', 'severity'] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];

export interface Alert {
  id: string;
  rule: string;
  severity: AlertSeverity;
  status: AlertStatus;
  userId: string | null;
  username: string | null;
  displayName: string | null;
  clientId: string | null;
  clientName: string | null;
  /** Findings of the detector, such as `{ count: 12, windowMinutes: 10, ip: '10.0.0.9' }`. */
  facts: Record<string, string | number>;
  /** How many times the alert's group has fired; above 1 when repeats were grouped into it. */
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
  createdAt: string;
  updatedAt: string;
  responses: string[];
}

export interface EvidenceEvent {
  seq: number;
  occurredAt: string;
  actorUsername: string | null;
  action: string;
  outcome: string;
  clientId: string | null;
  clientName: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
}

export interface AlertNote {
  at: string;
  username: string | null;
  from: AlertStatus;
  to: AlertStatus;
  note: string;
}

export interface ResponseLogEntry {
  kind: string;
  at: string;
  outcome: string;
  detail: string | null;
}

export interface AlertDetail extends Alert {
  evidence: EvidenceEvent[];
  notes: AlertNote[];
  responseLog: ResponseLogEntry[];
}

export interface AlertQuery {
  status: AlertStatus | undefined;
  severity: AlertSeverity | undefined;
  rule: string | undefined;
  userId: string | undefined;
  sort: AlertSort;
  page: number;
  pageSize: number;
}

export type ParamType = 'integer' | 'number' | 'time' | 'weekdays' | 'boolean';
export type ParamValue = number | string | boolean | number[];

export interface ParamSpec {
  name: string;
  type: ParamType;
  min?: number;
  max?: number;
}

export interface Rule {
  key: string;
  enabled: boolean;
  severity: AlertSeverity;
  params: Record<string, ParamValue>;
  responses: string[];
  paramSpecs: ParamSpec[];
  defaults: Record<string, ParamValue>;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface RuleSettings {
  enabled: boolean;
  severity: AlertSeverity;
  params: Record<string, ParamValue>;
  responses: string[];
}

export type CalendarDayKind = 'holiday' | 'workday';

/** A day off on a weekday (`holiday`) or a worked weekend day (`workday`, 调休). */
export interface CalendarDay {
  /** `YYYY-MM-DD` in the firm's calendar. */
  date: string;
  kind: CalendarDayKind;
  name: string;
}

export const CHANNEL_KINDS = ['dingtalk', 'wecom', 'feishu', 'webhook', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Channel {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  minSeverity: AlertSeverity;
  /** The address, masked by the server: access tokens and keys never come back whole. */
  target: string;
  hasSecret: boolean;
  recipients: string[];
  createdAt: string;
  updatedAt: string;
  lastDelivery: { status: DeliveryStatus; at: string; error: string | null } | null;
}

/** A new or changed channel. Leaving out `url` or `secret` on a change keeps the stored value. */
export interface ChannelInput {
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  minSeverity: AlertSeverity;
  url?: string;
  secret?: string;
  recipients?: string[];
}

export interface Delivery {
  id: string;
  channelId: string;
  channelName: string;
  /** `null` for a test message. */
  alertId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface DeliveryQuery {
  status: DeliveryStatus | undefined;
  channelId: string | undefined;
  page: number;
  pageSize: number;
}

export const CHAIN_PROBLEMS = ['hash_mismatch', 'link_broken', 'sequence_gap', 'head_mismatch', 'checkpoint_mismatch', 'checkpoint_signature_invalid', 'truncated'] as const;

export interface ChainStatus {
  headSeq: number;
  lastCheckpoint: { seq: number; signedAt: string; algorithm: string; keyId: string } | null;
  lastVerification: { at: string; intact: boolean; checked: number; firstBrokenSeq?: number; problem?: string } | null;
  retentionDays: number;
  archivedThroughSeq: number | null;
}

export const SECURITY_QUERY_KEY = ['security'] as const;
export const ALERTS_QUERY_KEY = [...SECURITY_QUERY_KEY, 'alerts'] as const;
export const ALERT_COUNTS_QUERY_KEY = [...SECURITY_QUERY_KEY, 'alert-counts'] as const;
export const RULES_QUERY_KEY = [...SECURITY_QUERY_KEY, 'rules'] as const;
export const CALENDAR_QUERY_KEY = [...SECURITY_QUERY_KEY, 'calendar'] as const;
export const CHANNELS_QUERY_KEY = [...SECURITY_QUERY_KEY, 'channels'] as const;
export const DELIVERIES_QUERY_KEY = [...SECURITY_QUERY_KEY, 'deliveries'] as const;
export const CHAIN_STATUS_QUERY_KEY = [...SECURITY_QUERY_KEY, 'chain-status'] as const;

export function alertListQueryKey(query: AlertQuery) {
  return [...ALERTS_QUERY_KEY, 'list', query] as const;
}

export function alertDetailQueryKey(id: string) {
  return [...ALERTS_QUERY_KEY, 'detail', id] as const;
}

/** The address of the live alert feed (server-sent events, `event: alert`). */
export const ALERT_STREAM_PATH = '/api/security/alerts/stream';

export function fetchAlerts(query: Partial<AlertQuery>): Promise<{ total: number; items: Alert[] }> {
  return request('GET', '/api/security/alerts', { query: { ...query } });
}

export function fetchAlert(id: string): Promise<AlertDetail> {
  return request('GET', `/api/security/alerts/${encodeURIComponent(id)}`);
}

/** Moves an alert to a new status. Fails with `alert_transition_invalid` when its current status does not allow that. */
export function setAlertStatus(id: string, body: { status: AlertDecision; note: string }): Promise<AlertDetail> {
  return request('POST', `/api/security/alerts/${encodeURIComponent(id)}/status`, { json: body });
}

export function fetchRules(): Promise<{ items: Rule[] }> {
  return request('GET', '/api/security/rules');
}

export function saveRule(key: string, body: RuleSettings): Promise<Rule> {
  return request('PUT', `/api/security/rules/${encodeURIComponent(key)}`, { json: body });
}

export function fetchCalendar(): Promise<{ days: CalendarDay[] }> {
  return request('GET', '/api/security/calendar');
}

/** Replaces the whole work calendar with `days`. */
export function saveCalendar(days: CalendarDay[]): Promise<{ days: CalendarDay[] }> {
  return request('PUT', '/api/security/calendar', { json: { days } });
}

export function fetchChannels(): Promise<{ items: Channel[] }> {
  return request('GET', '/api/security/channels');
}

export function createChannel(body: ChannelInput): Promise<Channel> {
  return request('POST', '/api/security/channels', { json: body });
}

export function updateChannel(id: string, body: ChannelInput): Promise<Channel> {
  return request('PUT', `/api/security/channels/${encodeURIComponent(id)}`, { json: body });
}

/** Deletes a channel. Its past deliveries stay in the list. */
export function deleteChannel(id: string): Promise<void> {
  return request('DELETE', `/api/security/channels/${encodeURIComponent(id)}`);
}

/** Sends one test message at once; the server records it as a delivery without an alert. */
export function testChannel(id: string): Promise<{ delivered: boolean; error?: string }> {
  return request('POST', `/api/security/channels/${encodeURIComponent(id)}/test`, { json: {} });
}

export function fetchDeliveries(query: DeliveryQuery): Promise<{ total: number; items: Delivery[] }> {
  return request('GET', '/api/security/deliveries', { query: { ...query } });
}

export function fetchChainStatus(): Promise<ChainStatus> {
  return request('GET', '/api/security/chain-status');
}
