/**
 * The income summary stored on each participation (migration 0007, income-summary.ts) must always
 * equal what the income matrix used to compute from the income lines at report time: the lateral
 * aggregate below, kept here as the reference. Checked after every write path that changes income
 * lines (entry, exit, both at once, corrections, import of new and exited rows, undo, erasure),
 * and for the migration's backfill over random lines with ties, zero extents and empty phases.
 */
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
import { createInsats, enter, exit, uniquePnr } from '../../../../tests/register.js';
import { csv, person, upload } from '../../../../tests/imports.js';
import { backfill } from '../../db/migrations/20261128_0007_income_groups.js';
import { INCOME_SOURCE_CODES, type IncomeSource } from '../../../shared/participants.js';
import type { Scope } from '../../auth/access.js';
import { entryIncomeSummary, exitIncomeSummary, mainIncomeGroup } from './income-summary.js';
import { anonymisePerson, registerEntry } from './service.js';

let t: TestApp;
let fx: AssociationFixture;
let admin: ApiClient;
let insats: string;
const slug = 'inkomst';

beforeAll(async () => {
  t = await createTestApp();
  fx = await createAssociationFixture(t, slug, 2);
  await createUserFixture(t, `admin@${slug}.example`, 'association_admin', fx.id);
  admin = await login(t, `admin@${slug}.example`);
  insats = await createInsats(admin, slug, 'Unga vuxna på väg');
});
afterAll(() => t?.close());

interface Compared {
  id: string;
  stored_entry: string;
  stored_exit: string;
  stored_public_in: boolean;
  stored_self_out: boolean;
  ref_entry: string;
  ref_exit: string;
  ref_public_in: boolean;
  ref_self_out: boolean;
  ref_moved: boolean;
}

/**
 * Every participation's stored summary next to the reference: the income matrix's former lateral
 * aggregate over its income lines (queries.ts before migration 0007), verbatim.
 */
async function compared(): Promise<Compared[]> {
  const group = (col: string) =>
    sql.raw(`CASE
      WHEN ${col} IN ('sickness_benefit','rehabilitation_benefit','sickness_compensation','activity_compensation') THEN 'ohalsa'
      WHEN ${col} IN ('unemployment_insurance','activity_support','establishment_benefit') THEN 'arbetsmarknadsstod'
      WHEN ${col} = 'social_assistance' THEN 'ekonomiskt_bistand'
      WHEN ${col} = 'unknown' OR ${col} IS NULL THEN 'okand'
      ELSE 'ingen' END`);
  const pub =
    sql.raw(`('unemployment_insurance','activity_support','establishment_benefit','sickness_benefit',
    'rehabilitation_benefit','sickness_compensation','activity_compensation','social_assistance')`);
  const r = await sql<Compared>`
    SELECT p.id, p.entry_income_group AS stored_entry, p.exit_income_group AS stored_exit,
      p.public_support_at_entry AS stored_public_in, p.self_supporting_at_exit AS stored_self_out,
      coalesce(${group('x.entry_source')}, 'okand') AS ref_entry,
      coalesce(${group('x.exit_source')}, 'okand') AS ref_exit,
      coalesce(x.public_in, false) AS ref_public_in,
      coalesce(x.known_out, false) AND NOT coalesce(x.public_out, false) AS ref_self_out,
      coalesce(x.public_in, false) AND coalesce(x.known_out, false) AND NOT coalesce(x.public_out, false) AS ref_moved
    FROM participations p CROSS JOIN LATERAL (
      SELECT (array_agg(pi.source ORDER BY pi.extent_pct DESC, pi.source) FILTER (WHERE pi.phase = 'entry'))[1] AS entry_source,
        (array_agg(pi.source ORDER BY pi.extent_pct DESC, pi.source) FILTER (WHERE pi.phase = 'exit'))[1] AS exit_source,
        bool_or(pi.phase = 'entry' AND pi.source IN ${pub}) AS public_in,
        bool_or(pi.phase = 'exit' AND pi.source IN ${pub}) AS public_out,
        bool_or(pi.phase = 'exit' AND pi.source <> 'unknown') AS known_out
      FROM participation_income pi
      WHERE pi.association_id = p.association_id AND pi.participation_id = p.id
    ) x
    ORDER BY p.id`.execute(t.database.db);
  return r.rows;
}

/** Every stored summary equals the reference. Returns the rows for further checks. */
async function expectAllRight(): Promise<Map<string, Compared>> {
  const rows = await compared();
  const wrong = rows.filter(
    (r) =>
      r.stored_entry !== r.ref_entry ||
      r.stored_exit !== r.ref_exit ||
      r.stored_public_in !== r.ref_public_in ||
      r.stored_self_out !== r.ref_self_out ||
      (r.stored_public_in && r.stored_self_out) !== r.ref_moved,
  );
  expect(wrong).toEqual([]);
  return new Map(rows.map((r) => [r.id, r]));
}

async function stored(id: string) {
  return t.database.db
    .selectFrom('participations')
    .select(['entry_income_group', 'exit_income_group', 'public_support_at_entry', 'self_supporting_at_exit'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

const line = (source: IncomeSource, extentPct: number) => ({ source, extentPct });

describe('the rule', () => {
  it('places a phase by its largest line, ties to the first code; no lines is unknown', () => {
    expect(mainIncomeGroup([])).toBe('okand');
    expect(mainIncomeGroup([line('salary', 40), line('social_assistance', 60)])).toBe('ekonomiskt_bistand');
    // A tie goes to the code first in order: sickness_benefit < social_assistance.
    expect(mainIncomeGroup([line('social_assistance', 50), line('sickness_benefit', 50)])).toBe('ohalsa');
    expect(mainIncomeGroup([line('unknown', 0), line('activity_support', 0)])).toBe('arbetsmarknadsstod');
    expect(entryIncomeSummary([line('salary', 90), line('activity_support', 10)])).toEqual({
      entry_income_group: 'ingen',
      public_support_at_entry: true,
    });
    // Self-supporting at exit: a known source and no public support.
    expect(exitIncomeSummary([line('unknown', 100)]).self_supporting_at_exit).toBe(false);
    expect(exitIncomeSummary([line('unknown', 60), line('salary', 40)])).toEqual({
      exit_income_group: 'okand',
      self_supporting_at_exit: true,
    });
    expect(exitIncomeSummary([line('salary', 90), line('social_assistance', 10)])).toEqual({
      exit_income_group: 'ingen',
      self_supporting_at_exit: false,
    });
    expect(exitIncomeSummary([])).toEqual({ exit_income_group: 'okand', self_supporting_at_exit: false });
  });

  it('orders the source codes as the database does', async () => {
    const r = await sql<{ source: string }>`
      SELECT s AS source FROM unnest(${[...INCOME_SOURCE_CODES]}::text[]) s ORDER BY s`.execute(
      t.database.db,
    );
    const js = [...INCOME_SOURCE_CODES].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(r.rows.map((x) => x.source)).toEqual(js);
  });
});

describe('stored on every write', () => {
  it('entry, exit and the corrections of both', async () => {
    const p = await enter(admin, slug, insats, uniquePnr('kvinna', 1995), '2025-01-10', {
      incomeAtEntry: [line('social_assistance', 50), line('sickness_benefit', 50)],
    });
    expect(await stored(p.id)).toEqual({
      entry_income_group: 'ohalsa',
      exit_income_group: 'okand',
      public_support_at_entry: true,
      self_supporting_at_exit: false,
    });
    await expectAllRight();

    await exit(admin, slug, p.id, '2025-06-30', { incomeAtExit: [line('unknown', 50), line('salary', 50)] });
    expect(await stored(p.id)).toMatchObject({ exit_income_group: 'ingen', self_supporting_at_exit: true });
    await expectAllRight();

    const entryCorrection = {
      entryDate: '2025-01-10',
      municipalityCode: '0101',
      incomeAtEntry: [line('salary', 100)],
      consentDate: '2025-01-10',
      consentRef: 'Blankett 1',
    };
    const ce = await admin.put(`/api/associations/${slug}/participations/${p.id}/entry`, entryCorrection);
    expect(ce.statusCode, ce.body).toBe(200);
    expect(await stored(p.id)).toMatchObject({ entry_income_group: 'ingen', public_support_at_entry: false });
    await expectAllRight();

    const correctExit = async (incomeAtExit: object[]) => {
      const res = await admin.put(`/api/associations/${slug}/participations/${p.id}/exit`, {
        exitDate: '2025-06-30',
        exitReason: 'work',
        occupationAfter: 'work',
        incomeAtExit,
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    await correctExit([line('activity_support', 60), line('salary', 40)]);
    expect(await stored(p.id)).toMatchObject({
      exit_income_group: 'arbetsmarknadsstod',
      self_supporting_at_exit: false,
    });
    await expectAllRight();
    await correctExit([line('unknown', 100)]);
    expect(await stored(p.id)).toMatchObject({ exit_income_group: 'okand', self_supporting_at_exit: false });
    await expectAllRight();

    // A correction that changes only another field leaves the summary as it is.
    const other = await admin.put(`/api/associations/${slug}/participations/${p.id}/entry`, {
      ...entryCorrection,
      municipalityCode: '0102',
    });
    expect(other.statusCode, other.body).toBe(200);
    expect(await stored(p.id)).toMatchObject({ entry_income_group: 'ingen', exit_income_group: 'okand' });
    await expectAllRight();
  });

  it('entry and exit in one registration (the demo seed), and a registration error without exit lines', async () => {
    const scope: Scope = { ...fx.scope, userId: null };
    const deps = { db: t.database.db, pnr: testPnrCipher };
    const body = (pnr: string) => ({
      interventionId: insats,
      personnummer: pnr,
      entryDate: '2024-02-01',
      municipalityCode: '0101',
      incomeAtEntry: [line('establishment_benefit', 100)],
      supportMonths: null,
      educationLevel: null,
      targetGroupIds: [],
      referringMemberId: null,
      consentDate: '2024-02-01',
      consentRef: '',
      referralId: null,
    });
    const done = await registerEntry(deps, scope, body(uniquePnr('man', 1990)), {
      exit: {
        exitDate: '2024-09-01',
        exitReason: 'studies',
        occupationAfter: 'studies',
        incomeAtExit: [line('student_aid', 100)],
      },
    });
    expect(await stored(done.id)).toEqual({
      entry_income_group: 'arbetsmarknadsstod',
      exit_income_group: 'ingen',
      public_support_at_entry: true,
      self_supporting_at_exit: true,
    });
    const error = await registerEntry(deps, scope, body(uniquePnr('man', 1991)), {
      exit: {
        exitDate: '2024-02-02',
        exitReason: 'registration_error',
        occupationAfter: null,
        incomeAtExit: [],
      },
    });
    expect(await stored(error.id)).toMatchObject({
      exit_income_group: 'okand',
      self_supporting_at_exit: false,
    });
    await expectAllRight();
  });

  it('import of new and exited rows, and its undo', async () => {
    const ongoing = person('kvinna');
    const first = await upload(
      admin,
      slug,
      csv([
        {
          insats: 'Unga vuxna på väg',
          personnummer: ongoing,
          startdatum: '2024-03-01',
          kommun: '0101',
          försörjning_start: 'aktivitetsersättning:50|försörjningsstöd:50',
          samtycke_datum: '2024-03-01',
        },
      ]),
      { fileName: 'första.csv' },
    );
    expect(first.statusCode, first.body).toBe(201);
    const ongoingId = (
      await t.database.db
        .selectFrom('participations')
        .select('id')
        .where('import_batch_id', '=', first.json().batchId)
        .executeTakeFirstOrThrow()
    ).id;
    // A tie: activity_compensation < social_assistance.
    expect(await stored(ongoingId)).toEqual({
      entry_income_group: 'ohalsa',
      exit_income_group: 'okand',
      public_support_at_entry: true,
      self_supporting_at_exit: false,
    });

    // The next file exits the ongoing row and creates an exited one.
    const second = await upload(
      admin,
      slug,
      csv([
        {
          insats: 'Unga vuxna på väg',
          personnummer: ongoing,
          startdatum: '2024-03-01',
          kommun: '0101',
          försörjning_start: 'aktivitetsersättning:50|försörjningsstöd:50',
          samtycke_datum: '2024-03-01',
          slutdatum: '2024-12-31',
          avslutsanledning: 'arbete',
          sysselsättning_efter: 'arbete',
          försörjning_slut: 'lön:75|a-kassa:25',
        },
        {
          insats: 'Unga vuxna på väg',
          personnummer: person('man'),
          startdatum: '2024-04-01',
          kommun: '0102',
          försörjning_start: 'lön',
          samtycke_datum: '2024-04-01',
          slutdatum: '2024-10-31',
          avslutsanledning: 'studier',
          sysselsättning_efter: 'studier',
          försörjning_slut: 'okänd:50|studiemedel:50',
        },
      ]),
      { fileName: 'andra.csv' },
    );
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ imported: 1, updated: 1 });
    expect(await stored(ongoingId)).toMatchObject({
      exit_income_group: 'ingen',
      self_supporting_at_exit: false,
    });
    const createdId = (
      await t.database.db
        .selectFrom('participations')
        .select('id')
        .where('import_batch_id', '=', second.json().batchId)
        .executeTakeFirstOrThrow()
    ).id;
    // A tie: student_aid < unknown.
    expect(await stored(createdId)).toEqual({
      entry_income_group: 'ingen',
      exit_income_group: 'ingen',
      public_support_at_entry: false,
      self_supporting_at_exit: true,
    });
    await expectAllRight();

    const undo = await admin.post(`/api/associations/${slug}/imports/${second.json().batchId}/undo`);
    expect(undo.statusCode, undo.body).toBe(200);
    // The reopened participation has no exit lines any more.
    expect(await stored(ongoingId)).toEqual({
      entry_income_group: 'ohalsa',
      exit_income_group: 'okand',
      public_support_at_entry: true,
      self_supporting_at_exit: false,
    });
    const rows = await expectAllRight();
    expect(rows.has(createdId)).toBe(false);
  });

  it('erasure removes the participations with their lines', async () => {
    const p = await enter(admin, slug, insats, uniquePnr('kvinna', 1988), '2025-02-01');
    await anonymisePerson(
      { db: t.database.db, pnr: testPnrCipher },
      { ...fx.scope, userId: null },
      p.id,
      'consent_withdrawn',
    );
    const rows = await expectAllRight();
    expect(rows.has(p.id)).toBe(false);
  });
});

describe("the person's sex on the participation (migration 0010)", () => {
  it("is the person's, and the foreign key refuses another", async () => {
    const p = await enter(admin, slug, insats, uniquePnr('man', 1977), '2025-03-01');
    const row = await t.database.db
      .selectFrom('participations as p')
      .innerJoin('persons as pe', (j) =>
        j.onRef('pe.association_id', '=', 'p.association_id').onRef('pe.id', '=', 'p.person_id'),
      )
      .select(['p.sex', 'pe.sex as person_sex'])
      .where('p.id', '=', p.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sex: 'man', person_sex: 'man' });
    await expect(
      t.database.db.updateTable('participations').set({ sex: 'kvinna' }).where('id', '=', p.id).execute(),
    ).rejects.toThrow(/participations_person_fkey/);
    const mismatched = await t.database.db
      .selectFrom('participations as p')
      .innerJoin('persons as pe', (j) =>
        j.onRef('pe.association_id', '=', 'p.association_id').onRef('pe.id', '=', 'p.person_id'),
      )
      .select('p.id')
      .whereRef('p.sex', '!=', 'pe.sex')
      .execute();
    expect(mismatched).toEqual([]);
  });
});

describe('migration 0007 backfill', () => {
  it('fills rows written before the migration exactly as the lateral aggregate computes them', async () => {
    const scope: Scope = { ...fx.scope, userId: null };
    const deps = { db: t.database.db, pnr: testPnrCipher };
    // Deterministic pseudo-random lines: ties, zero extents, unknown only, empty exit phases.
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const extents = [0, 25, 50, 50, 75, 100];
    const lines = () => {
      const n = Math.floor(rand() * 4);
      const sources = [...INCOME_SOURCE_CODES].sort(() => rand() - 0.5).slice(0, n);
      return sources.map((source) => line(source, extents[Math.floor(rand() * extents.length)]!));
    };
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await registerEntry(deps, scope, {
        interventionId: insats,
        // Born after the import test's numbers (tests/imports.ts starts at 1970).
        personnummer: uniquePnr(i % 2 ? 'man' : 'kvinna', 2000 + (i % 5)),
        entryDate: '2023-01-01',
        municipalityCode: '0101',
        incomeAtEntry: [line('salary', 100)],
        supportMonths: null,
        educationLevel: null,
        targetGroupIds: [],
        referringMemberId: null,
        consentDate: '2023-01-01',
        consentRef: '',
        referralId: null,
      });
      ids.push(r.id);
    }
    // Rewrite their lines the way the register wrote them before 0007 (lines only), and reset the
    // columns to what ADD COLUMN gives existing rows.
    const { db } = t.database;
    const expected = new Map<string, object>();
    for (const id of ids) {
      const entry = lines();
      const out = lines();
      await db.deleteFrom('participation_income').where('participation_id', '=', id).execute();
      const rows = [
        ...entry.map((l) => ({ phase: 'entry' as const, ...l })),
        ...out.map((l) => ({ phase: 'exit' as const, ...l })),
      ];
      if (rows.length)
        await db
          .insertInto('participation_income')
          .values(
            rows.map((l) => ({
              association_id: fx.id,
              participation_id: id,
              phase: l.phase,
              source: l.source,
              extent_pct: l.extentPct,
            })),
          )
          .execute();
      expected.set(id, { ...entryIncomeSummary(entry), ...exitIncomeSummary(out) });
    }
    await db
      .updateTable('participations')
      .set({
        entry_income_group: 'okand',
        exit_income_group: 'okand',
        public_support_at_entry: false,
        self_supporting_at_exit: false,
      })
      .execute();
    const before = await compared();
    expect(before.some((r) => r.stored_entry !== r.ref_entry)).toBe(true);

    await backfill(db);
    const after = await expectAllRight();
    for (const id of ids) expect({ id, ...(await stored(id)) }).toEqual({ id, ...expected.get(id) });
    expect(after.size).toBeGreaterThan(ids.length);
  });
});
