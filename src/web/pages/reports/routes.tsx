/**
 * The report area's routes under /a/:slug. Every role reads results and reports (board and auditor
 * with protected figures); goals are managed by admins; the comparison is the system administrator's.
 */
import { Route } from 'react-router';
import { RequirePermission } from '../../components/Guards';
import { lazyPage } from '../../lazyPage';

const ComparePage = lazyPage(() => import('./ComparePage'), 'ComparePage');
const DashboardPage = lazyPage(() => import('./DashboardPage'), 'DashboardPage');
const GoalsPage = lazyPage(() => import('./GoalsPage'), 'GoalsPage');
const OutcomesPage = lazyPage(() => import('./OutcomesPage'), 'OutcomesPage');
const ReportPage = lazyPage(() => import('./ReportPage'), 'ReportPage');
const ReportsPage = lazyPage(() => import('./ReportsPage'), 'ReportsPage');

export function reportRoutes() {
  return (
    <>
      <Route
        path="dashboard"
        element={
          <RequirePermission permission="reports.read">
            <DashboardPage />
          </RequirePermission>
        }
      />
      <Route
        path="reports"
        element={
          <RequirePermission permission="reports.read">
            <ReportsPage />
          </RequirePermission>
        }
      />
      <Route
        path="reports/outcomes"
        element={
          <RequirePermission permission="reports.read">
            <OutcomesPage />
          </RequirePermission>
        }
      />
      <Route
        path="reports/goals"
        element={
          <RequirePermission permission="reports.manage">
            <GoalsPage />
          </RequirePermission>
        }
      />
      <Route
        path="reports/compare"
        element={
          <RequirePermission permission="reports.compare">
            <ComparePage />
          </RequirePermission>
        }
      />
      <Route
        path="reports/:id"
        element={
          <RequirePermission permission="reports.read">
            <ReportPage />
          </RequirePermission>
        }
      />
    </>
  );
}
