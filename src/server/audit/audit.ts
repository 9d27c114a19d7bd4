/**
 * Audit log: every write, and (from the participant capability on) every read of person-level data.
 * Entries are written in the same transaction as the change they describe.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/types.js';

export interface AuditEvent {
  associationId: string | null;
  actorUserId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  /** Never put personal identifiers here. */
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Kysely<DB> | Transaction<DB>, e: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      association_id: e.associationId,
      actor_user_id: e.actorUserId,
      action: e.action,
      entity_type: e.entityType,
      entity_id: e.entityId ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
    })
    .execute();
}

export interface AuditPageQuery {
  associationId: string;
  limit: number;
  /** Keyset cursor: the id of the last entry of the previous page. */
  before?: string | undefined;
}

export async function listAudit(db: Kysely<DB>, q: AuditPageQuery) {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .select([
      'a.id',
      'a.at',
      'a.action',
      'a.entity_type',
      'a.entity_id',
      'a.details',
      'u.name as actor_name',
      'u.email as actor_email',
    ])
    .where('a.association_id', '=', q.associationId)
    .orderBy('a.id', 'desc')
    .limit(q.limit + 1);
  if (q.before) query = query.where('a.id', '<', q.before);
  const rows = await query.execute();
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return {
    entries: page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      details: (r.details ?? null) as Record<string, unknown> | null,
      actor: r.actor_name ? { name: r.actor_name, email: r.actor_email } : null,
    })),
    nextCursor: hasMore ? String(page[page.length - 1]!.id) : null,
  };
}
