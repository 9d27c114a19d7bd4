/**
 * Computed reports in memory, correct by construction: every entry is keyed by the data version
 * of each association it covers (migration 0008), and the version is read before the figures are
 * computed. A write to anything a report reads bumps the version when it commits, so the next read
 * looks under a new key and computes afresh; an entry can never be older than the version it is
 * filed under, because in READ COMMITTED every statement after the version read sees data at least
 * as new.
 *
 * Only aggregate results are cached (the dashboard, outcome reports, the comparison), exactly as
 * they are returned, protected or not; the protect flag is part of every key. Entries are frozen,
 * so a caller that tried to change a shared result would fail loudly instead of corrupting it.
 *
 * Never used inside a transaction: a transaction may see its own uncommitted writes under the old
 * version (the bump happens at commit).
 */
import { LRUCache } from 'lru-cache';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

export interface ReportCacheOptions {
  /** Maximum number of results; 0 disables the cache. */
  maxEntries: number;
  /** Maximum total size, measured as the results' JSON length in bytes. */
  maxBytes: number;
}

export class ReportCache {
  private readonly lru: LRUCache<string, object>;
  /** Computations in progress: concurrent requests for the same key share one. */
  private readonly inflight = new Map<string, Promise<object>>();
  hits = 0;
  misses = 0;

  constructor(opts: ReportCacheOptions) {
    this.lru = new LRUCache<string, object>({ max: opts.maxEntries, maxSize: opts.maxBytes });
  }

  get size(): number {
    return this.lru.size;
  }

  async get<T extends object>(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.lru.get(key);
    if (hit !== undefined) {
      this.hits++;
      return hit as T;
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      this.misses++;
      pending = compute()
        .then((value) => {
          deepFreeze(value);
          // A result larger than the whole cache is returned but not kept.
          this.lru.set(key, value, { size: Math.max(1, JSON.stringify(value).length) });
          return value;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return (await pending) as T;
  }

  clear(): void {
    this.lru.clear();
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** One cache per database (tests open many in one process); set up by buildApp from the environment. */
const caches = new WeakMap<Kysely<DB>, ReportCache>();

export function configureReportCache(db: Kysely<DB>, opts: ReportCacheOptions): ReportCache | null {
  if (opts.maxEntries <= 0) {
    caches.delete(db);
    return null;
  }
  const cache = new ReportCache(opts);
  caches.set(db, cache);
  return cache;
}

/** The database's report cache; null when it is off or `db` is a transaction. */
export function reportCacheOf(db: Kysely<DB>): ReportCache | null {
  if (db.isTransaction) return null;
  return caches.get(db) ?? null;
}

/** JSON with object keys in a fixed order, so that equal requests give equal keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The data version of one association ('0' before its first change). Read it before computing. */
export async function dataVersion(db: Kysely<DB>, associationId: string): Promise<string> {
  const row = await db
    .selectFrom('report_data_versions')
    .select('version')
    .where('association_id', '=', associationId)
    .executeTakeFirst();
  return row?.version ?? '0';
}

/** Every association's id with its data version, in id order: the key of instance-wide results. */
export async function allDataVersions(db: Kysely<DB>): Promise<string> {
  const r = await sql<{ id: string; version: string }>`
    SELECT a.id, coalesce(v.version, 0)::text AS version
    FROM associations a LEFT JOIN report_data_versions v ON v.association_id = a.id
    ORDER BY a.id`.execute(db);
  return r.rows.map((x) => `${x.id}:${x.version}`).join(',');
}

/**
 * A result about one association: from the cache when its data version has not moved, otherwise
 * computed (and kept). `parts` must hold every parameter the result depends on.
 */
export async function cachedForAssociation<T extends object>(
  db: Kysely<DB>,
  associationId: string,
  parts: unknown[],
  compute: () => Promise<T>,
): Promise<T> {
  const cache = reportCacheOf(db);
  if (!cache) return compute();
  const version = await dataVersion(db, associationId);
  return cache.get(canonicalJson([associationId, version, ...parts]), compute);
}

/** A result about every association of the instance, keyed by all their versions. */
export async function cachedForInstance<T extends object>(
  db: Kysely<DB>,
  parts: unknown[],
  compute: () => Promise<T>,
): Promise<T> {
  const cache = reportCacheOf(db);
  if (!cache) return compute();
  const versions = await allDataVersions(db);
  return cache.get(canonicalJson(['instance', versions, ...parts]), compute);
}
