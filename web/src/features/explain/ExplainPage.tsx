import { Card, Tabs, Typography } from 'antd';

import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { ReachTab } from './ReachTab.js';
import { ViewersTab } from './ViewersTab.js';
import { WhyTab } from './WhyTab.js';

/** 权限解释, for holders of `access:explain`. Every lookup is recorded in the audit log by the server. */
export function ExplainPage() {
  const t = useT();
  useDocumentTitle(t('menu.explain'));

  const items = [
    { key: 'why', label: t('explain.tab.why'), children: <WhyTab /> },
    { key: 'viewers', label: t('explain.tab.viewers'), children: <ViewersTab /> },
    { key: 'reach', label: t('explain.tab.reach'), children: <ReachTab /> },
  ];

  return (
    <Card title={t('menu.explain')}>
      <Typography.Paragraph type="secondary">{t('explain.intro')}</Typography.Paragraph>
      <Tabs data-testid="explain-tabs" items={items} />
    </Card>
  );
}
