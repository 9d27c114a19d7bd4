import type { Kysely } from 'kysely';
import type { DB, Member } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError, isUniqueViolation } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import type { MemberInput } from '../../../shared/schemas.js';
import * as repo from './repo.js';

export function toMemberDto(m: Member) {
  return { id: m.id, type: m.type, name: m.name, municipalityCode: m.municipality_code };
}
export type MemberDto = ReturnType<typeof toMemberDto>;

/** Maps a unique-index violation to the field the user must change. */
function memberConflict(err: unknown): never {
  const constraint = (err as { constraint?: string }).constraint;
  if (constraint === 'members_one_fk_af')
    throw AppError.conflict('type', 'duplicate', 'The association already has this member');
  if (constraint === 'members_municipality_code')
    throw AppError.conflict('municipalityCode', 'duplicate', 'This municipality is already a member');
  if (constraint === 'members_name')
    throw AppError.conflict('name', 'duplicate', 'A member with this name exists');
  throw err;
}

export async function listMembers(db: Kysely<DB>, scope: Scope) {
  return (await repo.listMembers(db, scope.associationId)).map(toMemberDto);
}

export async function addMember(db: Kysely<DB>, scope: Scope, input: MemberInput) {
  try {
    return await db.transaction().execute(async (tx) => {
      const m = await repo.insertMember(tx, scope.associationId, {
        type: input.type,
        name: input.name,
        municipalityCode: input.type === 'municipality' ? (input.municipalityCode ?? null) : null,
      });
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'member.created',
        entityType: 'member',
        entityId: m.id,
        details: { after: toMemberDto(m) },
      });
      return toMemberDto(m);
    });
  } catch (err) {
    if (isUniqueViolation(err)) memberConflict(err);
    throw err;
  }
}

/** A member's type is fixed once created: its shares and history depend on it. */
export async function editMember(db: Kysely<DB>, scope: Scope, memberId: string, input: MemberInput) {
  try {
    return await db.transaction().execute(async (tx) => {
      const before = await repo.findMember(tx, scope.associationId, memberId);
      if (!before) throw AppError.notFound('Member');
      if (before.type !== input.type)
        throw AppError.field('type', 'locked', 'A member’s type cannot be changed');
      const after = await repo.updateMember(tx, scope.associationId, memberId, {
        name: input.name,
        municipalityCode: before.type === 'municipality' ? (input.municipalityCode ?? null) : null,
      });
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: 'member.updated',
        entityType: 'member',
        entityId: memberId,
        details: { before: toMemberDto(before), after: toMemberDto(after) },
      });
      return toMemberDto(after);
    });
  } catch (err) {
    if (isUniqueViolation(err)) memberConflict(err);
    throw err;
  }
}

/**
 * Removes a member that has no contribution shares. FK and AF cannot be removed, nor the last
 * region or municipality: the law requires them.
 */
export async function removeMember(db: Kysely<DB>, scope: Scope, memberId: string) {
  await db.transaction().execute(async (tx) => {
    const m = await repo.findMember(tx, scope.associationId, memberId);
    if (!m) throw AppError.notFound('Member');
    if (m.type === 'fk' || m.type === 'af')
      throw AppError.conflict('type', 'required_member', 'Required member');
    const all = await repo.listMembers(tx, scope.associationId);
    if (all.filter((x) => x.type === m.type).length <= 1)
      throw AppError.conflict(
        'type',
        'last_of_type',
        'The association needs at least one member of this type',
      );
    if (await repo.memberHasShares(tx, scope.associationId, memberId))
      throw AppError.conflict('id', 'in_use', 'The member has contribution shares');
    await repo.deleteMember(tx, scope.associationId, memberId);
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'member.deleted',
      entityType: 'member',
      entityId: memberId,
      details: { before: toMemberDto(m) },
    });
  });
}
