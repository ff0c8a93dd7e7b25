import type { AlertSeverity } from './alert-notice.js';

export type ChannelKind = 'email' | 'dingtalk' | 'wecom' | 'feishu' | 'webhook';
export type DeliveryStatus = 'pending' | 'sent' | 'failed';

/** A place alerts are sent to. Robot URLs carry access tokens, so URL and secret are stored encrypted. */
export interface NotificationChannelTable {
  id: string;
  kind: ChannelKind;
  name: string;
  /** 1 when the channel receives alerts, 0 when it is paused. */
  enabled: number;
  /** The least severe alert the channel receives. */
  min_severity: AlertSeverity;
  /** Robot or webhook URL under the firm's data key; `null` for e-mail. */
  url_enc: string | null;
  /** The URL with its token reduced to the last characters, for display. */
  target_masked: string;
  /** JSON array of e-mail addresses; `[]` for the other kinds. */
  recipients: string;
  secret_enc: string | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
}

/**
 * One message to one channel (an outbox row). It names the channel by id and by name, because
 * deleting a channel keeps its deliveries for the record.
 */
export interface NotificationDeliveryTable {
  id: string;
  channel_id: string;
  channel_name: string;
  channel_kind: ChannelKind;
  /** `null` for a message sent with the channel's test button. */
  alert_id: string | null;
  /** JSON of the AlertNotice, rendered into the channel's format when sent. */
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  /**
   * When a pending delivery is due. A dispatcher that claims it moves this forward by a lease,
   * so a second dispatcher skips it until the lease runs out.
   */
  next_attempt_at: string | null;
  /** Random value of the current claim; only its holder may record the outcome. */
  claim_token: string | null;
  last_error: string | null;
  last_attempt_at: string | null;
  created_at: string;
  sent_at: string | null;
}

/** Row types of the tables for notification channels and deliveries (migration 1400); part of DatabaseSchema. */
export interface NotificationTables {
  notification_channels: NotificationChannelTable;
  notification_deliveries: NotificationDeliveryTable;
}
