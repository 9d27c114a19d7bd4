import type { Kysely } from 'kysely';
import type { DB, Association } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError, isUniqueViolation } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import type { AssociationCreate, AssociationUpdate } from '../../../shared/schemas.js';
import * as repo from './repo.js';
import { insertMember, listMembers } from '../members/repo.js';
import { toMemberDto } from '../members/service.js';
import { getContributionYear } from '../contributions/service.js';
import { listAssociationUsers } from '../users/service.js';
import { roleAllows } from '../../../shared/roles.js';
import { DEFAULT_TARGET_GROUPS } from '../interventions/service.js';

export function toAssociationDto(a: Association) {
  return { id: a.id, slug: a.slug, name: a.name, orgNumber: a.org_number };
}
export type AssociationDto = ReturnType<typeof toAssociationDto>;

/**
 * Creates an association with its Försäkringskassan and Arbetsförmedlingen members, which every
 * association has exactly one of. Regions and municipalities are added afterwards.
 */
export async function createAssociation(
  db: Kysely<DB>,
  actorUserId: string | null,
  input: AssociationCreate,
) {
  try {
    return await db.transaction().execute(async (tx) => {
      const a = await repo.insertAssociation(tx, {
        slug: input.slug,
        name: input.name,
        orgNumber: input.orgNumber ?? null,
      });
      await insertMember(tx, a.id, { type: 'fk', name: 'Försäkringskassan', municipalityCode: null });
      await insertMember(tx, a.id, { type: 'af', name: 'Arbetsförmedlingen', municipalityCode: null });
      await tx
        .insertInto('target_groups')
        .values(DEFAULT_TARGET_GROUPS.map((name) => ({ association_id: a.id, name })))
        .execute();
      await recordAudit(tx, {
        associationId: a.id,
        actorUserId,
        action: 'association.created',
        entityType: 'association',
        entityId: a.id,
        details: { slug: a.slug, name: a.name },
      });
      return toAssociationDto(a);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw AppError.conflict('slug', 'duplicate', 'An association with this slug exists');
    throw err;
  }
}

export async function updateAssociation(db: Kysely<DB>, scope: Scope, input: AssociationUpdate) {
  return db.transaction().execute(async (tx) => {
    const before = await repo.findAssociation(tx, scope.associationId);
    if (!before) throw AppError.notFound('Association');
    const after = await repo.updateAssociation(tx, scope.associationId, input);
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'association.updated',
      entityType: 'association',
      entityId: scope.associationId,
      details: { before: toAssociationDto(before), after: toAssociationDto(after) },
    });
    return toAssociationDto(after);
  });
}

/** Completeness per the law: exactly one FK and one AF, at least one region and one municipality. */
export function memberCompleteness(types: string[]) {
  const count = (t: string) => types.filter((x) => x === t).length;
  const problems: string[] = [];
  if (count('fk') !== 1) problems.push('fk');
  if (count('af') !== 1) problems.push('af');
  if (count('region') < 1) problems.push('region');
  if (count('municipality') < 1) problems.push('municipality');
  return problems;
}

/** Everything the overview page shows, in one call. Users are included only for roles that may see them. */
export async function getOverview(db: Kysely<DB>, scope: Scope, year: number) {
  const association = await repo.findAssociation(db, scope.associationId);
  if (!association) throw AppError.notFound('Association');
  const members = await listMembers(db, scope.associationId);
  const contribution = await getContributionYear(db, scope, year);
  const users = roleAllows(scope.role, 'users.read') ? await listAssociationUsers(db, scope) : null;
  return {
    association: toAssociationDto(association),
    role: scope.role,
    members: members.map(toMemberDto),
    municipalities: members
      .filter((m) => m.type === 'municipality')
      .map((m) => ({ code: m.municipality_code as string, name: m.name })),
    incomplete: memberCompleteness(members.map((m) => m.type)),
    contribution,
    users,
  };
}
