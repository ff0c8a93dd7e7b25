import { Flex, Tag } from 'antd';

import type { ExplainReason } from './explain.api.js';
import { useServerLabel } from './server-label.js';

const KIND_COLORS: Readonly<Record<ExplainReason['kind'], string>> = {
  role: 'blue',
  scope: 'geekblue',
  grant: 'gold',
  denial: 'red',
};

/** Renders the steps of an explanation as tags in the server's order, each in the interface language. */
export function ReasonTags({ reasons }: { reasons: readonly ExplainReason[] }) {
  const labelOf = useServerLabel();
  return (
    <Flex gap={4} wrap>
      {reasons.map((reason, index) => (
        <Tag key={`${reason.key}-${index}`} color={KIND_COLORS[reason.kind]} data-testid="explain-reason" data-kind={reason.kind} data-key={reason.key}>
          {labelOf(reason.label)}
        </Tag>
      ))}
    </Flex>
  );
}
