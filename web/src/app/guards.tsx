import { Button, Result, Spin } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link, Navigate, useLocation } from 'react-router';

import { useT } from '../i18n/index.js';
import { useAuth, useMe } from './auth-context.js';
import { ACCOUNT_SECURITY_PATH, findHomePath, hasPermission } from './navigation.js';

const ForcedPasswordChangePage = lazy(() => import('../features/account/ForcedPasswordChangePage.js').then((module) => ({ default: module.ForcedPasswordChangePage })));

/** Location state of the sign-in page: the path to return to after signing in. */
export interface SignInRedirect {
  from?: string;
}

export function PageSpinner() {
  const t = useT();
  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: 96 }}>
      <Spin size="large" aria-label={t('common.loading')} />
    </div>
  );
}

/**
 * Renders its children for a signed-in member and sends everyone else to the sign-in page. A
 * member who must change the password gets only the change form, on whatever route they opened.
 */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { state, reload } = useAuth();
  const location = useLocation();
  const t = useT();

  if (state.status === 'loading') return <PageSpinner />;

  if (state.status === 'failed') {
    return (
      <Result
        status="error"
        title={t('error.sessionCheckFailed')}
        extra={
          <Button type="primary" onClick={reload}>
            {t('common.retry')}
          </Button>
        }
      />
    );
  }

  if (state.me === null) {
    // After a lost session the member comes back to the same page. After signing out, the next
    // person to sign in on this browser may be someone else, so they start from their home page.
    const redirect: SignInRedirect = state.signedOut === true ? {} : { from: location.pathname + location.search };
    return <Navigate to="/login" replace state={redirect} />;
  }

  // The route stays in the address bar, so the member lands there once the password is changed.
  if (state.me.mustChangePassword === true) {
    return (
      <Suspense fallback={<PageSpinner />}>
        <ForcedPasswordChangePage />
      </Suspense>
    );
  }

  return children;
}

/**
 * Hides a page from members without the permission. The server checks every call anyway, so this
 * only spares the member a page full of errors.
 */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const me = useMe();
  const t = useT();

  if (!hasPermission(me, permission)) return <Result status="403" title={t('error.pageForbidden')} />;
  return children;
}

export function HomeRedirect() {
  const me = useMe();
  const t = useT();

  const home = findHomePath(me);
  if (home === undefined) return <Result status="info" title={t('home.noFeatures')} subTitle={t('home.noFeaturesHint')} extra={<Link to={ACCOUNT_SECURITY_PATH}>{t('menu.security')}</Link>} />;
  return <Navigate to={home} replace />;
}

export function NotFoundPage() {
  const t = useT();
  return <Result status="404" title={t('error.pageNotFound')} />;
}
