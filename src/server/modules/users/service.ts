import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError, isUniqueViolation } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import { generateOneTimePassword, hashPassword } from '../../auth/password.js';
import type { UserCreate, UserUpdate } from '../../../shared/schemas.js';
import type { AssociationRole } from '../../../shared/roles.js';

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: AssociationRole;
}

export async function listAssociationUsers(db: Kysely<DB>, scope: Scope): Promise<UserDto[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role'])
    .where('m.association_id', '=', scope.associationId)
    .orderBy('u.name')
    .execute();
  return rows;
}

/**
 * Adds a user to the association. An e-mail already known to the instance gets a membership
 * (one person, several associations); a new one gets an account, with a generated one-time
 * password unless one is given. The one-time password is returned once and never stored.
 */
export async function createUser(db: Kysely<DB>, scope: Scope, input: UserCreate) {
  const oneTimePassword = input.password ? null : generateOneTimePassword();
  const passwordHash = await hashPassword(input.password ?? (oneTimePassword as string));
  try {
    return await db.transaction().execute(async (tx) => {
      let user = await tx
        .selectFrom('users')
        .select(['id', 'email', 'name'])
        .where(sql<string>`lower(email)`, '=', input.email)
        .executeTakeFirst();
      const existing = user !== undefined;
      if (!user) {
        user = await tx
          .insertInto('users')
          .values({
            email: input.email,
            name: input.name,
            password_hash: passwordHash,
            must_change_password: oneTimePassword !== null,
          })
          .returning(['id', 'email', 'name'])
          .executeTakeFirstOrThrow();
      }
      await tx
        .insertInto('memberships')
        .values({ association_id: scope.associationId, user_id: user.id, role: input.role })
        .execute();
      await recordAudit(tx, {
        associationId: scope.associationId,
        actorUserId: scope.userId,
        action: existing ? 'membership.created' : 'user.created',
        entityType: 'user',
        entityId: user.id,
        details: { email: user.email, role: input.role },
      });
      return {
        user: { ...user, role: input.role } satisfies UserDto,
        // An existing account keeps its password; nothing to hand out.
        oneTimePassword: existing ? null : oneTimePassword,
      };
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw AppError.conflict('email', 'duplicate', 'This e-mail is already a user here');
    throw err;
  }
}

async function countAdmins(db: Kysely<DB>, associationId: string) {
  const r = await db
    .selectFrom('memberships')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('association_id', '=', associationId)
    .where('role', '=', 'association_admin')
    .executeTakeFirstOrThrow();
  return r.n;
}

export async function updateUser(db: Kysely<DB>, scope: Scope, userId: string, input: UserUpdate) {
  return db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email', 'u.name', 'm.role'])
      .where('m.association_id', '=', scope.associationId)
      .where('m.user_id', '=', userId)
      .executeTakeFirst();
    if (!before) throw AppError.notFound('User');
    if (before.role === 'association_admin' && input.role !== 'association_admin') {
      if ((await countAdmins(tx, scope.associationId)) <= 1)
        throw AppError.conflict('role', 'last_admin', 'The association needs at least one administrator');
    }
    await tx
      .updateTable('memberships')
      .set({ role: input.role })
      .where('association_id', '=', scope.associationId)
      .where('user_id', '=', userId)
      .execute();
    await tx.updateTable('users').set({ name: input.name }).where('id', '=', userId).execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'user.updated',
      entityType: 'user',
      entityId: userId,
      details: { before: { name: before.name, role: before.role }, after: input },
    });
    return { ...before, ...input } satisfies UserDto;
  });
}

/** Ends the user's membership here; the account remains for other associations. */
export async function removeUser(db: Kysely<DB>, scope: Scope, userId: string) {
  await db.transaction().execute(async (tx) => {
    const m = await tx
      .selectFrom('memberships')
      .select('role')
      .where('association_id', '=', scope.associationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!m) throw AppError.notFound('User');
    if (m.role === 'association_admin' && (await countAdmins(tx, scope.associationId)) <= 1)
      throw AppError.conflict('role', 'last_admin', 'The association needs at least one administrator');
    await tx
      .deleteFrom('memberships')
      .where('association_id', '=', scope.associationId)
      .where('user_id', '=', userId)
      .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'membership.deleted',
      entityType: 'user',
      entityId: userId,
    });
  });
}

/**
 * Creates an instance-wide system administrator (CLI only: the first admin of a PostgreSQL
 * deployment). An existing account is promoted and keeps its password.
 */
export async function createSystemAdmin(
  db: Kysely<DB>,
  input: { email: string; name: string; password?: string | undefined },
) {
  const oneTimePassword = input.password ? null : generateOneTimePassword();
  const passwordHash = await hashPassword(input.password ?? (oneTimePassword as string));
  return db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('users')
      .select(['id', 'email', 'name'])
      .where(sql<string>`lower(email)`, '=', input.email)
      .executeTakeFirst();
    const user =
      existing ??
      (await tx
        .insertInto('users')
        .values({
          email: input.email,
          name: input.name,
          password_hash: passwordHash,
          must_change_password: oneTimePassword !== null,
        })
        .returning(['id', 'email', 'name'])
        .executeTakeFirstOrThrow());
    await tx.updateTable('users').set({ is_system_admin: true }).where('id', '=', user.id).execute();
    await recordAudit(tx, {
      associationId: null,
      actorUserId: null,
      action: existing ? 'user.promoted_system_admin' : 'user.created',
      entityType: 'user',
      entityId: user.id,
      details: { email: user.email, role: 'system_admin' },
    });
    return {
      user: { ...user, role: 'system_admin' as const },
      oneTimePassword: existing ? null : oneTimePassword,
    };
  });
}
