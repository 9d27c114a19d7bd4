/**
 * Insats-level scoping of person data: a coordinator sees and registers only the participants of
 * the insatser assigned to them; everything else is "not found".
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError } from '../../errors.js';
import { INTERVENTION_SCOPED_ROLES } from '../../../shared/roles.js';

/** null = every insats of the association; otherwise the ids the caller is assigned to. */
export async function allowedInterventionIds(
  db: Kysely<DB> | Transaction<DB>,
  scope: Scope,
): Promise<string[] | null> {
  if (!INTERVENTION_SCOPED_ROLES.includes(scope.role)) return null;
  if (!scope.userId) return [];
  const rows = await db
    .selectFrom('intervention_users')
    .select('intervention_id')
    .where('association_id', '=', scope.associationId)
    .where('user_id', '=', scope.userId)
    .where('kind', '=', 'coordinator')
    .execute();
  return rows.map((r) => r.intervention_id);
}

/** The insats, if it exists in the association and the caller may work with its participants; else 404. */
export async function requireInterventionForPeople(
  db: Kysely<DB> | Transaction<DB>,
  scope: Scope,
  interventionId: string,
) {
  const allowed = await allowedInterventionIds(db, scope);
  if (allowed && !allowed.includes(interventionId)) throw AppError.notFound('Insats');
  const row = await db
    .selectFrom('interventions')
    .selectAll()
    .where('association_id', '=', scope.associationId)
    .where('id', '=', interventionId)
    .executeTakeFirst();
  if (!row) throw AppError.notFound('Insats');
  return row;
}
