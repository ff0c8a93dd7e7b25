import { Flex, Tag } from 'antd';

import type { FieldCategory } from '../../api/index.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { categoryLabel } from '../access/request-labels.js';
import type { Visibility } from './explain.api.js';

export const CATEGORIES: readonly FieldCategory[] = ['basic', 'financial', 'sensitive'];

export const VISIBILITY_STYLES: Readonly<Record<Visibility, { color: string; label: MessageKey }>> = {
  none: { color: 'default', label: 'explain.visibility.none' },
  masked: { color: 'orange', label: 'explain.visibility.masked' },
  plain: { color: 'green', label: 'explain.visibility.plain' },
};

/** Renders a role's or member's visibility of each field category. */
export function VisibilityTags({ visibility }: { visibility: Readonly<Record<FieldCategory, Visibility>> }) {
  const t = useT();
  return (
    <Flex gap={4} wrap>
      {CATEGORIES.map((category) => (
        <Tag key={category} color={VISIBILITY_STYLES[visibility[category]].color}>
          {t('explain.categoryVisibility', { category: categoryLabel(category, t), visibility: t(VISIBILITY_STYLES[visibility[category]].label) })}
        </Tag>
      ))}
    </Flex>
  );
}
