import { Tag } from 'antd';

import type { AuditOutcome } from '../../api/index.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';

const OUTCOMES: Record<AuditOutcome, { label: MessageKey; color: string }> = {
  success: { label: 'audit.outcome.success', color: 'success' },
  denied: { label: 'audit.outcome.denied', color: 'warning' },
  failure: { label: 'audit.outcome.failure', color: 'error' },
};

export function outcomeLabelKey(outcome: AuditOutcome): MessageKey {
  return OUTCOMES[outcome].label;
}

export function OutcomeTag({ outcome }: { outcome: AuditOutcome }) {
  const { t } = useI18n();
  const known = Object.hasOwn(OUTCOMES, outcome) ? OUTCOMES[outcome] : undefined;
  return <Tag color={known?.color ?? 'default'}>{known === undefined ? outcome : t(known.label)}</Tag>;
}

/** Returns a function naming an audit action in the current language, or the raw action name. */
export function useActionLabel(): (action: string) => string {
  const { findMessage } = useI18n();
  return (action) => findMessage(`audit.action.${action}`) ?? action;
}

/**
 * Returns a function naming a field of an audit event: a client field by its catalog key, a
 * person's field (`people.<personId>.<field>`) by the field, anything else by its raw name.
 */
export function useFieldLabel(): (field: string) => string {
  const { findMessage } = useI18n();
  return (field) => {
    const personField = /^people\.[^.]+\.(\w+)$/.exec(field)?.[1];
    const label = personField === undefined ? findMessage(`clientField.${field}`) : findMessage(`people.${personField}`);
    return label ?? field;
  };
}
