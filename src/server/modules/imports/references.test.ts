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
import {
  BrokenReference,
  deferReferenceChecks,
  ImportReferences,
  verifyImportReferences,
  type NewParticipation,
} from './repo.js';

let t: TestApp;
let a: AssociationFixture;
let insatsId: string;
let personId: string;
let targetGroupId: string;

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

function row(id: string, intervention: string, person: string, member: string | null = null) {
  return { participationId: id, interventionId: intervention, personId: person, referringMemberId: member };
}

describe('set-based reference check of an import', () => {
  it('accepts rows whose references exist, and turns row-level checks back on', async () => {
    const id = randomUUID();
    await expect(
      t.database.db.transaction().execute(async (tx) => {
        await deferReferenceChecks(tx);
        await insertParticipation(tx, id, insatsId, personId);
        const refs = new ImportReferences();
        refs.inserted([row(id, insatsId, personId, a.members.fk)] as NewParticipation[]);
        refs.children([id], [targetGroupId]);
        await verifyImportReferences(tx, a.id, null, refs);
        // Row-level checks are on again in the same transaction: a missing insats is refused.
        await insertParticipation(tx, randomUUID(), randomUUID(), personId);
      }),
    ).rejects.toMatchObject({ code: '23503' });
    expect(await participationCount()).toBe(0);
  });

  const cases: [string, (refs: ImportReferences, id: string) => void][] = [
    [
      'a missing insats',
      (refs, id) => refs.inserted([row(id, randomUUID(), personId)] as NewParticipation[]),
    ],
    [
      'a missing person',
      (refs, id) => refs.inserted([row(id, insatsId, randomUUID())] as NewParticipation[]),
    ],
    [
      'a missing referring member',
      (refs, id) => refs.inserted([row(id, insatsId, personId, randomUUID())] as NewParticipation[]),
    ],
    [
      'a missing target group',
      (refs, id) => {
        refs.inserted([row(id, insatsId, personId)] as NewParticipation[]);
        refs.children([id], [randomUUID()]);
      },
    ],
  ];
  for (const [name, make] of cases) {
    it(`refuses ${name} and stores nothing`, async () => {
      const id = randomUUID();
      await expect(
        t.database.db.transaction().execute(async (tx) => {
          await deferReferenceChecks(tx);
          await insertParticipation(tx, id, insatsId, personId);
          const refs = new ImportReferences();
          make(refs, id);
          await verifyImportReferences(tx, a.id, null, refs);
        }),
      ).rejects.toBeInstanceOf(BrokenReference);
      expect(await participationCount()).toBe(0);
    });
  }

  it('refuses a user that does not exist', async () => {
    const refs = new ImportReferences();
    await expect(
      t.database.db.transaction().execute((tx) => verifyImportReferences(tx, a.id, randomUUID(), refs)),
    ).rejects.toBeInstanceOf(BrokenReference);
  });

  it('refuses income lines or links of a participation the import did not write', () => {
    const refs = new ImportReferences();
    refs.inserted([row(randomUUID(), insatsId, personId)] as NewParticipation[]);
    expect(() => refs.children([randomUUID()])).toThrow(BrokenReference);
    refs.updated(['00000000-0000-4000-8000-000000000001']);
    expect(() => refs.children(['00000000-0000-4000-8000-000000000001'])).not.toThrow();
  });
});
