import type { UserRef } from '../../api/index.js';
import type { MessageKey } from '../../i18n/index.js';

// The server stores taxpayer types as the Chinese terms of the tax authority.
const TAXPAYER_TYPE_KEYS: Record<string, MessageKey | undefined> = {
  一般纳税人: 'taxpayerType.general',
  小规模纳税人: 'taxpayerType.smallScale',
};

export function taxpayerTypeKey(value: string): MessageKey | undefined {
  return Object.hasOwn(TAXPAYER_TYPE_KEYS, value) ? TAXPAYER_TYPE_KEYS[value] : undefined;
}

export function assigneeNames(assignees: readonly UserRef[], separator: string): string {
  return assignees.map((assignee) => assignee.displayName).join(separator);
}
