/**
 * Resolved sessions and callers' roles per association, reused for a few seconds so that an
 * authenticated request does not have to ask the database who is calling (on the embedded
 * database every query runs in turn on one connection, so one saved query per request counts).
 *
 * Safe because every write made through this database (openDatabase installs a WriteWatch) to a
 * table the cached values come from — sessions, users, memberships, associations — clears the
 * cache before it runs: logout, password changes, user edits, role and membership changes take
 * effect on the next request. A load that started before such a write is not stored (generation
 * check), so a value read before the write cannot come back after it. The idle timeout and the
 * absolute expiry are checked on every request against the cached times, exactly as against the
 * row, and the idle "touch" still writes last_seen_at at most once a minute (the cache keeps its
 * copy in step).
 *
 * What the watch cannot see: writes by another process sharing the database. With the embedded
 * database there is none (the data directory is locked to one process). With a PostgreSQL server
 * the cache is off unless SESSION_CACHE_SECONDS is set; then such a change takes effect within
 * that many seconds. On a server with several connections a read can also overlap another
 * request's uncommitted transaction; the same bound applies.
 */
import { LRUCache } from 'lru-cache';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { writeWatchOf } from '../db/write-watch.js';
import type { Role } from '../../shared/roles.js';
import type { SessionUser } from './sessions.js';

/** Tables whose rows make up a cached session or role. '*' is a write the watch could not name. */
const SOURCES = new Set(['sessions', 'users', 'memberships', 'associations', '*']);

export interface CachedSession {
  user: SessionUser;
  lastSeenMs: number;
  expiresMs: number;
}

export interface CachedAccess {
  id: string;
  slug: string;
  role: Role | null;
}

export class AuthCache {
  private generation = 0;
  private readonly sessions: LRUCache<string, CachedSession>;
  private readonly access: LRUCache<string, CachedAccess>;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.sessions = new LRUCache({ max: maxEntries, ttl: ttlMs });
    this.access = new LRUCache({ max: maxEntries, ttl: ttlMs });
  }

  /** Drops everything; loads in flight will not be stored. */
  invalidate(): void {
    this.generation++;
    this.sessions.clear();
    this.access.clear();
  }

  session(id: string): CachedSession | undefined {
    return this.sessions.get(id);
  }

  dropSession(id: string): void {
    this.sessions.delete(id);
  }

  /** Runs a load and keeps its result unless a watched write happened meanwhile. */
  async loadSession(id: string, load: () => Promise<CachedSession | null>): Promise<CachedSession | null> {
    const generation = this.generation;
    const value = await load();
    if (value && generation === this.generation) this.sessions.set(id, value);
    return value;
  }

  async loadAccess(
    userId: string,
    slug: string,
    load: () => Promise<CachedAccess | undefined>,
  ): Promise<CachedAccess | undefined> {
    const key = `${userId}\u0000${slug}`;
    const hit = this.access.get(key);
    if (hit) return hit;
    const generation = this.generation;
    const value = await load();
    if (value && generation === this.generation) this.access.set(key, value);
    return value;
  }
}

const KEY = 'auth-cache';

/**
 * Sets up (or, with ttlMs 0, turns off) the auth cache of a database. Needs the database's
 * WriteWatch: without one there is nothing to invalidate it, so nothing is cached.
 */
export function configureAuthCache(db: Kysely<DB>, ttlMs: number): AuthCache | null {
  const watch = writeWatchOf(db as Kysely<unknown>);
  if (!watch) return null;
  const previous = watch.attachments.get(KEY) as { cache: AuthCache; unsubscribe: () => void } | undefined;
  previous?.unsubscribe();
  watch.attachments.delete(KEY);
  if (ttlMs <= 0) return null;
  const cache = new AuthCache(ttlMs);
  const unsubscribe = watch.subscribe((table) => {
    if (SOURCES.has(table)) cache.invalidate();
  });
  watch.attachments.set(KEY, { cache, unsubscribe });
  return cache;
}

/** The auth cache of a database; null when off, or for a transaction (it may see uncommitted rows). */
export function authCacheOf(db: Kysely<DB>): AuthCache | null {
  if (db.isTransaction) return null;
  const entry = writeWatchOf(db as Kysely<unknown>)?.attachments.get(KEY) as { cache: AuthCache } | undefined;
  return entry?.cache ?? null;
}
