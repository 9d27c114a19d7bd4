/** Database-backed sessions: app servers stay stateless; the cookie holds a random token, the DB its hash. */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { authCacheOf, type CachedSession } from './cache.js';

export const SESSION_COOKIE = 'samverka_session';

export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: Kysely<DB>, userId: string, policy: SessionPolicy) {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const now = new Date();
  await db
    .insertInto('sessions')
    .values({
      id: hashToken(token),
      user_id: userId,
      csrf_token: csrfToken,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + policy.maxHours * 3600_000),
    })
    .execute();
  return { token, csrfToken };
}

export interface SessionUser {
  sessionId: string;
  csrfToken: string;
  userId: string;
  email: string;
  name: string;
  isSystemAdmin: boolean;
  mustChangePassword: boolean;
}

/**
 * Looks up a live session and slides its idle window. Expired sessions are deleted on sight. The
 * session and its user may come from the auth cache (auth/cache.ts); the timeouts are checked on
 * every call either way.
 */
export async function resolveSession(
  db: Kysely<DB>,
  token: string,
  policy: SessionPolicy,
): Promise<SessionUser | null> {
  const id = hashToken(token);
  const cache = authCacheOf(db);
  const found = cache?.session(id) ?? (await (cache ? cache.loadSession(id, load) : load()));
  if (!found) return null;
  const now = Date.now();
  if (found.expiresMs <= now || found.lastSeenMs + policy.idleMinutes * 60_000 <= now) {
    cache?.dropSession(id);
    await db.deleteFrom('sessions').where('id', '=', id).execute();
    return null;
  }
  // Touch at most once a minute to keep reads cheap, but at least four times per idle window:
  // with a one-minute window, touching only after a minute would end every session after a minute.
  const touchAfterMs = Math.min(60_000, (policy.idleMinutes * 60_000) / 4);
  if (now - found.lastSeenMs > touchAfterMs) {
    // Only last_seen_at changes, and the cached copy follows: the write watch need not see it
    // (it would drop every cached session once a minute per active session).
    await db
      .withoutPlugins()
      .updateTable('sessions')
      .set({ last_seen_at: new Date(now) })
      .where('id', '=', id)
      .execute();
    found.lastSeenMs = now;
  }
  return found.user;

  async function load(): Promise<CachedSession | null> {
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select([
        's.id',
        's.csrf_token',
        's.last_seen_at',
        's.expires_at',
        'u.id as user_id',
        'u.email',
        'u.name',
        'u.is_system_admin',
        'u.must_change_password',
      ])
      .where('s.id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    return {
      lastSeenMs: row.last_seen_at.getTime(),
      expiresMs: row.expires_at.getTime(),
      user: Object.freeze({
        sessionId: id,
        csrfToken: row.csrf_token,
        userId: row.user_id,
        email: row.email,
        name: row.name,
        isSystemAdmin: row.is_system_admin,
        mustChangePassword: row.must_change_password,
      }),
    };
  }
}

export async function deleteSession(db: Kysely<DB>, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}
