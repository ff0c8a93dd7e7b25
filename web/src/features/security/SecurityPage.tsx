import { Card, Tabs } from 'antd';
import { useSearchParams } from 'react-router';

import { useDocumentTitle } from '../../app/use-document-title.js';
import { useT } from '../../i18n/index.js';
import { AlertsDashboard } from './AlertsDashboard.js';
import { CalendarTab } from './CalendarTab.js';
import { ChannelsTab } from './ChannelsTab.js';
import { RulesTab } from './RulesTab.js';
import { parseAlertQuery, parseSecurityTab, toSecuritySearch, type SecurityTab } from './security-query.js';
import type { AlertQuery } from './security.api.js';

/** 安全监控, for security administrators: live alerts, detection rules, the work calendar and notification channels. */
export function SecurityPage() {
  const t = useT();
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = parseSecurityTab(searchParams);
  const query = parseAlertQuery(searchParams);
  useDocumentTitle(t('menu.securityDashboard'));

  const setTab = (next: SecurityTab) => setSearchParams(toSecuritySearch(next, query), { replace: true });
  const setQuery = (next: AlertQuery) => setSearchParams(toSecuritySearch(tab, next));

  // Only the open tab is mounted, so the alert feed stays open only while the alerts are on screen.
  const items = [
    { key: 'alerts', label: <span data-testid="security-tab-alerts">{t('security.tab.alerts')}</span>, children: tab === 'alerts' ? <AlertsDashboard query={query} onQueryChange={setQuery} /> : null },
    { key: 'rules', label: <span data-testid="security-tab-rules">{t('security.tab.rules')}</span>, children: tab === 'rules' ? <RulesTab /> : null },
    { key: 'calendar', label: <span data-testid="security-tab-calendar">{t('security.tab.calendar')}</span>, children: tab === 'calendar' ? <CalendarTab /> : null },
    { key: 'channels', label: <span data-testid="security-tab-channels">{t('security.tab.channels')}</span>, children: tab === 'channels' ? <ChannelsTab /> : null },
  ];

  return (
    <Card title={t('menu.securityDashboard')}>
      <Tabs activeKey={tab} onChange={(key) => setTab(key as SecurityTab)} items={items} />
    </Card>
  );
}
