/**
 * The register's routes under /a/:slug. Person-level pages require participants.read (or .write),
 * so the board and the auditor get the no-access page, as the server refuses them the data.
 */
import { Route } from 'react-router';
import { RequirePermission } from '../../components/Guards';
import { EntryPage } from './EntryPage';
import { ImportPage } from './ImportPage';
import { InterventionPage } from './InterventionPage';
import { InterventionsPage } from './InterventionsPage';
import { ParticipantsPage } from './ParticipantsPage';
import { ParticipationPage } from './ParticipationPage';
import { ReferralsPage } from './ReferralsPage';
import { TargetGroupsPage } from './TargetGroupsPage';

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
