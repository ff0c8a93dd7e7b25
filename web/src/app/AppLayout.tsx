import { App as AntdApp, Button, Dropdown, Flex, Layout, Menu, Tag, Tooltip, Typography, type MenuProps } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { Link, Outlet, useLocation } from 'react-router';

import { StepUpProvider } from '../features/auth/step-up.js';
import { useI18n, useT } from '../i18n/index.js';
import { useAuth, useMe } from './auth-context.js';
import { describeError } from './describe-error.js';
import { PageSpinner } from './guards.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { ACCOUNT_SECURITY_PATH, menuFor } from './navigation.js';

// The bell polls the server and brings its own list, so it loads after the frame has rendered.
const NotificationBell = lazy(() => import('../features/account/NotificationBell.js').then((module) => ({ default: module.NotificationBell })));

function RoleTags({ roles }: { roles: string[] }) {
  const { findMessage } = useI18n();
  return (
    <>
      {roles.map((role) => (
        <Tag key={role}>{findMessage(`role.${role}`) ?? role}</Tag>
      ))}
    </>
  );
}

function SignOutButton() {
  const { signOut } = useAuth();
  const { message } = AntdApp.useApp();
  const t = useT();
  const [pending, setPending] = useState(false);

  const onClick = async () => {
    setPending(true);
    try {
      await signOut();
    } catch (error) {
      // The local session state is dropped anyway, so the warning only says the server may still keep it.
      void message.warning(describeError(error, t));
    } finally {
      setPending(false);
    }
  };

  return (
    <Button data-testid="logout" loading={pending} onClick={() => void onClick()}>
      {t('auth.signOut')}
    </Button>
  );
}

/** Renders the member's name in the header as a button that opens a menu of the account pages. */
function UserMenu() {
  const me = useMe();
  const t = useT();

  const items: MenuProps['items'] = [
    {
      key: 'security',
      label: (
        <Link to={ACCOUNT_SECURITY_PATH} data-testid="menu-security">
          {t('menu.security')}
        </Link>
      ),
    },
  ];

  return (
    <Dropdown menu={{ items }} trigger={['click']} placement="bottomRight">
      <Tooltip title={me.departmentName ?? t('app.noDepartment')} placement="left">
        <Button type="text" data-testid="current-user" aria-label={t('menu.userMenu', { name: me.displayName })}>
          {me.displayName}
        </Button>
      </Tooltip>
    </Dropdown>
  );
}

/** Renders the frame of every signed-in page: top menu by permission, notifications, member menu, language, sign-out. */
export function AppLayout() {
  const me = useMe();
  const t = useT();
  const location = useLocation();

  const entries = menuFor(me);
  const selected = entries.filter((entry) => location.pathname.startsWith(entry.path)).map((entry) => entry.path);
  const items = entries.map((entry) => ({ key: entry.path, label: <Link to={entry.path}>{t(entry.label)}</Link> }));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 24, background: '#fff', borderBottom: '1px solid #f0f0f0' }}>
        <Link to="/" aria-label={t('app.homeLink')}>
          <Typography.Text strong style={{ fontSize: 18, whiteSpace: 'nowrap' }}>
            {t('app.name')}
          </Typography.Text>
        </Link>
        <Menu mode="horizontal" aria-label={t('menu.label')} selectedKeys={selected} items={items} style={{ flex: 1, minWidth: 0, borderBottom: 'none' }} />
        <Flex align="center" gap={8}>
          <Suspense fallback={null}>
            <NotificationBell />
          </Suspense>
          <UserMenu />
          <RoleTags roles={me.roles} />
          <LanguageSwitch />
          <SignOutButton />
        </Flex>
      </Layout.Header>
      <Layout.Content style={{ padding: 24 }}>
        <StepUpProvider>
          <Suspense fallback={<PageSpinner />}>
            <Outlet />
          </Suspense>
        </StepUpProvider>
      </Layout.Content>
    </Layout>
  );
}

/** Renders the frame of the pages before sign-in: a centred column with the language switch. */
export function PublicLayout() {
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Flex justify="flex-end" style={{ padding: '12px 24px' }}>
        <LanguageSwitch />
      </Flex>
      <Layout.Content style={{ display: 'flex', justifyContent: 'center', alignItems: 'flex-start', padding: '48px 16px' }}>
        <Suspense fallback={<PageSpinner />}>
          <Outlet />
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}
