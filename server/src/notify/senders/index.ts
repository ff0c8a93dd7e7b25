import type { ChannelKind } from '../notify.tables.js';
import { sendDingTalk } from './dingtalk.js';
import { sendEmail } from './email.js';
import { sendFeishu } from './feishu.js';
import type { Sender } from './sender.types.js';
import { sendWebhook } from './webhook.js';
import { sendWeCom } from './wecom.js';

export { signDingTalk } from './dingtalk.js';
export { signFeishu } from './feishu.js';
export { WEBHOOK_DELIVERY_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, signWebhook } from './webhook.js';
export type { ChannelTarget, SendContext, Sender } from './sender.types.js';

export const SENDERS: Readonly<Record<ChannelKind, Sender>> = Object.freeze({
  email: sendEmail,
  dingtalk: sendDingTalk,
  wecom: sendWeCom,
  feishu: sendFeishu,
  webhook: sendWebhook,
});
