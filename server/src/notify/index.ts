export { ALERT_SEVERITIES, type AlertNotice, type AlertNotifier, type AlertSeverity } from './alert-notice.js';
export { AlertNotifications, CLAIM_LEASE_MS, RETRY_DELAYS_MS, SEND_TIMEOUT_MS, type AlertNotificationsOptions, type DispatchResult } from './alert-notifications.js';
export { NotificationChannels } from './channel.service.js';
export type { ChannelInput } from './channel-validation.js';
export type { ChannelView, DeliveryView } from './channel.presenter.js';
export { createMailer, type Mailer, type MailMessage } from './mailer.js';
export { notifyRoutes } from './notify.routes.js';
export { signDingTalk, signFeishu, signWebhook, WEBHOOK_DELIVERY_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './senders/index.js';
