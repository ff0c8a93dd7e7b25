import { Card, Descriptions } from 'antd';

import type { FieldCategory, FieldView } from '../../api/index.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { ProtectedValue } from './ProtectedValue.js';
import type { RevealedValue } from './use-revealed-values.js';

const GROUPS: readonly { category: FieldCategory; title: MessageKey }[] = [
  { category: 'basic', title: 'client.group.basic' },
  { category: 'financial', title: 'client.group.financial' },
  { category: 'sensitive', title: 'client.group.sensitive' },
];

interface FieldGroupsProps {
  fields: FieldView[];
  revealed: ReadonlyMap<string, RevealedValue>;
  canReveal: boolean;
  onReveal: (path: string, label: string) => void;
  onHide: (path: string) => void;
}

/** Shows the client's fields in one card per category, in the order the server lists them. */
export function FieldGroups({ fields, revealed, canReveal, onReveal, onHide }: FieldGroupsProps) {
  const t = useT();

  return GROUPS.map(({ category, title }) => {
    const inGroup = fields.filter((field) => field.category === category);
    if (inGroup.length === 0) return null;

    const items = inGroup.map((field) => ({
      key: field.key,
      label: field.label,
      children: <ProtectedValue field={field} path={field.key} revealed={revealed.get(field.key)} canReveal={canReveal} onReveal={onReveal} onHide={onHide} />,
    }));

    return (
      <Card key={category} title={t(title)} size="small" data-testid={`group-${category}`}>
        <Descriptions bordered size="small" column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 3, xxl: 3 }} items={items} />
      </Card>
    );
  });
}
