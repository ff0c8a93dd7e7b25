import { Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';

import type { ClientSummary } from '../../api/index.js';
import { TruncatedText } from '../../app/TruncatedText.js';
import type { Translate } from '../../i18n/index.js';
import { assigneeNames, taxpayerTypeKey } from './client-labels.js';
import type { ClientSort } from './clients.api.js';
import { columnSortOrder } from './client-list-query.js';
import { FieldText, MONOSPACE } from './FieldText.js';

// Fixed widths in pixels keep every column on screen from 1366 px windows up, in both languages.
// The client name takes the rest and is cut with an ellipsis. Long headers wrap to two lines.
const WIDTHS = {
  uscc: 200,
  taxpayerType: 130,
  department: 120,
  assignees: 150,
  contactName: 130,
  contactPhone: 140,
  serviceStart: 130,
};

// The name column keeps at least this width. Narrower windows scroll the table sideways.
const MIN_NAME_WIDTH = 200;

/** The width below which the client table scrolls sideways, in pixels. */
export const CLIENT_TABLE_MIN_WIDTH = Object.values(WIDTHS).reduce((sum, width) => sum + width, MIN_NAME_WIDTH);

/** Returns the columns of the client list. `name` and `serviceStart` sort on the server. */
export function clientColumns(t: Translate, sort: ClientSort | undefined): ColumnsType<ClientSummary> {
  const empty = <Typography.Text type="secondary">{t('common.empty')}</Typography.Text>;

  return [
    {
      key: 'name',
      title: t('clients.column.name'),
      sorter: true,
      sortOrder: columnSortOrder(sort, 'name'),
      ellipsis: { showTitle: false },
      render: (_, client) => (
        <TruncatedText text={client.name}>
          <Link to={`/clients/${encodeURIComponent(client.id)}`} data-testid="client-link">
            {client.name}
          </Link>
        </TruncatedText>
      ),
    },
    { key: 'uscc', title: t('clients.column.uscc'), width: WIDTHS.uscc, render: (_, client) => <span style={MONOSPACE}>{client.uscc}</span> },
    {
      key: 'taxpayerType',
      title: t('clients.column.taxpayerType'),
      width: WIDTHS.taxpayerType,
      render: (_, client) => {
        if (client.taxpayerType === null) return empty;
        const key = taxpayerTypeKey(client.taxpayerType);
        return key === undefined ? client.taxpayerType : t(key);
      },
    },
    {
      key: 'department',
      title: t('clients.column.department'),
      width: WIDTHS.department,
      ellipsis: { showTitle: false },
      render: (_, client) => (client.departmentName === null ? empty : <TruncatedText text={client.departmentName} />),
    },
    {
      key: 'assignees',
      title: t('clients.column.assignees'),
      width: WIDTHS.assignees,
      ellipsis: { showTitle: false },
      render: (_, client) => (client.assignees.length === 0 ? empty : <TruncatedText text={assigneeNames(client.assignees, t('common.listSeparator'))} />),
    },
    { key: 'contactName', title: t('clients.column.contactName'), width: WIDTHS.contactName, render: (_, client) => <FieldText field={client.fields.contactName} /> },
    { key: 'contactPhone', title: t('clients.column.contactPhone'), width: WIDTHS.contactPhone, render: (_, client) => <FieldText field={client.fields.contactPhone} /> },
    {
      key: 'serviceStart',
      title: t('clients.column.serviceStart'),
      width: WIDTHS.serviceStart,
      sorter: true,
      sortOrder: columnSortOrder(sort, 'serviceStart'),
      render: (_, client) => <FieldText field={client.fields.serviceStart} />,
    },
  ];
}
