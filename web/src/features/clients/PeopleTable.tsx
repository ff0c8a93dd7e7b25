import { Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';

import type { ClientPerson, FieldView } from '../../api/index.js';
import { useI18n } from '../../i18n/index.js';
import { ProtectedValue } from './ProtectedValue.js';
import type { RevealedValue } from './use-revealed-values.js';

type PersonField = 'name' | 'idNumber' | 'phone';

interface PeopleTableProps {
  people: ClientPerson[];
  revealed: ReadonlyMap<string, RevealedValue>;
  canReveal: boolean;
  onReveal: (path: string, label: string) => void;
  onHide: (path: string) => void;
}

/** Lists the client's people (legal representative, shareholders, contacts) with their protected fields. */
export function PeopleTable({ people, revealed, canReveal, onReveal, onHide }: PeopleTableProps) {
  const { t, findMessage } = useI18n();

  const roleLabel = (role: string) => findMessage(`personRole.${role}`) ?? role;

  const fieldColumn = (key: PersonField, title: string) => ({
    key,
    title,
    render: (_: unknown, person: ClientPerson) => {
      const field: FieldView = person[key];
      const path = `people.${person.id}.${key}`;

      // "ID number" alone is ambiguous in the dialog when a client has several people.
      const revealPerson = (_path: string, label: string) => onReveal(path, t('people.fieldLabel', { role: roleLabel(person.role), field: label }));
      return <ProtectedValue field={field} path={path} revealed={revealed.get(path)} canReveal={canReveal} onReveal={revealPerson} onHide={onHide} />;
    },
  });

  const columns: ColumnsType<ClientPerson> = [
    { key: 'role', title: t('people.role'), dataIndex: 'role', render: roleLabel },
    fieldColumn('name', t('people.name')),
    fieldColumn('idNumber', t('people.idNumber')),
    fieldColumn('phone', t('people.phone')),
  ];

  return <Table<ClientPerson> rowKey="id" size="small" columns={columns} dataSource={people} pagination={false} data-testid="people-table" />;
}
