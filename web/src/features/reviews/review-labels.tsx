import { Flex, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';

import { formatFirmTime } from '../../app/firm-time.js';
import { useT, type MessageKey } from '../../i18n/index.js';
import { IdText } from '../access/IdText.js';
import { useRoleLabel } from '../access/request-labels.js';
import type { Campaign, DeadlineRule, ReviewItem, ReviewItemKind } from './reviews.api.js';

export const ITEM_KIND_LABELS: Readonly<Record<ReviewItemKind, MessageKey>> = {
  role: 'reviews.kind.role',
  assignment: 'reviews.kind.assignment',
  grant: 'reviews.kind.grant',
  scope: 'reviews.kind.scope',
};

export const DEADLINE_RULE_LABELS: Readonly<Record<DeadlineRule, MessageKey>> = {
  revoke: 'reviews.rule.revoke',
  escalate: 'reviews.rule.escalate',
};

function ClientName({ client }: { client: { id: string; name: string | null } }) {
  // Administrators who may not list the client get its id only.
  return client.name === null ? <IdText id={client.id} /> : <span>{client.name}</span>;
}

/** Renders the access an item reviews: a role, client assignment, grant or department scope. */
export function ReviewItemAccess({ item }: { item: ReviewItem }) {
  const t = useT();
  const roleLabel = useRoleLabel();

  let detail: ReactNode = null;
  if (item.kind === 'role' && item.role !== null) detail = <span>{roleLabel(item.role)}</span>;
  if (item.kind === 'assignment' && item.client !== null) detail = <ClientName client={item.client} />;
  if (item.kind === 'scope' && item.department !== null) detail = item.department.name === null ? <IdText id={item.department.id} /> : <span>{item.department.name}</span>;
  if (item.kind === 'grant' && item.grant !== null) {
    const target = item.client !== null ? <ClientName client={item.client} /> : item.grant.departmentId !== null ? <IdText id={item.grant.departmentId} /> : null;
    detail = (
      <Flex vertical>
        <Flex gap={4} align="baseline">
          <Typography.Text type="secondary">{item.grant.kind === 'break_glass' ? t('grants.kind.breakGlass') : t('grants.kind.temporary')}</Typography.Text>
          {target}
        </Flex>
        {item.grant.endsAt !== null && <Typography.Text type="secondary">{t('reviews.grantEndsAt', { time: formatFirmTime(item.grant.endsAt) ?? '' })}</Typography.Text>}
      </Flex>
    );
  }

  return (
    <Flex gap={4} align="baseline" wrap>
      <Tag data-testid="review-item-kind" data-kind={item.kind}>
        {t(ITEM_KIND_LABELS[item.kind])}
      </Tag>
      {detail}
    </Flex>
  );
}

/** Renders who a campaign covers: all staff, a department, or holders of a role. */
export function CampaignPopulation({ population, departmentName }: { population: Campaign['population']; departmentName: (id: string) => string | undefined }) {
  const t = useT();
  const roleLabel = useRoleLabel();

  if (population.kind === 'department' && population.departmentId !== undefined) {
    const name = departmentName(population.departmentId);
    return (
      <Flex gap={4} align="baseline">
        <Typography.Text type="secondary">{t('reviews.population.department')}</Typography.Text>
        {name === undefined ? <IdText id={population.departmentId} /> : <span>{name}</span>}
      </Flex>
    );
  }

  if (population.kind === 'role' && population.role !== undefined) {
    return (
      <Flex gap={4} align="baseline">
        <Typography.Text type="secondary">{t('reviews.population.role')}</Typography.Text>
        <span>{roleLabel(population.role)}</span>
      </Flex>
    );
  }

  return <span>{t('reviews.population.all')}</span>;
}
