/**
 * Consent withdrawn or protected identity: the person's identifying data is erased everywhere and
 * their participations become anonymous counts, so entries and exits by year and sex are unchanged.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  testPnrCipher,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../../../tests/helpers.js';
import {
  EXIT,
  INCOME,
  createInsats,
  enter,
  exit,
  expectRegisterUnchanged,
  plainTextOccurrences,
  uniquePnr,
  wholeDatabaseText,
} from '../../../../tests/register.js';
import { expectError } from '../../../../tests/support.js';
import { findPersonByHash } from './repo.js';

let t: TestApp;
let alfa: AssociationFixture;
let admin: ApiClient;
let betaAdmin: ApiClient;
let adminId: string;
let A: string;
let B: string;
let groupId: string;

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 2);
  await createAssociationFixture(t, 'beta', 2);
  adminId = await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  await createUserFixture(
    t,
    'admin@beta.example',
    'association_admin',
    (
      await t.database.db
        .selectFrom('associations')
        .select('id')
        .where('slug', '=', 'beta')
        .executeTakeFirstOrThrow()
    ).id,
  );
  [admin, betaAdmin] = await Promise.all([login(t, 'admin@alfa.example'), login(t, 'admin@beta.example')]);
  A = await createInsats(admin, 'alfa', 'Insats A');
  B = await createInsats(admin, 'alfa', 'Insats B');
  groupId = ((await admin.get('/api/associations/alfa/target-groups')).json() as { id: string }[])[0]!.id;
});
afterAll(() => t.close());

const P = '/api/associations/alfa/participations';

/** Counted entries per (insats, entry year, sex): identified participations (no registration errors) + anonymous counts. */
async function entryCounts() {
  const { rows } = await sql<{ intervention_id: string; year: number; sex: string; n: number }>`
    SELECT intervention_id, year, sex, sum(n)::int AS n FROM (
      SELECT p.intervention_id, extract(year FROM p.entry_date)::int AS year, pe.sex, 1 AS n
      FROM participations p
      JOIN persons pe ON pe.association_id = p.association_id AND pe.id = p.person_id
      WHERE p.association_id = ${alfa.id} AND p.exit_reason IS DISTINCT FROM 'registration_error'
      UNION ALL
      SELECT intervention_id, year, sex, count FROM anonymous_participations WHERE association_id = ${alfa.id}
    ) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(t.database.db);
  return rows;
}

/** Counted exits per (insats, exit year, sex), likewise. */
async function exitCounts() {
  const { rows } = await sql<{ intervention_id: string; year: number; sex: string; n: number }>`
    SELECT intervention_id, year, sex, sum(n)::int AS n FROM (
      SELECT p.intervention_id, extract(year FROM p.exit_date)::int AS year, pe.sex, 1 AS n
      FROM participations p
      JOIN persons pe ON pe.association_id = p.association_id AND pe.id = p.person_id
      WHERE p.association_id = ${alfa.id} AND p.exit_date IS NOT NULL AND p.exit_reason <> 'registration_error'
      UNION ALL
      SELECT intervention_id, exit_year, sex, count FROM anonymous_participations
      WHERE association_id = ${alfa.id} AND exit_year IS NOT NULL
    ) x GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(t.database.db);
  return rows;
}

async function referral(interventionId: string, personnummer: string | null) {
  const res = await admin.post('/api/associations/alfa/referrals', {
    interventionId,
    referringMemberId: alfa.members.fk,
    referralDate: '2024-02-01',
    ...(personnummer ? { personnummer, consentDate: '2024-02-01' } : {}),
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return (res.json() as { id: string }).id;
}

describe('withdrawal of consent', () => {
  it('erases the person, number, hash, participations and referral identity; counts by year and sex are unchanged', async () => {
    const who = uniquePnr('kvinna', 1991);
    const others = [uniquePnr('man', 1980), uniquePnr('kvinna', 1985)];

    // The person: exited in 2023, a registration error, and an ongoing participation (entered from a referral) in 2024.
    const exited2023 = await enter(admin, 'alfa', A, who, '2023-02-01', { targetGroupIds: [groupId] });
    await exit(admin, 'alfa', exited2023.id, '2023-11-30');
    await admin.put(`${P}/${exited2023.id}/exit`, { ...EXIT, exitDate: '2023-11-29' });
    const mistake = await enter(admin, 'alfa', A, who, '2024-01-15');
    await exit(admin, 'alfa', mistake.id, '2024-01-15', {
      exitReason: 'registration_error',
      occupationAfter: null,
      incomeAtExit: [],
    });
    const linkedReferral = await referral(B, who);
    await admin.post(`/api/associations/alfa/referrals/${linkedReferral}/decision`, {
      decision: 'accepted',
      date: '2024-02-20',
    });
    const ongoing2024 = await enter(admin, 'alfa', B, who, '2024-03-01', {
      referralId: linkedReferral,
      supportMonths: 30,
    });
    const waitingReferral = await referral(A, who);
    const anonymousReferral = await referral(A, null);

    // Other people and anonymous counts in the same cells.
    const o1 = await enter(admin, 'alfa', A, others[0]!, '2023-03-01');
    await exit(admin, 'alfa', o1.id, '2023-12-31');
    const o2 = await enter(admin, 'alfa', B, others[1]!, '2024-04-01');
    await admin.post('/api/associations/alfa/anonymous-participations', {
      interventionId: A,
      year: 2023,
      sex: 'kvinna',
      count: 2,
    });

    const ids = [exited2023.id, mistake.id, ongoing2024.id];
    const hash = testPnrCipher.lookupHash(alfa.id, who);
    const person = await t.database.db
      .selectFrom('persons')
      .selectAll()
      .where('pnr_hash', '=', hash)
      .executeTakeFirstOrThrow();
    const referralCiphertexts = (
      await t.database.db.selectFrom('referrals').select('pnr_enc').where('pnr_hash', '=', hash).execute()
    ).map((r) => r.pnr_enc!);
    expect(referralCiphertexts).toHaveLength(2);
    const entriesBefore = await entryCounts();
    const exitsBefore = await exitCounts();
    // The person is in the counts before: A 2023 kvinna = the person + 2 anonymous; B 2024 kvinna = the person + o2.
    expect(entriesBefore).toContainEqual({ intervention_id: A, year: 2023, sex: 'kvinna', n: 3 });
    expect(entriesBefore).toContainEqual({ intervention_id: B, year: 2024, sex: 'kvinna', n: 2 });
    expect(exitsBefore).toContainEqual({ intervention_id: A, year: 2023, sex: 'kvinna', n: 1 });

    const res = await admin.post(`${P}/${ongoing2024.id}/anonymise`, { reason: 'consent_withdrawn' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ anonymised: 2, removed: 3 });

    // Counts unchanged, now carried by anonymous rows.
    expect(await entryCounts()).toEqual(entriesBefore);
    expect(await exitCounts()).toEqual(exitsBefore);
    const anonymous = await t.database.db
      .selectFrom('anonymous_participations')
      .select(['intervention_id', 'year', 'exit_year', 'sex', 'count', 'source'])
      .where('source', '=', 'withdrawn')
      .orderBy('year')
      .execute();
    expect(anonymous).toEqual([
      { intervention_id: A, year: 2023, exit_year: 2023, sex: 'kvinna', count: 1, source: 'withdrawn' },
      { intervention_id: B, year: 2024, exit_year: null, sex: 'kvinna', count: 1, source: 'withdrawn' },
    ]);

    // The person, the number and the hash are gone; the lookup finds nothing.
    const db = t.database.db;
    expect(await db.selectFrom('persons').select('id').where('pnr_hash', '=', hash).execute()).toEqual([]);
    expect(await db.selectFrom('persons').select('id').where('id', '=', person.id).execute()).toEqual([]);
    expect(await findPersonByHash(db, alfa.id, hash)).toBeUndefined();
    for (const table of [
      'participations',
      'participation_income',
      'participation_target_groups',
      'participation_history',
    ] as const) {
      const column = table === 'participations' ? 'id' : 'participation_id';
      const { rows } =
        await sql`SELECT 1 FROM ${sql.table(table)} WHERE ${sql.ref(column)} IN (${sql.join(ids)})`.execute(
          db,
        );
      expect({ table, rows: rows.length }).toEqual({ table, rows: 0 });
    }
    // Referrals keep their facts but lose the identity.
    const referrals = await db
      .selectFrom('referrals')
      .select(['id', 'pnr_enc', 'pnr_hash', 'consent_date', 'participation_id', 'status'])
      .where('id', 'in', [linkedReferral, waitingReferral, anonymousReferral])
      .orderBy('created_at')
      .execute();
    expect(referrals).toEqual([
      {
        id: linkedReferral,
        pnr_enc: null,
        pnr_hash: null,
        consent_date: null,
        participation_id: null,
        status: 'accepted',
      },
      {
        id: waitingReferral,
        pnr_enc: null,
        pnr_hash: null,
        consent_date: null,
        participation_id: null,
        status: 'waiting',
      },
      {
        id: anonymousReferral,
        pnr_enc: null,
        pnr_hash: null,
        consent_date: null,
        participation_id: null,
        status: 'waiting',
      },
    ]);
    // Neither the number nor any ciphertext or hash of it is left anywhere.
    expect(await plainTextOccurrences(t, [who])).toEqual([]);
    const everything = Object.values(await wholeDatabaseText(t)).join('\n');
    for (const secret of [person.pnr_enc, person.pnr_hash, ...referralCiphertexts])
      expect(everything).not.toContain(secret);

    // Others are untouched.
    expect((await admin.get(`${P}/${o1.id}`)).statusCode).toBe(200);
    expect((await admin.get(`${P}/${o2.id}`)).statusCode).toBe(200);
    for (const id of ids) expectError(await admin.get(`${P}/${id}`), 404, 'NOT_FOUND');
    const listed = (await admin.get(`/api/associations/alfa/interventions/${A}/participations`)).json() as {
      items: { id: string }[];
    };
    expect(listed.items.map((i) => i.id)).toEqual([o1.id]);
    expect(
      (await admin.get(`/api/associations/alfa/interventions/${A}/anonymous-participations`)).json(),
    ).toEqual([{ year: 2023, sex: 'kvinna', count: 3 }]);

    // Audited with the reason, without the number.
    const audit = await db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'entity_id', 'details'])
      .where('action', '=', 'person.anonymised')
      .execute();
    expect(audit).toEqual([
      {
        actor_user_id: adminId,
        entity_id: ongoing2024.id,
        details: { reason: 'consent_withdrawn', participations: 3, anonymousRows: 2 },
      },
    ]);
  });

  it('protected identity: the same erasure, recorded with its reason; a later entry is a new, unlinked person', async () => {
    const who = uniquePnr('man', 1975);
    const first = await enter(admin, 'alfa', A, who, '2024-05-01', { incomeAtEntry: INCOME });
    await exit(admin, 'alfa', first.id, '2024-08-31');
    const before = await t.database.db
      .selectFrom('persons')
      .select('id')
      .where('pnr_hash', '=', testPnrCipher.lookupHash(alfa.id, who))
      .executeTakeFirstOrThrow();
    const entriesBefore = await entryCounts();
    const exitsBefore = await exitCounts();

    const res = await admin.post(`${P}/${first.id}/anonymise`, { reason: 'protected_identity' });
    expect(res.json()).toEqual({ anonymised: 1, removed: 1 });
    expect(await entryCounts()).toEqual(entriesBefore);
    expect(await exitCounts()).toEqual(exitsBefore);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'person.anonymised')
      .where('entity_id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ reason: 'protected_identity', participations: 1, anonymousRows: 1 });

    // Registering the number again (e.g. new consent) starts from nothing: a new person, not a returner.
    const again = await enter(admin, 'alfa', A, who, '2024-10-01');
    expect(again.isReturner).toBe(false);
    const person = (await admin.get(`${P}/${again.id}`)).json() as { person: { id: string } };
    expect(person.person.id).not.toBe(before.id);
  });

  it('refuses an unknown reason, an unknown participation and another association, writing nothing', async () => {
    const who = uniquePnr('kvinna', 1999);
    const mine = await enter(admin, 'alfa', A, who, '2024-05-01');
    const betaInsats = await createInsats(betaAdmin, 'beta', 'Betas insats');
    const theirs = await enter(betaAdmin, 'beta', betaInsats, uniquePnr('man', 1999), '2024-05-01');
    await expectRegisterUnchanged(t, async () => {
      expectError(await admin.post(`${P}/${mine.id}/anonymise`, { reason: 'bored' }), 400, 'VALIDATION', [
        { path: 'reason', code: 'invalid_value' },
      ]);
      expectError(await admin.post(`${P}/${mine.id}/anonymise`, {}), 400, 'VALIDATION', [{ path: 'reason' }]);
      for (const id of [randomUUID(), theirs.id])
        expectError(
          await admin.post(`${P}/${id}/anonymise`, { reason: 'consent_withdrawn' }),
          404,
          'NOT_FOUND',
        );
      expectError(
        await admin.post(`/api/associations/beta/participations/${theirs.id}/anonymise`, {
          reason: 'consent_withdrawn',
        }),
        404,
        'NOT_FOUND',
      );
    });
    expect((await betaAdmin.get(`/api/associations/beta/participations/${theirs.id}`)).statusCode).toBe(200);
  });
});
