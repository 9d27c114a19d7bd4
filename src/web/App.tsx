import { Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { AssociationRoute, PASSWORD_PATH, RequirePermission, RequireSession } from './components/Guards';
import { LoginPage } from './pages/LoginPage';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { OverviewPage } from './pages/overview/OverviewPage';
import { reportRoutes } from './pages/reports/routes';
import { registerRoutes } from './pages/register/routes';
import { lazyPage } from './lazyPage';

const AssociationPage = lazyPage(() => import('./pages/admin/AssociationPage'), 'AssociationPage');
const MembersPage = lazyPage(() => import('./pages/admin/MembersPage'), 'MembersPage');
const ContributionsPage = lazyPage(() => import('./pages/admin/ContributionsPage'), 'ContributionsPage');
const UsersPage = lazyPage(() => import('./pages/admin/UsersPage'), 'UsersPage');
const AuditPage = lazyPage(() => import('./pages/audit/AuditPage'), 'AuditPage');

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireSession />}>
          <Route path={PASSWORD_PATH} element={<ChangePasswordPage />} />
          <Route path="/" element={<HomePage />} />
          <Route path="/a/:slug" element={<AssociationRoute />}>
            <Route index element={<OverviewPage />} />
            <Route
              path="admin/association"
              element={
                <RequirePermission permission="association.manage">
                  <AssociationPage />
                </RequirePermission>
              }
            />
            <Route
              path="admin/members"
              element={
                <RequirePermission permission="members.manage">
                  <MembersPage />
                </RequirePermission>
              }
            />
            <Route
              path="admin/contributions/:year?"
              element={
                <RequirePermission permission="contributions.manage">
                  <ContributionsPage />
                </RequirePermission>
              }
            />
            <Route
              path="admin/users"
              element={
                <RequirePermission permission="users.manage">
                  <UsersPage />
                </RequirePermission>
              }
            />
            <Route
              path="audit"
              element={
                <RequirePermission permission="audit.read">
                  <AuditPage />
                </RequirePermission>
              }
            />
            {registerRoutes()}
            {reportRoutes()}
            <Route path="*" element={<NotFoundPage />} />
          </Route>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
