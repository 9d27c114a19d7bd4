/**
 * The demo association: a fictional förbund shaped like the seeds (FK, AF, one region, three
 * municipalities with a population-based split) and one user per role. No real people or places.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../types.js';
import type { Scope } from '../../auth/access.js';
import { hashPassword } from '../../auth/password.js';
import { createAssociation } from '../../modules/associations/service.js';
import { addMember } from '../../modules/members/service.js';
import { setContributionYear } from '../../modules/contributions/service.js';
import type { AssociationRole } from '../../../shared/roles.js';

export const DEMO_SLUG = 'exempelbygden';
export const DEMO_PASSWORD = 'Demo-Samverka-2026';

export const DEMO_USERS: { email: string; name: string; role: AssociationRole | 'system_admin' }[] = [
  { email: 'chef@exempelbygden.example', name: 'Karin Förbundschef', role: 'association_admin' },
  { email: 'samordnare@exempelbygden.example', name: 'Ali Samordnare', role: 'coordinator' },
  { email: 'styrelse@exempelbygden.example', name: 'Birgitta Ledamot', role: 'board' },
  { email: 'revisor@exempelbygden.example', name: 'Erik Revisor', role: 'auditor' },
  { email: 'system@samverka.example', name: 'Sam Systemadministratör', role: 'system_admin' },
];

export async function isDatabaseEmpty(db: Kysely<DB>): Promise<boolean> {
  const r = await db
    .selectFrom('associations')
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  return r.n === 0;
}

export async function seedDemo(db: Kysely<DB>, now = new Date()): Promise<void> {
  const association = await createAssociation(db, null, {
    slug: DEMO_SLUG,
    name: 'Samordningsförbundet Exempelbygden',
    orgNumber: '2220001230',
  });
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let adminId = '';
  for (const u of DEMO_USERS) {
    const user = await db
      .insertInto('users')
      .values({
        email: u.email,
        name: u.name,
        password_hash: passwordHash,
        is_system_admin: u.role === 'system_admin',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (u.role !== 'system_admin') {
      await db
        .insertInto('memberships')
        .values({ association_id: association.id, user_id: user.id, role: u.role })
        .execute();
    }
    if (u.role === 'association_admin') adminId = user.id;
  }
  const scope: Scope = {
    associationId: association.id,
    slug: DEMO_SLUG,
    role: 'association_admin',
    userId: adminId,
  };
  const region = await addMember(db, scope, { type: 'region', name: 'Region Exempelland' });
  const municipalities = [];
  for (const [name, code] of [
    ['Norrby kommun', '9901'],
    ['Söderås kommun', '9902'],
    ['Åsby kommun', '9903'],
  ] as const) {
    municipalities.push(await addMember(db, scope, { type: 'municipality', name, municipalityCode: code }));
  }
  // Split of the municipal quarter by population (fictional figures: 26 200, 15 550, 8 250).
  const split = [52.4, 31.1, 16.5];
  const year = now.getFullYear();
  for (const [y, total] of [
    [year - 1, 11_600_000],
    [year, 12_000_000],
  ] as const) {
    await setContributionYear(db, scope, y, {
      totalAmount: total,
      regions: [{ memberId: region.id, percent: 100 }],
      municipalities: municipalities.map((m, i) => ({ memberId: m.id, percent: split[i]! })),
    });
  }
}
