/**
 * The report cache (cache.ts) and the data versions behind it (migration 0008): after every kind
 * of write, the next read of a cached dashboard, outcome report or comparison shows the new
 * figures; a write in one association leaves another's entries in place; protected and
 * unprotected results never share an entry; the version moves only when a transaction commits.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../../../tests/helpers.js';
import { createInsats, enter, entryBody, EXIT, uniquePnr } from '../../../../tests/register.js';
import { csv, person, upload } from '../../../../tests/imports.js';
import { todaySweden } from '../../../shared/dates.js';
import { dataVersion, reportCacheOf } from './cache.js';

let t: TestApp;
let a: AssociationFixture;
let b: AssociationFixture;
let adminA: ApiClient;
let boardA: ApiClient;
let adminB: ApiClient;
let sysadmin: ApiClient;
let insatsA: string;
let insatsB: string;

const YEAR = Number(todaySweden().slice(0, 4));
const PERIOD = 'from=2025-01-01&to=2025-12-31';
const outcomesUrl = (slug: string, q = '') => `/api/associations/${slug}/reports/outcomes?${PERIOD}${q}`;

async function json<T = Record<string, unknown>>(client: ApiClient, url: string): Promise<T> {
  const res = await client.get(url);
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

interface Totals {
  total: Record<string, number | null>;
  protected: boolean;
}
const totals = (client: ApiClient, slug: string, q = '') => json<Totals>(client, outcomesUrl(slug, q));
const cache = () => reportCacheOf(t.database.db)!;

beforeAll(async () => {
  t = await createTestApp();
  a = await createAssociationFixture(t, 'cache-a', 2);
  b = await createAssociationFixture(t, 'cache-b', 2);
  await createUserFixture(t, 'admin@cache-a.example', 'association_admin', a.id);
  await createUserFixture(t, 'board@cache-a.example', 'board', a.id);
  await createUserFixture(t, 'admin@cache-b.example', 'association_admin', b.id);
  await createUserFixture(t, 'sys@cache.example', 'system_admin');
  adminA = await login(t, 'admin@cache-a.example');
  boardA = await login(t, 'board@cache-a.example');
  adminB = await login(t, 'admin@cache-b.example');
  sysadmin = await login(t, 'sys@cache.example');
  insatsA = await createInsats(adminA, 'cache-a', 'Cacheinsatsen');
  insatsB = await createInsats(adminB, 'cache-b', 'Annan förbunds insats');
  const group = await adminA.post('/api/associations/cache-a/target-groups', { name: 'Unga utan arbete' });
  const targetGroupIds = [(group.json() as { id: string }).id];
  for (let i = 0; i < 6; i++)
    await enter(adminA, 'cache-a', insatsA, uniquePnr('kvinna', 1990), '2025-02-01', { targetGroupIds });
  for (let i = 0; i < 6; i++) await enter(adminB, 'cache-b', insatsB, uniquePnr('man', 1990), '2025-02-01');
});
afterAll(() => t.close());

describe('the cache is on and serves repeated reads', () => {
  it('answers the second identical read from memory, with the same figures', async () => {
    const hits = cache().hits;
    const first = await totals(adminA, 'cache-a');
    const second = await totals(adminA, 'cache-a');
    expect(second).toEqual(first);
    expect(cache().hits).toBe(hits + 1);
  });

  it('answers the second identical dashboard and comparison from memory', async () => {
    for (const [client, url] of [
      [adminA, `/api/associations/cache-a/dashboard?year=${YEAR}`],
      [sysadmin, `/api/reports/compare?${PERIOD}`],
    ] as const) {
      const first = await json(client, url);
      const hits = cache().hits;
      expect(await json(client, url)).toEqual(first);
      expect(cache().hits).toBe(hits + 1);
    }
  });
});

describe('the next read after each kind of write shows the new figures', () => {
  it('register an entry', async () => {
    const before = (await totals(adminA, 'cache-a')).total;
    await enter(adminA, 'cache-a', insatsA, uniquePnr('man', 1991), '2025-03-01');
    const after = (await totals(adminA, 'cache-a')).total;
    expect(after.entries).toBe(before.entries! + 1);
  });

  it('register an exit, correct it, and correct an entry', async () => {
    const p = await enter(adminA, 'cache-a', insatsA, uniquePnr('kvinna', 1992), '2025-04-01');
    const before = (await totals(adminA, 'cache-a')).total;
    const exitUrl = `/api/associations/cache-a/participations/${p.id}/exit`;
    expect((await adminA.post(exitUrl, { ...EXIT, exitDate: '2025-09-30' })).statusCode).toBe(200);
    const exited = (await totals(adminA, 'cache-a')).total;
    expect(exited.exits).toBe(before.exits! + 1);
    expect(exited.toWorkOrStudies).toBe(before.toWorkOrStudies! + 1);

    // Correction of the exit: not to work after all.
    const corrected = await adminA.put(exitUrl, {
      exitDate: '2025-09-30',
      exitReason: 'other',
      occupationAfter: 'other',
      incomeAtExit: [{ source: 'social_assistance', extentPct: 100 }],
    });
    expect(corrected.statusCode).toBe(200);
    expect((await totals(adminA, 'cache-a')).total.toWorkOrStudies).toBe(before.toWorkOrStudies);

    // Correction of the entry: it moves to 2024, out of the period's entries.
    const { municipalityCode, incomeAtEntry, consentRef } = entryBody(insatsA, '', '2024-12-01');
    const entry = {
      entryDate: '2024-12-01',
      consentDate: '2024-12-01',
      municipalityCode,
      incomeAtEntry,
      consentRef,
    };
    const moved = await adminA.put(`/api/associations/cache-a/participations/${p.id}/entry`, entry);
    expect(moved.statusCode).toBe(200);
    expect((await totals(adminA, 'cache-a')).total.entries).toBe(before.entries! - 1);
  });

  it('import a file, then undo it', async () => {
    const before = (await totals(adminA, 'cache-a')).total;
    const rows = [0, 1, 2].map(() => ({
      insats: 'Cacheinsatsen',
      personnummer: person('kvinna', 1985),
      anonym: 'nej',
      startdatum: '2025-05-01',
      kommun: '0101',
      försörjning_start: 'sjukpenning',
      samtycke_datum: '2025-05-01',
    }));
    const res = await upload(adminA, 'cache-a', csv(rows));
    expect(res.statusCode, res.body).toBe(201);
    const batchId = (res.json() as { batchId: string }).batchId;
    expect((await totals(adminA, 'cache-a')).total.entries).toBe(before.entries! + 3);

    const undo = await adminA.post(`/api/associations/cache-a/imports/${batchId}/undo`);
    expect(undo.statusCode).toBe(200);
    expect((await totals(adminA, 'cache-a')).total.entries).toBe(before.entries);
  });

  it('withdraw consent (the person is erased, the participation becomes a count)', async () => {
    const p = await enter(adminA, 'cache-a', insatsA, uniquePnr('man', 1993), '2025-06-01');
    const before = (await totals(adminA, 'cache-a')).total;
    const res = await adminA.post(`/api/associations/cache-a/participations/${p.id}/anonymise`, {
      reason: 'consent_withdrawn',
    });
    expect(res.statusCode).toBe(200);
    const after = (await totals(adminA, 'cache-a')).total;
    expect(after.identifiedEntries).toBe(before.identifiedEntries! - 1);
    expect(after.anonymousEntries).toBe(before.anonymousEntries! + 1);
    expect(after.entries).toBe(before.entries);
  });

  it('add an anonymous count', async () => {
    const before = (await totals(adminA, 'cache-a')).total;
    const res = await adminA.post('/api/associations/cache-a/anonymous-participations', {
      interventionId: insatsA,
      year: 2025,
      sex: 'kvinna',
      count: 7,
    });
    expect(res.statusCode).toBe(201);
    expect((await totals(adminA, 'cache-a')).total.anonymousEntries).toBe(before.anonymousEntries! + 7);
  });

  it('edit an insats (its organiser, which a filter reads)', async () => {
    const region = a.members.region;
    const filtered = `&organiserMemberId=${region}`;
    expect((await totals(adminA, 'cache-a', filtered)).total.participations).toBe(0);
    const current = await json<Record<string, unknown>>(
      adminA,
      `/api/associations/cache-a/interventions/${insatsA}`,
    );
    const res = await adminA.put(`/api/associations/cache-a/interventions/${insatsA}`, {
      name: current.name,
      description: '',
      startDate: null,
      endDate: null,
      organiserMemberId: region,
      targetGroupIds: [],
      responsibleUserIds: [],
      plannedParticipants: null,
      notes: '',
    });
    expect(res.statusCode).toBe(200);
    const after = (await totals(adminA, 'cache-a', filtered)).total;
    expect(after.participations).toBe((await totals(adminA, 'cache-a')).total.participations);
    expect(after.participations).toBeGreaterThan(0);
  });

  it('edit a goal: the dashboard shows the new target', async () => {
    const goal = {
      name: 'Deltagare under året',
      definition: { kind: 'register', figure: 'entries', filter: {} },
      periodType: 'year',
      comparator: '>=',
      target: 40,
      validFromYear: YEAR - 2,
    };
    const created = await adminA.post('/api/associations/cache-a/goals', goal);
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    type Dash = { goals: { goal: { id: string; target: number }; periods: { target: number }[] }[] };
    const dash = () => json<Dash>(adminA, `/api/associations/cache-a/dashboard?year=${YEAR}`);
    const first = (await dash()).goals.find((g) => g.goal.id === id)!;
    expect(first.goal.target).toBe(40);
    expect((await dash()).goals.find((g) => g.goal.id === id)!.goal.target).toBe(40);

    expect(
      (await adminA.put(`/api/associations/cache-a/goals/${id}`, { ...goal, target: 55 })).statusCode,
    ).toBe(200);
    const edited = (await dash()).goals.find((g) => g.goal.id === id)!;
    expect(edited.goal.target).toBe(55);
    expect(edited.periods.every((p) => p.target === 55)).toBe(true);

    expect((await adminA.del(`/api/associations/cache-a/goals/${id}`)).statusCode).toBe(204);
    expect((await dash()).goals.find((g) => g.goal.id === id)).toBeUndefined();
  });

  it('the dashboard counts a new entry in the year so far', async () => {
    const dash = () =>
      json<{ figures: { total: { entries: number } } }>(
        adminA,
        `/api/associations/cache-a/dashboard?year=${YEAR}`,
      );
    const before = (await dash()).figures.total.entries;
    await enter(adminA, 'cache-a', insatsA, uniquePnr('kvinna', 1994), todaySweden());
    expect((await dash()).figures.total.entries).toBe(before + 1);
  });

  it('the comparison follows a write in any association', async () => {
    type Cmp = { associations: { slug: string; total: { entries: number | null } }[] };
    const url = `/api/reports/compare?${PERIOD}`;
    const entriesOf = (c: Cmp) => c.associations.find((x) => x.slug === 'cache-b')!.total.entries;
    const before = entriesOf(await json<Cmp>(sysadmin, url));
    expect(before).toBe(6);
    await enter(adminB, 'cache-b', insatsB, uniquePnr('man', 1995), '2025-07-01');
    expect(entriesOf(await json<Cmp>(sysadmin, url))).toBe(7);
  });
});

describe('keys', () => {
  it('a write in one association leaves the other association’s entries in place', async () => {
    const bBefore = await totals(adminB, 'cache-b');
    const versionB = await dataVersion(t.database.db, b.id);
    const versionA = await dataVersion(t.database.db, a.id);
    await enter(adminA, 'cache-a', insatsA, uniquePnr('man', 1996), '2025-08-01');
    expect(await dataVersion(t.database.db, a.id)).not.toBe(versionA);
    expect(await dataVersion(t.database.db, b.id)).toBe(versionB);
    const hits = cache().hits;
    expect(await totals(adminB, 'cache-b')).toEqual(bBefore);
    expect(cache().hits).toBe(hits + 1);
  });

  it('protected and unprotected results never share an entry, in either order', async () => {
    // Two men in an insats of their own: small counts that protection hides.
    const small = await createInsats(adminA, 'cache-a', 'Liten insats');
    for (let i = 0; i < 2; i++) await enter(adminA, 'cache-a', small, uniquePnr('man', 1997), '2025-03-01');
    const q = `&interventions=${small}`;
    const open1 = await totals(adminA, 'cache-a', q);
    const public1 = await totals(adminA, 'cache-a', `${q}&public=true`);
    const board1 = await totals(boardA, 'cache-a', q);
    expect(open1.protected).toBe(false);
    expect(open1.total.entries).toBe(2);
    for (const r of [public1, board1]) {
      expect(r.protected).toBe(true);
      expect(r.total.entries).toBeNull();
    }
    // The other way round, after a write so that nothing is cached: protected first.
    await enter(adminA, 'cache-a', small, uniquePnr('man', 1997), '2025-03-02');
    const board2 = await totals(boardA, 'cache-a', q);
    const open2 = await totals(adminA, 'cache-a', q);
    expect(board2.protected).toBe(true);
    expect(board2.total.entries).toBeNull();
    expect(open2.protected).toBe(false);
    expect(open2.total.entries).toBe(3);
  });

  it('two roles on the same dashboard each get their own view', async () => {
    const url = `/api/associations/cache-a/dashboard?year=${YEAR}`;
    const board = await json<{ protected: boolean }>(boardA, url);
    const admin = await json<{ protected: boolean }>(adminA, url);
    expect(board.protected).toBe(true);
    expect(admin.protected).toBe(false);
    expect((await json<{ protected: boolean }>(boardA, url)).protected).toBe(true);
  });

  it('the dashboard of the same year is computed afresh when the day changes', async () => {
    // The year so far ends today: an entry cached yesterday must not be served today.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date(`${YEAR}-03-10T22:59:50Z`)); // 23:59:50 in Stockholm
      const client = await login(t, 'admin@cache-a.example');
      const url = `/api/associations/cache-a/dashboard?year=${YEAR}`;
      const before = await json<{ period: { to: string } }>(client, url);
      expect(before.period.to).toBe(`${YEAR}-03-10`);
      vi.setSystemTime(new Date(`${YEAR}-03-10T23:00:10Z`)); // 00:00:10 the next day
      const after = await json<{ period: { to: string } }>(client, url);
      expect(after.period.to).toBe(`${YEAR}-03-11`);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cached results are frozen: a caller cannot change what the next one gets', async () => {
    const { getOutcomeReport } = await import('./service.js');
    const scope = { ...a.scope, userId: null };
    const req = { period: { from: '2025-01-01', to: '2025-12-31' }, filter: {} };
    const r = await getOutcomeReport(t.database.db, scope, req);
    expect(Object.isFrozen(r.total)).toBe(true);
    expect(() => {
      (r.total as { entries: number | null }).entries = 1;
    }).toThrow(TypeError);
  });
});

describe('data versions (migration 0008)', () => {
  const db = () => t.database.db;
  const pending = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM report_data_changes`.execute(db())).rows[0]!.n;

  it('move once per committed transaction, not per statement, and leave no notes behind', async () => {
    const v0 = BigInt(await dataVersion(db(), a.id));
    await db()
      .transaction()
      .execute(async (tx) => {
        for (let i = 0; i < 3; i++)
          await tx
            .updateTable('interventions')
            .set({ notes: `ändrad ${i}` })
            .where('association_id', '=', a.id)
            .where('id', '=', insatsA)
            .execute();
        // Not yet visible inside or outside the transaction: the bump happens at commit.
        const inside = await tx
          .selectFrom('report_data_versions')
          .select('version')
          .where('association_id', '=', a.id)
          .executeTakeFirst();
        expect(BigInt(inside?.version ?? '0')).toBe(v0);
      });
    expect(BigInt(await dataVersion(db(), a.id))).toBe(v0 + 1n);
    expect(await pending()).toBe(0);
  });

  it('do not move when the transaction rolls back', async () => {
    const v0 = await dataVersion(db(), a.id);
    await expect(
      db()
        .transaction()
        .execute(async (tx) => {
          await tx.deleteFrom('goals').where('association_id', '=', a.id).execute();
          await tx
            .updateTable('associations')
            .set({ name: 'Tillfälligt namn' })
            .where('id', '=', a.id)
            .execute();
          throw new Error('rollback');
        }),
    ).rejects.toThrow('rollback');
    expect(await dataVersion(db(), a.id)).toBe(v0);
    expect(await pending()).toBe(0);
  });

  it('move for every table a report reads, and only for the association written', async () => {
    const goal = await adminA.post('/api/associations/cache-a/goals', {
      name: 'Till arbete eller studier',
      definition: { kind: 'register', figure: 'shareToWorkOrStudies', filter: {} },
      periodType: 'tertial',
      comparator: '>=',
      target: 0.4,
      validFromYear: 2024,
    });
    expect(goal.statusCode).toBe(201);
    const tables = [
      'associations',
      'interventions',
      'persons',
      'participations',
      'participation_income',
      'participation_target_groups',
      'anonymous_participations',
      'goals',
    ];
    for (const table of tables) {
      const key = table === 'associations' ? 'id' : 'association_id';
      const va = BigInt(await dataVersion(db(), a.id));
      const vb = await dataVersion(db(), b.id);
      // An update that changes nothing still counts as a write to the table.
      await sql`UPDATE ${sql.table(table)} SET ${sql.ref(key)} = ${sql.ref(key)} WHERE ${sql.ref(key)} = ${a.id}::uuid`.execute(
        db(),
      );
      const rows = (
        await sql<{
          n: number;
        }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${sql.ref(key)} = ${a.id}::uuid`.execute(
          db(),
        )
      ).rows[0]!.n;
      expect({ table, rows: rows > 0 }).toEqual({ table, rows: true });
      expect({ table, moved: BigInt(await dataVersion(db(), a.id)) - va }).toEqual({ table, moved: 1n });
      expect(await dataVersion(db(), b.id)).toBe(vb);
    }
    // A statement that touches no row of the association leaves its version alone.
    const va = await dataVersion(db(), a.id);
    await db().updateTable('goals').set({ name: 'Ingen' }).where('association_id', '=', b.id).execute();
    expect(await dataVersion(db(), a.id)).toBe(va);
  });

  it('move also for writes made with row-level triggers off (session_replication_role = replica)', async () => {
    const v0 = BigInt(await dataVersion(db(), a.id));
    await db()
      .transaction()
      .execute(async (tx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(tx);
        await tx
          .updateTable('goals')
          .set({ name: 'Utan radutlösare' })
          .where('association_id', '=', a.id)
          .execute();
      });
    expect(BigInt(await dataVersion(db(), a.id))).toBe(v0 + 1n);
    // Even when the commit itself happens in replica mode (a session-wide setting).
    await db()
      .connection()
      .execute(async (conn) => {
        await sql`SET session_replication_role = replica`.execute(conn);
        try {
          await conn.updateTable('goals').set({ name: 'Igen' }).where('association_id', '=', a.id).execute();
        } finally {
          await sql`SET session_replication_role = origin`.execute(conn);
        }
      });
    expect(BigInt(await dataVersion(db(), a.id))).toBe(v0 + 2n);
    expect(await pending()).toBe(0);
  });

  it('a deleted association takes its register with it without failing the bump', async () => {
    const c = await createAssociationFixture(t, 'cache-c', 1);
    const v = await dataVersion(db(), c.id);
    await db().deleteFrom('associations').where('id', '=', c.id).execute();
    expect(BigInt(await dataVersion(db(), c.id))).toBeGreaterThan(BigInt(v));
  });
});
