import { Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';

import type { ClientSummary } from '../../api/index.js';
import type { Translate } from '../../i18n/index.js';
import { assigneeNames, taxpayerTypeKey } from './client-labels.js';
import type { ClientSort } from './clients.api.js';
import { columnSortOrder } from './client-list-query.js';
import { FieldText, MONOSPACE } from './FieldText.js';

/** Returns the columns of the client list. `name` and `serviceStart` sort on the server. */
export function clientColumns(t: Translate, sort: ClientSort | undefined): ColumnsType<ClientSummary> {
  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;

  return [
    {
      key: 'name',
      title: t('clients.column.name'),
      sorter: true,
      sortOrder: columnSortOrder(sort, 'name'),
      render: (_, client) => (
        <Link to={`/clients/${encodeURIComponent(client.id)}`} data-testid="client-link">
          {client.name}
        </Link>
      ),
    },
    { key: 'uscc', title: t('clients.column.uscc'), render: (_, client) => <span style={MONOSPACE}>{client.uscc}</span> },
    {
      key: 'taxpayerType',
      title: t('clients.column.taxpayerType'),
      render: (_, client) => {
        if (client.taxpayerType === null) return empty;
        const key = taxpayerTypeKey(client.taxpayerType);
        return key === undefined ? client.taxpayerType : t(key);
      },
    },
    { key: 'department', title: t('clients.column.department'), render: (_, client) => client.departmentName ?? empty },
    {
      key: 'assignees',
      title: t('clients.column.assignees'),
      render: (_, client) => (client.assignees.length === 0 ? empty : assigneeNames(client.assignees, t('common.listSeparator'))),
    },
    { key: 'contactName', title: t('clients.column.contactName'), render: (_, client) => <FieldText field={client.fields.contactName} /> },
    { key: 'contactPhone', title: t('clients.column.contactPhone'), render: (_, client) => <FieldText field={client.fields.contactPhone} /> },
    {
      key: 'serviceStart',
      title: t('clients.column.serviceStart'),
      sorter: true,
      sortOrder: columnSortOrder(sort, 'serviceStart'),
      render: (_, client) => <FieldText field={client.fields.serviceStart} />,
    },
  ];
}
