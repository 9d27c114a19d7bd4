/**
 * The embedded import turns row-level foreign-key checks off for its own transaction and checks
 * every reference set-based before commit (repo.deferReferenceChecks / verifyImportReferences).
 * These tests break each kind of reference on purpose and require the check to refuse it, the
 * transaction to store nothing, and row-level checks to be back on afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  createTestApp,
  createAssociationFixture,
  type AssociationFixture,
  type TestApp,
} from '../../../../tests/helpers.js';
import { createIntervention } from '../interventions/service.js';
import { interventionCreateSchema } from '../../../shared/register-schemas.js';
import { BrokenReference, deferReferenceChecks, verifyImportReferences } from './repo.js';

let t: TestApp;
let a: AssociationFixture;
let insatsId: string;
let personId: string;
let targetGroupId: string;

const none = { participationIds: [] as string[], targetGroupIds: [] as string[] };

beforeAll(async () => {
  t = await createTestApp();
  a = await createAssociationFixture(t, 'referenser');
  const insats = await createIntervention(
    t.database.db,
    a.scope,
    interventionCreateSchema.parse({ name: 'Referensinsatsen', direction: 'individual', followUp: 'person' }),
  );
  insatsId = insats.id;
  personId = randomUUID();
  await sql`INSERT INTO persons (association_id, id, pnr_hash, pnr_enc, sex, birth_year)
            VALUES (${a.id}::uuid, ${personId}::uuid, 'hash-ref', 'enc', 'kvinna', 1990)`.execute(
    t.database.db,
  );
  const g = await sql<{ id: string }>`
    INSERT INTO target_groups (association_id, name) VALUES (${a.id}::uuid, 'Referensgrupp') RETURNING id`.execute(
    t.database.db,
  );
  targetGroupId = g.rows[0]!.id;
});

afterAll(async () => {
  await t.close();
});

async function participationCount() {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM participations WHERE association_id = ${a.id}::uuid`.execute(
    t.database.db,
  );
  return r.rows[0]!.n;
}

/** Inserts one participation with the given references while row-level checks are off. */
function insertParticipation(
  tx: Parameters<typeof deferReferenceChecks>[0],
  id: string,
  intervention: string,
  person: string,
) {
  return sql`
    INSERT INTO participations (association_id, id, intervention_id, person_id, entry_date, municipality_code, consent_date)
    VALUES (${a.id}::uuid, ${id}::uuid, ${intervention}::uuid, ${person}::uuid, '2025-01-10', '0101', '2025-01-10')`.execute(
    tx,
  );
}

describe('set-based reference check of an import', () => {
  it('accepts rows whose references exist, and turns row-level checks back on', async () => {
    const id = randomUUID();
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await deferReferenceChecks(tx);
        await insertParticipation(tx, id, insatsId, personId);
        await sql`INSERT INTO participation_income (association_id, participation_id, phase, source, extent_pct)
                  VALUES (${a.id}::uuid, ${id}::uuid, 'entry', 'salary', 50)`.execute(tx);
        await sql`INSERT INTO participation_target_groups (association_id, participation_id, target_group_id)
                  VALUES (${a.id}::uuid, ${id}::uuid, ${targetGroupId}::uuid)`.execute(tx);
        await verifyImportReferences(tx, a.id, {
          personIds: [personId],
          participationIds: [id],
          incomeParticipationIds: [id],
          targetGroupLinks: { participationIds: [id], targetGroupIds: [targetGroupId] },
        });
        // Row-level checks are on again in the same transaction: a missing insats is refused.
        await insertParticipation(tx, randomUUID(), randomUUID(), personId);
      }),
    ).rejects.toMatchObject({ code: '23503' });
    expect(await participationCount()).toBe(0);
  });

  const cases: [string, () => { insats: string; person: string; income?: string; group?: string }][] = [
    ['a missing insats', () => ({ insats: randomUUID(), person: personId })],
    ['a missing person', () => ({ insats: insatsId, person: randomUUID() })],
    [
      'income lines of a missing participation',
      () => ({ insats: insatsId, person: personId, income: randomUUID() }),
    ],
    ['a missing target group', () => ({ insats: insatsId, person: personId, group: randomUUID() })],
  ];
  for (const [name, make] of cases) {
    it(`refuses ${name} and stores nothing`, async () => {
      const c = make();
      const id = randomUUID();
      await expect(
        t.database.db.transaction().execute(async (tx) => {
          await deferReferenceChecks(tx);
          await insertParticipation(tx, id, c.insats, c.person);
          const incomeId = c.income ?? id;
          await sql`INSERT INTO participation_income (association_id, participation_id, phase, source, extent_pct)
                    VALUES (${a.id}::uuid, ${incomeId}::uuid, 'entry', 'salary', 50)`.execute(tx);
          const links = c.group ? { participationIds: [id], targetGroupIds: [c.group] } : none;
          if (c.group)
            await sql`INSERT INTO participation_target_groups (association_id, participation_id, target_group_id)
                      VALUES (${a.id}::uuid, ${id}::uuid, ${c.group}::uuid)`.execute(tx);
          await verifyImportReferences(tx, a.id, {
            personIds: [],
            participationIds: [id],
            incomeParticipationIds: [incomeId],
            targetGroupLinks: links,
          });
        }),
      ).rejects.toBeInstanceOf(BrokenReference);
      expect(await participationCount()).toBe(0);
    });
  }

  it('refuses a created person whose row is missing', async () => {
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await deferReferenceChecks(tx);
        await verifyImportReferences(tx, a.id, {
          personIds: [randomUUID()],
          participationIds: [],
          incomeParticipationIds: [],
          targetGroupLinks: none,
        });
      }),
    ).rejects.toBeInstanceOf(BrokenReference);
  });
});
