import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/types.js';
import type { MemberType } from '../../../shared/schemas.js';

type Conn = Kysely<DB> | Transaction<DB>;

const TYPE_ORDER = sql<number>`array_position(array['fk','af','region','municipality']::text[], type)`;

export function listMembers(db: Conn, associationId: string) {
  return db
    .selectFrom('members')
    .selectAll()
    .where('association_id', '=', associationId)
    .orderBy(TYPE_ORDER)
    .orderBy('name')
    .execute();
}

export function findMember(db: Conn, associationId: string, memberId: string) {
  return db
    .selectFrom('members')
    .selectAll()
    .where('association_id', '=', associationId)
    .where('id', '=', memberId)
    .executeTakeFirst();
}

export function insertMember(
  db: Conn,
  associationId: string,
  v: { type: MemberType; name: string; municipalityCode: string | null },
) {
  return db
    .insertInto('members')
    .values({
      association_id: associationId,
      type: v.type,
      name: v.name,
      municipality_code: v.municipalityCode,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateMember(
  db: Conn,
  associationId: string,
  memberId: string,
  v: { name: string; municipalityCode: string | null },
) {
  return db
    .updateTable('members')
    .set({ name: v.name, municipality_code: v.municipalityCode })
    .where('association_id', '=', associationId)
    .where('id', '=', memberId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function deleteMember(db: Conn, associationId: string, memberId: string) {
  return db
    .deleteFrom('members')
    .where('association_id', '=', associationId)
    .where('id', '=', memberId)
    .execute();
}

export async function memberHasShares(db: Conn, associationId: string, memberId: string) {
  const row = await db
    .selectFrom('contribution_shares')
    .select('year')
    .where('association_id', '=', associationId)
    .where('member_id', '=', memberId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
