import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError, isUniqueViolation } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import type { InterventionCreate, InterventionUpdate } from '../../../shared/register-schemas.js';
import { STATUS_TRANSITIONS, type InterventionStatus } from '../../../shared/participants.js';
import { allowedInterventionIds } from './access.js';

type Conn = Kysely<DB> | Transaction<DB>;

async function loadRelations(db: Conn, associationId: string, ids: string[]) {
  if (ids.length === 0) return { groups: [], users: [] };
  const groups = await db
    .selectFrom('intervention_target_groups as itg')
    .innerJoin('target_groups as tg', (j) =>
      j.onRef('tg.association_id', '=', 'itg.association_id').onRef('tg.id', '=', 'itg.target_group_id'),
    )
    .select(['itg.intervention_id', 'tg.id', 'tg.name'])
    .where('itg.association_id', '=', associationId)
    .where('itg.intervention_id', 'in', ids)
    .orderBy('tg.name')
    .execute();
  const users = await db
    .selectFrom('intervention_users as iu')
    .innerJoin('users as u', 'u.id', 'iu.user_id')
    .select(['iu.intervention_id', 'iu.kind', 'u.id', 'u.name', 'u.email'])
    .where('iu.association_id', '=', associationId)
    .where('iu.intervention_id', 'in', ids)
    .orderBy('u.name')
    .execute();
  return { groups, users };
}

type InterventionRow = Awaited<ReturnType<typeof findIntervention>>;

function findIntervention(db: Conn, associationId: string, id: string) {
  return db
    .selectFrom('interventions as i')
    .leftJoin('members as m', (j) =>
      j.onRef('m.association_id', '=', 'i.association_id').onRef('m.id', '=', 'i.organiser_member_id'),
    )
    .selectAll('i')
    .select('m.name as organiser_name')
    .where('i.association_id', '=', associationId)
    .where('i.id', '=', id)
    .executeTakeFirst();
}

function toDto(r: NonNullable<InterventionRow>, rel: Awaited<ReturnType<typeof loadRelations>>) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    direction: r.direction,
    followUp: r.follow_up,
    esf: r.esf,
    startDate: r.start_date,
    endDate: r.end_date,
    organiser: r.organiser_member_id ? { id: r.organiser_member_id, name: r.organiser_name } : null,
    status: r.status,
    statusDate: r.status_date,
    plannedParticipants: r.planned_participants,
    notes: r.notes,
    targetGroups: rel.groups
      .filter((g) => g.intervention_id === r.id)
      .map((g) => ({ id: g.id, name: g.name })),
    responsible: rel.users
      .filter((u) => u.intervention_id === r.id && u.kind === 'responsible')
      .map((u) => ({ id: u.id, name: u.name })),
    coordinators: rel.users
      .filter((u) => u.intervention_id === r.id && u.kind === 'coordinator')
      .map((u) => ({ id: u.id, name: u.name })),
  };
}
export type InterventionDto = ReturnType<typeof toDto>;

/** Every insats of the association (insats facts are not personal data), with ongoing counts for people who may see them. */
export async function listInterventions(db: Kysely<DB>, scope: Scope) {
  const rows = await db
    .selectFrom('interventions as i')
    .leftJoin('members as m', (j) =>
      j.onRef('m.association_id', '=', 'i.association_id').onRef('m.id', '=', 'i.organiser_member_id'),
    )
    .selectAll('i')
    .select('m.name as organiser_name')
    .where('i.association_id', '=', scope.associationId)
    .orderBy(sql`lower(i.name)`)
    .execute();
  const rel = await loadRelations(
    db,
    scope.associationId,
    rows.map((r) => r.id),
  );
  const allowed = await allowedInterventionIds(db, scope);
  return rows.map((r) => ({ ...toDto(r, rel), mine: allowed === null ? null : allowed.includes(r.id) }));
}

export async function getIntervention(db: Kysely<DB>, scope: Scope, id: string) {
  const r = await findIntervention(db, scope.associationId, id);
  if (!r) throw AppError.notFound('Insats');
  const history = await db
    .selectFrom('intervention_status_history as h')
    .leftJoin('users as u', 'u.id', 'h.changed_by')
    .select(['h.status', 'h.status_date', 'h.changed_at', 'u.name as changed_by'])
    .where('h.association_id', '=', scope.associationId)
    .where('h.intervention_id', '=', id)
    .orderBy('h.id')
    .execute();
  return {
    ...toDto(r, await loadRelations(db, scope.associationId, [id])),
    statusHistory: history.map((h) => ({
      status: h.status,
      date: h.status_date,
      changedAt: h.changed_at.toISOString(),
      changedBy: h.changed_by,
    })),
  };
}

/** Checks that referenced members, target groups and users belong to the association. */
async function checkReferences(
  db: Conn,
  scope: Scope,
  v: { organiserMemberId: string | null; targetGroupIds: string[]; responsibleUserIds: string[] },
) {
  if (v.organiserMemberId) {
    const m = await db
      .selectFrom('members')
      .select('id')
      .where('association_id', '=', scope.associationId)
      .where('id', '=', v.organiserMemberId)
      .executeTakeFirst();
    if (!m) throw AppError.field('organiserMemberId', 'unknown_member', 'Unknown member');
  }
  if (v.targetGroupIds.length) {
    const found = await db
      .selectFrom('target_groups')
      .select('id')
      .where('association_id', '=', scope.associationId)
      .where('id', 'in', v.targetGroupIds)
      .execute();
    const ok = new Set(found.map((f) => f.id));
    const bad = v.targetGroupIds.findIndex((id) => !ok.has(id));
    if (bad >= 0)
      throw AppError.field(`targetGroupIds.${bad}`, 'unknown_target_group', 'Unknown target group');
  }
  if (v.responsibleUserIds.length) {
    const found = await db
      .selectFrom('memberships')
      .select('user_id')
      .where('association_id', '=', scope.associationId)
      .where('user_id', 'in', v.responsibleUserIds)
      .execute();
    const ok = new Set(found.map((f) => f.user_id));
    const bad = v.responsibleUserIds.findIndex((id) => !ok.has(id));
    if (bad >= 0) throw AppError.field(`responsibleUserIds.${bad}`, 'unknown_user', 'Unknown user');
  }
}

async function replaceLinks(
  db: Conn,
  scope: Scope,
  id: string,
  targetGroupIds: string[],
  responsibleUserIds: string[],
) {
  await db
    .deleteFrom('intervention_target_groups')
    .where('association_id', '=', scope.associationId)
    .where('intervention_id', '=', id)
    .execute();
  if (targetGroupIds.length)
    await db
      .insertInto('intervention_target_groups')
      .values(
        [...new Set(targetGroupIds)].map((g) => ({
          association_id: scope.associationId,
          intervention_id: id,
          target_group_id: g,
        })),
      )
      .execute();
  await db
    .deleteFrom('intervention_users')
    .where('association_id', '=', scope.associationId)
    .where('intervention_id', '=', id)
    .where('kind', '=', 'responsible')
    .execute();
  if (responsibleUserIds.length)
    await db
      .insertInto('intervention_users')
      .values(
        [...new Set(responsibleUserIds)].map((u) => ({
          association_id: scope.associationId,
          intervention_id: id,
          user_id: u,
          kind: 'responsible' as const,
        })),
      )
      .execute();
}

function nameConflict(err: unknown): never {
  if (isUniqueViolation(err)) throw AppError.conflict('name', 'duplicate', 'An insats with this name exists');
  throw err;
}

export async function createIntervention(db: Kysely<DB>, scope: Scope, input: InterventionCreate) {
  try {
    const id = await db.transaction().execute(async (tx) => {
      await checkReferences(tx, scope, input);
      const row = await tx
        .insertInto('interventions')
        .values({
          association_id: scope.associationId,
          name: input.name,
          description: input.description,
          direction: input.direction,
          follow_up: input.followUp,
          esf: input.esf,
          start_date: input.startDate,
          end_date: input.endDate,
          organiser_member_id: input.organiserMemberId,
          planned_participants: input.plannedParticipants,
          notes: input.notes,
        })
        .returning(['id', 'status', 'status_date'])
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('intervention_status_history')
        .values({
          association_id: scope.associationId,
          intervention_id: row.id,
          status: row.status,
          status_date: row.status_date,
          changed_by: scope.userId,
        })
        .execute();
      await replaceLinks(tx, scope, row.id, input.targetGroupIds, input.responsibleUserIds);
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'intervention.created',
        entityType: 'intervention',
        entityId: row.id,
        details: { name: input.name, direction: input.direction, followUp: input.followUp, esf: input.esf },
      });
      return row.id;
    });
    return getIntervention(db, scope, id);
  } catch (err) {
    nameConflict(err);
  }
}

const LOCKED = [
  ['direction', 'direction'],
  ['followUp', 'follow_up'],
  ['esf', 'esf'],
] as const;

export async function updateIntervention(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  input: InterventionUpdate,
) {
  try {
    await db.transaction().execute(async (tx) => {
      const before = await findIntervention(tx, scope.associationId, id);
      if (!before) throw AppError.notFound('Insats');
      for (const [field, column] of LOCKED) {
        if (input[field] !== undefined && input[field] !== before[column])
          throw AppError.field(field, 'locked', `${field} cannot be changed once the insats is created`);
      }
      if (input.startDate && input.endDate && input.endDate < input.startDate)
        throw AppError.field('endDate', 'before_start', 'The end date is before the start date');
      await checkReferences(tx, scope, input);
      await tx
        .updateTable('interventions')
        .set({
          name: input.name,
          description: input.description,
          start_date: input.startDate,
          end_date: input.endDate,
          organiser_member_id: input.organiserMemberId,
          planned_participants: input.plannedParticipants,
          notes: input.notes,
        })
        .where('association_id', '=', scope.associationId)
        .where('id', '=', id)
        .execute();
      await replaceLinks(tx, scope, id, input.targetGroupIds, input.responsibleUserIds);
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'intervention.updated',
        entityType: 'intervention',
        entityId: id,
        details: {
          before: { name: before.name, startDate: before.start_date, endDate: before.end_date },
          after: { name: input.name, startDate: input.startDate, endDate: input.endDate },
        },
      });
    });
  } catch (err) {
    nameConflict(err);
  }
  return getIntervention(db, scope, id);
}

/** Moves the insats along its lifecycle; each change is dated, kept in the history and audited. */
export async function changeInterventionStatus(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  status: InterventionStatus,
  date: string,
) {
  await db.transaction().execute(async (tx) => {
    const before = await findIntervention(tx, scope.associationId, id);
    if (!before) throw AppError.notFound('Insats');
    if (!STATUS_TRANSITIONS[before.status].includes(status))
      throw AppError.field('status', 'transition', `Cannot go from ${before.status} to ${status}`);
    await tx
      .updateTable('interventions')
      .set({ status, status_date: date })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', id)
      .execute();
    await tx
      .insertInto('intervention_status_history')
      .values({
        association_id: scope.associationId,
        intervention_id: id,
        status,
        status_date: date,
        changed_by: scope.userId,
      })
      .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'intervention.status_changed',
      entityType: 'intervention',
      entityId: id,
      details: { from: before.status, to: status, date },
    });
  });
  return getIntervention(db, scope, id);
}

/** Replaces the coordinators of an insats. Each must be a coordinator-role user of the association. */
export async function setCoordinators(db: Kysely<DB>, scope: Scope, id: string, userIds: string[]) {
  await db.transaction().execute(async (tx) => {
    const before = await findIntervention(tx, scope.associationId, id);
    if (!before) throw AppError.notFound('Insats');
    const unique = [...new Set(userIds)];
    if (unique.length) {
      const found = await tx
        .selectFrom('memberships')
        .select(['user_id', 'role'])
        .where('association_id', '=', scope.associationId)
        .where('user_id', 'in', unique)
        .execute();
      const byId = new Map(found.map((f) => [f.user_id, f.role]));
      unique.forEach((u, i) => {
        if (!byId.has(u)) throw AppError.field(`userIds.${i}`, 'unknown_user', 'Unknown user');
        if (byId.get(u) !== 'coordinator')
          throw AppError.field(`userIds.${i}`, 'not_coordinator', 'Not a coordinator');
      });
    }
    await tx
      .deleteFrom('intervention_users')
      .where('association_id', '=', scope.associationId)
      .where('intervention_id', '=', id)
      .where('kind', '=', 'coordinator')
      .execute();
    if (unique.length)
      await tx
        .insertInto('intervention_users')
        .values(
          unique.map((u) => ({
            association_id: scope.associationId,
            intervention_id: id,
            user_id: u,
            kind: 'coordinator' as const,
          })),
        )
        .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'intervention.coordinators_set',
      entityType: 'intervention',
      entityId: id,
      details: { userIds: unique },
    });
  });
  return getIntervention(db, scope, id);
}

// ---- target groups (editable reference list per association) ----

export async function listTargetGroups(db: Kysely<DB>, scope: Scope) {
  const rows = await db
    .selectFrom('target_groups')
    .select(['id', 'name', 'active'])
    .where('association_id', '=', scope.associationId)
    .orderBy(sql`lower(name)`)
    .execute();
  return rows;
}

export async function saveTargetGroup(
  db: Kysely<DB>,
  scope: Scope,
  id: string | null,
  input: { name: string; active: boolean },
) {
  try {
    return await db.transaction().execute(async (tx) => {
      let row;
      if (id) {
        row = await tx
          .updateTable('target_groups')
          .set({ name: input.name, active: input.active })
          .where('association_id', '=', scope.associationId)
          .where('id', '=', id)
          .returning(['id', 'name', 'active'])
          .executeTakeFirst();
        if (!row) throw AppError.notFound('Target group');
      } else {
        row = await tx
          .insertInto('target_groups')
          .values({ association_id: scope.associationId, name: input.name, active: input.active })
          .returning(['id', 'name', 'active'])
          .executeTakeFirstOrThrow();
      }
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: id ? 'target_group.updated' : 'target_group.created',
        entityType: 'target_group',
        entityId: row.id,
        details: input,
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw AppError.conflict('name', 'duplicate', 'A target group with this name exists');
    throw err;
  }
}

/** The seeds' priority groups, added to every new association. */
export const DEFAULT_TARGET_GROUPS = [
  'Unga 16–29 med aktivitetsersättning',
  'Unga 16–29 som varken arbetar eller studerar',
  'Långvarigt bidrags- och/eller ersättningsberoende',
  'Personer med psykisk ohälsa',
  'Utrikes födda långt från arbetsmarknaden',
  'Sjukskrivna i behov av samordnade insatser',
];
