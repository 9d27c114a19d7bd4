/**
 * The register's routes under /a/:slug. Person-level pages require participants.read (or .write),
 * so the board and the auditor get the no-access page, as the server refuses them the data.
 */
import { Route } from 'react-router';
import { RequirePermission } from '../../components/Guards';
import { lazyPage } from '../../lazyPage';

const EntryPage = lazyPage(() => import('./EntryPage'), 'EntryPage');
const ImportPage = lazyPage(() => import('./ImportPage'), 'ImportPage');
const InterventionPage = lazyPage(() => import('./InterventionPage'), 'InterventionPage');
const InterventionsPage = lazyPage(() => import('./InterventionsPage'), 'InterventionsPage');
const ParticipantsPage = lazyPage(() => import('./ParticipantsPage'), 'ParticipantsPage');
const ParticipationPage = lazyPage(() => import('./ParticipationPage'), 'ParticipationPage');
const ReferralsPage = lazyPage(() => import('./ReferralsPage'), 'ReferralsPage');
const TargetGroupsPage = lazyPage(() => import('./TargetGroupsPage'), 'TargetGroupsPage');

export function registerRoutes() {
  return (
    <>
      <Route
        path="insatser"
        element={
          <RequirePermission permission="interventions.read">
            <InterventionsPage />
          </RequirePermission>
        }
      />
      <Route
        path="insatser/malgrupper"
        element={
          <RequirePermission permission="interventions.manage">
            <TargetGroupsPage />
          </RequirePermission>
        }
      />
      <Route
        path="insatser/:id"
        element={
          <RequirePermission permission="interventions.read">
            <InterventionPage />
          </RequirePermission>
        }
      />
      <Route
        path="insatser/:id/deltagare"
        element={
          <RequirePermission permission="participants.read">
            <ParticipantsPage />
          </RequirePermission>
        }
      />
      <Route
        path="deltagare/ny"
        element={
          <RequirePermission permission="participants.write">
            <EntryPage />
          </RequirePermission>
        }
      />
      <Route
        path="deltagare/:id"
        element={
          <RequirePermission permission="participants.read">
            <ParticipationPage />
          </RequirePermission>
        }
      />
      <Route
        path="remisser"
        element={
          <RequirePermission permission="participants.read">
            <ReferralsPage />
          </RequirePermission>
        }
      />
      <Route
        path="import"
        element={
          <RequirePermission permission="participants.write">
            <ImportPage />
          </RequirePermission>
        }
      />
    </>
  );
}
