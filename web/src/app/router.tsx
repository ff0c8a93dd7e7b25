import { lazy } from 'react';
import { createBrowserRouter } from 'react-router';

import { AppLayout, PublicLayout } from './AppLayout.js';
import { HomeRedirect, NotFoundPage, RequireAuth, RequirePermission } from './guards.js';

// Each page is its own chunk, so the first load carries only the frame and the current page.
const LoginPage = lazy(() => import('../features/auth/LoginPage.js').then((module) => ({ default: module.LoginPage })));
const SetupPage = lazy(() => import('../features/auth/SetupPage.js').then((module) => ({ default: module.SetupPage })));
const ClientListPage = lazy(() => import('../features/clients/ClientListPage.js').then((module) => ({ default: module.ClientListPage })));
const ClientDetailPage = lazy(() => import('../features/clients/ClientDetailPage.js').then((module) => ({ default: module.ClientDetailPage })));
const ImportPage = lazy(() => import('../features/imports/ImportPage.js').then((module) => ({ default: module.ImportPage })));
const AuditPage = lazy(() => import('../features/audit/AuditPage.js').then((module) => ({ default: module.AuditPage })));
const SecurityPage = lazy(() => import('../features/security/SecurityPage.js').then((module) => ({ default: module.SecurityPage })));
const AccountSecurityPage = lazy(() => import('../features/account/AccountSecurityPage.js').then((module) => ({ default: module.AccountSecurityPage })));
const OnlineSessionsPage = lazy(() => import('../features/admin/OnlineSessionsPage.js').then((module) => ({ default: module.OnlineSessionsPage })));
const AccessRequestsPage = lazy(() => import('../features/access/AccessRequestsPage.js').then((module) => ({ default: module.AccessRequestsPage })));
const GrantsPage = lazy(() => import('../features/access/GrantsPage.js').then((module) => ({ default: module.GrantsPage })));
const ReviewsPage = lazy(() => import('../features/reviews/ReviewsPage.js').then((module) => ({ default: module.ReviewsPage })));
const ExplainPage = lazy(() => import('../features/explain/ExplainPage.js').then((module) => ({ default: module.ExplainPage })));
const MatrixPage = lazy(() => import('../features/explain/MatrixPage.js').then((module) => ({ default: module.MatrixPage })));
const UsersPage = lazy(() => import('../features/admin/UsersPage.js').then((module) => ({ default: module.UsersPage })));

export const router = createBrowserRouter([
  {
    element: <PublicLayout />,
    children: [
      { path: '/login', element: <LoginPage /> },
      { path: '/setup', element: <SetupPage /> },
    ],
  },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      {
        path: 'clients',
        element: (
          <RequirePermission permission="client:list">
            <ClientListPage />
          </RequirePermission>
        ),
      },
      // No menu permission here: a link may come from an audit event, and the server decides.
      { path: 'clients/:clientId', element: <ClientDetailPage /> },
      {
        path: 'imports',
        element: (
          <RequirePermission permission="client:import">
            <ImportPage />
          </RequirePermission>
        ),
      },
      {
        path: 'audit',
        element: (
          <RequirePermission permission="audit:read">
            <AuditPage />
          </RequirePermission>
        ),
      },
      {
        path: 'security',
        element: (
          <RequirePermission permission="security:manage">
            <SecurityPage />
          </RequirePermission>
        ),
      },
      // Every member may file access requests, and approvers find their queue on the same page.
      { path: 'access/requests', element: <AccessRequestsPage /> },
      { path: 'access/grants', element: <GrantsPage /> },
      // Every member reviews the items assigned to them; the campaign part checks `review:manage` itself.
      { path: 'access/reviews', element: <ReviewsPage /> },
      {
        path: 'access/explain',
        element: (
          <RequirePermission permission="access:explain">
            <ExplainPage />
          </RequirePermission>
        ),
      },
      {
        path: 'access/matrix',
        element: (
          <RequirePermission permission="access:explain">
            <MatrixPage />
          </RequirePermission>
        ),
      },
      // Every member manages their own second factors, password and sessions.
      { path: 'account/security', element: <AccountSecurityPage /> },
      {
        path: 'admin/sessions',
        element: (
          <RequirePermission permission="session:manage">
            <OnlineSessionsPage />
          </RequirePermission>
        ),
      },
      {
        path: 'admin/users',
        element: (
          <RequirePermission permission="user:manage">
            <UsersPage />
          </RequirePermission>
        ),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
