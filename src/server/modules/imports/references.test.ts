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
  testPnrCipher,
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
import { importParticipations } from './service.js';
import { csv, person } from '../../../../tests/imports.js';

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
    INSERT INTO participations (association_id, id, intervention_id, person_id, entry_date, municipality_code, consent_date, sex)
    VALUES (${a.id}::uuid, ${id}::uuid, ${intervention}::uuid, ${person}::uuid, '2025-01-10', '0101', '2025-01-10', 'kvinna')`.execute(
    tx,
  );
}

function row(
  id: string,
  intervention: string,
  person: string,
  member: string | null = null,
  sex: 'kvinna' | 'man' = 'kvinna',
) {
  return {
    participationId: id,
    interventionId: intervention,
    personId: person,
    referringMemberId: member,
    sex,
  };
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
      'a person with another sex than the participation carries',
      (refs, id) => refs.inserted([row(id, insatsId, personId, null, 'man')] as NewParticipation[]),
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

  it('an import stores the same register with set-based and with row-level checks', async () => {
    const rows = (insats: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        insats,
        personnummer: person(i % 2 ? 'man' : 'kvinna'),
        anonym: 'nej',
        startdatum: '2024-03-01',
        kommun: '0101',
        försörjning_start: 'sjukpenning',
        målgrupp: 'Referensgrupp',
        samtycke_datum: '2024-03-01',
        ...(i % 3
          ? {
              slutdatum: '2024-09-30',
              avslutsanledning: 'arbete',
              sysselsättning_efter: 'arbete',
              försörjning_slut: 'lön',
            }
          : {}),
      }));
    const stored = async () =>
      (
        await sql<{ n: number; income: number; links: number }>`
          SELECT count(*)::int AS n,
                 (SELECT count(*)::int FROM participation_income WHERE association_id = ${a.id}::uuid) AS income,
                 (SELECT count(*)::int FROM participation_target_groups WHERE association_id = ${a.id}::uuid) AS links
          FROM participations WHERE association_id = ${a.id}::uuid`.execute(t.database.db)
      ).rows[0]!;
    const deps = { db: t.database.db, pnr: testPnrCipher };
    const setBased = await importParticipations(
      deps,
      a.scope,
      Buffer.from(csv(rows('Referensinsatsen', 12))),
      {
        fileName: 'a.csv',
      },
    );
    expect(setBased).toMatchObject({ ok: true, imported: 12 });
    const afterFirst = await stored();
    expect(afterFirst).toEqual({ n: 12, income: 12 + 8, links: 12 });
    const rowLevel = await importParticipations(
      deps,
      a.scope,
      Buffer.from(csv(rows('Referensinsatsen', 12))),
      {
        fileName: 'b.csv',
        rowLevelReferenceChecks: true,
      },
    );
    expect(rowLevel).toMatchObject({ ok: true, imported: 12 });
    expect(await stored()).toEqual({ n: 24, income: 40, links: 24 });
    // Both paths leave row-level checks on for what follows in the same connection.
    await expect(
      insertParticipation(t.database.db, randomUUID(), randomUUID(), personId),
    ).rejects.toMatchObject({
      code: '23503',
    });
  });
});
