import type { MessageKey } from '../../i18n/index.js';
import type { ChannelKind } from './security.api.js';

const KIND_LABELS: Readonly<Record<ChannelKind, MessageKey>> = {
  dingtalk: 'security.channel.kind.dingtalk',
  wecom: 'security.channel.kind.wecom',
  feishu: 'security.channel.kind.feishu',
  webhook: 'security.channel.kind.webhook',
  email: 'security.channel.kind.email',
};

/** Hints on where the administrator finds the address of each kind of robot or endpoint. */
export const URL_HINTS: Readonly<Record<Exclude<ChannelKind, 'email'>, MessageKey>> = {
  dingtalk: 'security.channel.urlHint.dingtalk',
  wecom: 'security.channel.urlHint.wecom',
  feishu: 'security.channel.urlHint.feishu',
  webhook: 'security.channel.urlHint.webhook',
};

/** Hints on the secret of each signed kind and where it comes from. */
export const SECRET_HINTS: Readonly<Record<'dingtalk' | 'feishu' | 'webhook', MessageKey>> = {
  dingtalk: 'security.channel.secretHint.dingtalk',
  feishu: 'security.channel.secretHint.feishu',
  webhook: 'security.channel.secretHint.webhook',
};

export function channelKindLabelKey(kind: ChannelKind): MessageKey {
  return KIND_LABELS[kind];
}

export function isKnownChannelKind(kind: string): kind is ChannelKind {
  return Object.hasOwn(KIND_LABELS, kind);
}
