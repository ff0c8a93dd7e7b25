import { Card, Flex, Typography } from 'antd';

import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { DepartmentMatrix } from './DepartmentMatrix.js';
import { RolePermissionTable } from './RolePermissionTable.js';

/** 权限矩阵, for holders of `access:explain`: roles × permissions, and one department's members × clients. */
export function MatrixPage() {
  const t = useT();
  useDocumentTitle(t('menu.matrix'));

  return (
    <Flex vertical gap={24}>
      <Card title={t('explain.matrix.rolesTitle')}>
        <RolePermissionTable />
      </Card>
      <Card title={t('explain.matrix.departmentTitle')}>
        <Typography.Paragraph type="secondary">{t('explain.matrix.intro')}</Typography.Paragraph>
        <DepartmentMatrix />
      </Card>
    </Flex>
  );
}
