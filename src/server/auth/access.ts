/**
 * Authorisation: every service call starts with requireAccess, which resolves the association
 * the caller names and checks the caller's role there. Anything outside the caller's associations
 * is reported as "not found", so ids and slugs of other tenants reveal nothing.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { AppError } from '../errors.js';
import { ErrorCode } from '../../shared/errors.js';
import { roleAllows, type Permission, type Role } from '../../shared/roles.js';
import { SLUG_PATTERN } from '../../shared/schemas.js';
import type { SessionUser } from './sessions.js';
import { authCacheOf } from './cache.js';

/** The caller's scope inside one association. Repositories take it and filter on associationId. */
export interface Scope {
  associationId: string;
  slug: string;
  role: Role;
  /** The acting user; null for the system itself (CLI, seeding). */
  userId: string | null;
}

export async function requireAccess(
  db: Kysely<DB>,
  user: SessionUser,
  slug: string,
  permission: Permission,
): Promise<Scope> {
  // A slug that cannot exist (e.g. one with a NUL byte, which PostgreSQL refuses) names nothing.
  if (!SLUG_PATTERN.test(slug)) throw AppError.notFound('Association');
  const load = () =>
    db
      .selectFrom('associations as a')
      .leftJoin('memberships as m', (j) =>
        j.onRef('m.association_id', '=', 'a.id').on('m.user_id', '=', user.userId),
      )
      .select(['a.id', 'a.slug', 'm.role'])
      .where('a.slug', '=', slug)
      .executeTakeFirst();
  // The association and the caller's role there may come from the auth cache (auth/cache.ts),
  // which any write to associations or memberships clears.
  const cache = authCacheOf(db);
  const row = cache ? await cache.loadAccess(user.userId, slug, load) : await load();
  const role: Role | null = user.isSystemAdmin ? 'system_admin' : (row?.role ?? null);
  if (!row || !role) throw AppError.notFound('Association');
  if (!roleAllows(role, permission)) {
    throw new AppError(ErrorCode.FORBIDDEN, `Your role may not do this (${permission})`);
  }
  return { associationId: row.id, slug: row.slug, role, userId: user.userId };
}

export function requireSystemAdmin(user: SessionUser): void {
  if (!user.isSystemAdmin) throw new AppError(ErrorCode.FORBIDDEN, 'Only a system administrator may do this');
}
