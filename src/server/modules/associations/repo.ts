import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';

type Conn = Kysely<DB> | Transaction<DB>;

export function findAssociation(db: Conn, associationId: string) {
  return db.selectFrom('associations').selectAll().where('id', '=', associationId).executeTakeFirst();
}

export function findAssociationBySlug(db: Conn, slug: string) {
  return db.selectFrom('associations').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function insertAssociation(db: Conn, v: { slug: string; name: string; orgNumber: string | null }) {
  return db
    .insertInto('associations')
    .values({ slug: v.slug, name: v.name, org_number: v.orgNumber })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateAssociation(
  db: Conn,
  associationId: string,
  v: { name: string; orgNumber: string | null },
) {
  return db
    .updateTable('associations')
    .set({ name: v.name, org_number: v.orgNumber })
    .where('id', '=', associationId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listAllAssociations(db: Conn) {
  return db.selectFrom('associations').selectAll().orderBy('name').execute();
}
