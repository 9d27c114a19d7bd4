import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../db/types.js';
import { AppError } from '../errors.js';
import { ErrorCode } from '../../shared/errors.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { createSession, type SessionPolicy, type SessionUser } from './sessions.js';
import { recordAudit } from '../audit/audit.js';
import type { AssociationRole } from '../../shared/roles.js';

export interface LoginPolicy extends SessionPolicy {
  maxFailures: number;
}

const MAX_LOCK_SECONDS = 15 * 60;

/** Seconds an address stays locked after `failures` consecutive failures: doubling from 30 s, capped at 15 min. */
export function lockSeconds(failures: number, maxFailures: number): number {
  if (failures < maxFailures) return 0;
  return Math.min(MAX_LOCK_SECONDS, 30 * 2 ** (failures - maxFailures));
}

/**
 * Checks e-mail and password. Unknown accounts and wrong passwords give the same error and take
 * the same time; back-off is keyed on the e-mail address, so it reveals nothing either.
 */
export async function login(db: Kysely<DB>, email: string, password: string, policy: LoginPolicy) {
  const key = email.trim().toLowerCase();
  const throttle = await db
    .selectFrom('login_throttle')
    .selectAll()
    .where('key', '=', key)
    .executeTakeFirst();
  if (throttle?.locked_until && throttle.locked_until.getTime() > Date.now()) {
    const retry = Math.ceil((throttle.locked_until.getTime() - Date.now()) / 1000);
    throw new AppError(ErrorCode.TOO_MANY_ATTEMPTS, 'Too many failed attempts', undefined, retry);
  }
  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where(sql<string>`lower(email)`, '=', key)
    .executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? (await dummyPasswordHash()), password);
  if (!user || !ok) {
    const failures = (throttle?.failures ?? 0) + 1;
    const lock = lockSeconds(failures, policy.maxFailures);
    await db
      .insertInto('login_throttle')
      .values({
        key,
        failures,
        locked_until: lock ? new Date(Date.now() + lock * 1000) : null,
        updated_at: new Date(),
      })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures,
          locked_until: lock ? new Date(Date.now() + lock * 1000) : null,
          updated_at: new Date(),
        }),
      )
      .execute();
    if (user) {
      await recordAudit(db, {
        associationId: null,
        actorUserId: user.id,
        action: 'auth.login_failed',
        entityType: 'user',
        entityId: user.id,
      });
    }
    throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'Wrong e-mail or password');
  }
  if (throttle) await db.deleteFrom('login_throttle').where('key', '=', key).execute();
  const session = await createSession(db, user.id, policy);
  await recordAudit(db, {
    associationId: null,
    actorUserId: user.id,
    action: 'auth.login',
    entityType: 'user',
    entityId: user.id,
  });
  return session;
}

export async function changePassword(
  db: Kysely<DB>,
  user: SessionUser,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const row = await db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', user.userId)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(row.password_hash, currentPassword))) {
    throw AppError.field('currentPassword', 'wrong_password', 'The current password is wrong');
  }
  if (currentPassword === newPassword) {
    throw AppError.field(
      'newPassword',
      'same_as_current',
      'The new password must differ from the current one',
    );
  }
  const passwordHash = await hashPassword(newPassword);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: false, password_changed_at: new Date() })
      .where('id', '=', user.userId)
      .execute();
    // Other sessions of this user end: a changed password must lock out whoever knew the old one.
    await tx
      .deleteFrom('sessions')
      .where('user_id', '=', user.userId)
      .where('id', '!=', user.sessionId)
      .execute();
    await recordAudit(tx, {
      associationId: null,
      actorUserId: user.userId,
      action: 'auth.password_changed',
      entityType: 'user',
      entityId: user.userId,
    });
  });
}

export interface MembershipDto {
  associationId: string;
  slug: string;
  name: string;
  role: AssociationRole | 'system_admin';
}

/** The associations a user can open. A system admin can open every association. */
export async function listMemberships(db: Kysely<DB>, user: SessionUser): Promise<MembershipDto[]> {
  if (user.isSystemAdmin) {
    const rows = await db.selectFrom('associations').select(['id', 'slug', 'name']).orderBy('name').execute();
    return rows.map((r) => ({
      associationId: r.id,
      slug: r.slug,
      name: r.name,
      role: 'system_admin' as const,
    }));
  }
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('associations as a', 'a.id', 'm.association_id')
    .select(['a.id', 'a.slug', 'a.name', 'm.role'])
    .where('m.user_id', '=', user.userId)
    .orderBy('a.name')
    .execute();
  return rows.map((r) => ({ associationId: r.id, slug: r.slug, name: r.name, role: r.role }));
}
