import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../../../tests/helpers.js';
import { buildReportFixture, type ReportFixture } from '../../../../tests/report-fixture.js';

let t: TestApp;
let a: AssociationFixture;
let fx: ReportFixture;
let admin: ApiClient;
let board: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  a = await createAssociationFixture(t, 'rapport', 1);
  fx = await buildReportFixture(t, a);
  await createUserFixture(t, 'chef@rapport.example', 'association_admin', a.id);
  await createUserFixture(t, 'styrelse@rapport.example', 'board', a.id);
  admin = await login(t, 'chef@rapport.example');
  board = await login(t, 'styrelse@rapport.example');
});
afterAll(() => t.close());

const YEAR = 'from=2025-01-01&to=2025-12-31';

describe('outcome figures against hand-computed expectations (2025)', () => {
  it('computes volumes, outcome, returners and time in insats for the whole association', async () => {
    const res = await admin.get(`/api/associations/rapport/reports/outcomes?${YEAR}`);
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.protected).toBe(false);
    expect(r.total).toMatchObject({
      // 10 exited + returner's second participation + one ongoing man = 12 identified; + 4 anonymous.
      entries: 16,
      identifiedEntries: 12,
      anonymousEntries: 4,
      // The felregistrering vanishes: 10 exits, not 11.
      exits: 10,
      exitsExcludingErrors: 10,
      toWorkOrStudies: 4,
      shareToWorkOrStudies: 0.4,
      ongoingAtEnd: 2,
      participations: 12,
      uniquePersons: 12,
      returners: 1,
      shareReturners: 1 / 12,
      medianDaysInInsats: 135,
      suppressed: false,
    });
    expect(r.total.daysDistribution).toEqual([
      { band: '0-90', count: 3 },
      { band: '91-180', count: 4 },
      { band: '181-365', count: 3 },
      { band: '366-730', count: 0 },
      { band: '731+', count: 0 },
    ]);
    expect(r.bySex.kvinna).toMatchObject({
      entries: 10,
      identifiedEntries: 7,
      exits: 6,
      toWorkOrStudies: 3,
      shareToWorkOrStudies: 0.5,
      ongoingAtEnd: 1,
      returners: 1,
    });
    expect(r.bySex.man).toMatchObject({
      entries: 6,
      identifiedEntries: 5,
      exits: 4,
      toWorkOrStudies: 1,
      shareToWorkOrStudies: 0.25,
      ongoingAtEnd: 1,
      returners: 0,
    });
  });

  it('builds the income matrix and the move to self-support', async () => {
    const r = (await admin.get(`/api/associations/rapport/reports/outcomes?${YEAR}`)).json();
    const nonZero = r.incomeMatrix.total.filter((c: { count: number }) => c.count > 0);
    // All ten entered on försörjningsstöd; the three who went to work got a salary, the rest stayed.
    expect(nonZero).toEqual([
      { entryGroup: 'ekonomiskt_bistand', exitGroup: 'ekonomiskt_bistand', count: 7, share: 0.7 },
      { entryGroup: 'ekonomiskt_bistand', exitGroup: 'ingen', count: 3, share: 0.3 },
    ]);
    expect(r.incomeMatrix.movedToSelfSupport).toBe(3);
    expect(r.incomeMatrix.publicSupportAtEntry).toBe(10);
    expect(r.incomeMatrix.shareMovedToSelfSupport).toBe(0.3);
  });

  it('narrows by filter and period', async () => {
    const women = (await admin.get(`/api/associations/rapport/reports/outcomes?${YEAR}&sex=kvinna`)).json();
    expect(women.total).toMatchObject({ exits: 6, toWorkOrStudies: 3, anonymousEntries: 3 });
    const other = (
      await admin.get(
        `/api/associations/rapport/reports/outcomes?${YEAR}&interventions=${fx.otherInterventionId}`,
      )
    ).json();
    expect(other.total).toMatchObject({ entries: 0, exits: 0, shareToWorkOrStudies: null });
    // 2024: the returner's first participation only.
    const y2024 = (
      await admin.get('/api/associations/rapport/reports/outcomes?from=2024-01-01&to=2024-12-31')
    ).json();
    expect(y2024.total).toMatchObject({ entries: 1, exits: 1, toWorkOrStudies: 0, returners: 0 });
  });

  it('narrows by an age range at entry, inclusive, without the anonymous counts', async () => {
    const q = (range: string) =>
      admin.get(`/api/associations/rapport/reports/outcomes?${YEAR}&${range}`).then((r) => r.json());
    // Born 1995 → 30 at their 2025 entries (the ten exits); the returner 35; the ongoing man 45.
    expect((await q('ageFrom=30&ageTo=34')).total).toMatchObject({
      entries: 10,
      exits: 10,
      toWorkOrStudies: 4,
      shareToWorkOrStudies: 0.4,
      uniquePersons: 10,
      anonymousEntries: 0,
    });
    expect((await q('ageFrom=35&ageTo=35')).total).toMatchObject({ entries: 1, exits: 0, returners: 1 });
    expect((await q('ageFrom=40')).total).toMatchObject({ entries: 1, exits: 0, uniquePersons: 1 });
    expect((await q('ageTo=29')).total).toMatchObject({ entries: 0, exits: 0, uniquePersons: 0 });
    // The seeds' "16–64 år": everyone identified, no anonymous participant.
    expect((await q('ageFrom=16&ageTo=64')).total).toMatchObject({
      entries: 12,
      exits: 10,
      uniquePersons: 12,
      anonymousEntries: 0,
    });
    const reversed = await admin.get(
      `/api/associations/rapport/reports/outcomes?${YEAR}&ageFrom=64&ageTo=16`,
    );
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.issues[0]).toMatchObject({ path: 'ageTo', code: 'before_start' });
    expect(
      (await admin.get(`/api/associations/rapport/reports/outcomes?${YEAR}&ageFrom=-1`)).statusCode,
    ).toBe(400);
  });

  it('breaks down by age band, and the rows add up to the total', async () => {
    const r = (
      await admin.get(`/api/associations/rapport/reports/outcomes?${YEAR}&breakdown=ageBand`)
    ).json();
    const rows = r.breakdown.rows as { key: string; total: { identifiedEntries: number } }[];
    expect(rows.reduce((s, x) => s + x.total.identifiedEntries, 0)).toBe(12);
    // Born 1995 → 30 in 2025; born 1990 → 35; born 1980 → 45.
    expect(Object.fromEntries(rows.map((x) => [x.key, x.total.identifiedEntries]))).toEqual({
      '30-39': 11,
      '40-49': 1,
    });
  });

  it('suppresses small counts for the board so that none can be derived', async () => {
    const r = (await board.get(`/api/associations/rapport/reports/outcomes?${YEAR}`)).json();
    expect(r.protected).toBe(true);
    // Sensitive counts (1–4) are never shown.
    for (const g of [r.total, r.bySex.kvinna, r.bySex.man])
      for (const k of [
        'entries',
        'identifiedEntries',
        'anonymousEntries',
        'exits',
        'toWorkOrStudies',
        'ongoingAtEnd',
        'returners',
      ])
        if (g[k] !== null) expect(g[k] === 0 || g[k] >= 5).toBe(true);
    expect(r.bySex.man.exits).toBeNull();
    expect(r.bySex.man.suppressed).toBe(true);
    // Secondary suppression: women's exits (6) would reveal men's (10 − 6 = 4).
    expect(r.total.exits === null || r.bySex.kvinna.exits === null).toBe(true);
    expect(r.bySex.kvinna.shareToWorkOrStudies).toBeNull();
    // The CLI/API contract: suppressed values are null and the object says so.
    expect(r.total.suppressedFields.length).toBeGreaterThan(0);
  });

  it('hides the same whole-group cells with and without a breakdown, so views cannot be combined', async () => {
    const plain = (await board.get(`/api/associations/rapport/reports/outcomes?${YEAR}`)).json();
    for (const breakdown of ['ageBand', 'municipality', 'intervention']) {
      const split = (
        await board.get(`/api/associations/rapport/reports/outcomes?${YEAR}&breakdown=${breakdown}`)
      ).json();
      for (const g of ['total', 'kvinna', 'man']) {
        const a = g === 'total' ? plain.total : plain.bySex[g];
        const b = g === 'total' ? split.total : split.bySex[g];
        expect({ breakdown, g, hidden: b.suppressedFields }).toEqual({
          breakdown,
          g,
          hidden: a.suppressedFields,
        });
      }
    }
  });

  it('refuses an invalid period or filter, and another association’s insats, with a clear error', async () => {
    const bad = await admin.get('/api/associations/rapport/reports/outcomes?from=2025-12-31&to=2025-01-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0]).toMatchObject({ path: 'to', code: 'before_start' });
    const badDate = await admin.get(
      '/api/associations/rapport/reports/outcomes?from=2025-02-30&to=2025-12-31',
    );
    expect(badDate.statusCode).toBe(400);
    const unknown = await admin.get(
      `/api/associations/rapport/reports/outcomes?${YEAR}&interventions=${crypto.randomUUID()}`,
    );
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.issues[0].code).toBe('unknown_intervention');
    const otherAssoc = await admin.get(`/api/associations/saknas/reports/outcomes?${YEAR}`);
    expect(otherAssoc.statusCode).toBe(404);
  });
});

describe('goals', () => {
  it('evaluates the seeds’ goals with traffic lights on the dashboard', async () => {
    const share = await admin.post('/api/associations/rapport/goals', {
      name: 'Minst 40 % till arbete eller studier',
      definition: { kind: 'register', figure: 'shareToWorkOrStudies', filter: {} },
      periodType: 'year',
      comparator: '>=',
      target: 0.4,
      validFromYear: 2024,
    });
    expect(share.statusCode).toBe(201);
    const national = await admin.post('/api/associations/rapport/goals', {
      name: 'Minst riksgenomsnittet',
      definition: { kind: 'register', figure: 'shareToWorkOrStudies', filter: {} },
      periodType: 'year',
      comparator: '>=',
      target: 0,
      reference: { label: 'Riksgenomsnitt', values: { '2025': 0.45 } },
      validFromYear: 2025,
    });
    expect(national.statusCode).toBe(201);
    const volume = await admin.post('/api/associations/rapport/goals', {
      name: '40 personer (16–64 år) under året',
      definition: { kind: 'register', figure: 'uniquePersons', filter: { ageFrom: 16, ageTo: 64 } },
      periodType: 'year',
      comparator: '>=',
      target: 40,
      validFromYear: 2025,
    });
    expect(volume.statusCode).toBe(201);
    const survey = await admin.post('/api/associations/rapport/goals', {
      name: '80 % svarar 7–10',
      definition: {
        kind: 'survey',
        questionnaire: 'NNS deltagarenkät',
        question: 'Kvalitet',
        scaleMin: 1,
        scaleMax: 10,
        atLeast: 7,
      },
      periodType: 'year',
      comparator: '>=',
      target: 0.8,
      validFromYear: 2025,
    });
    expect(survey.statusCode).toBe(201);

    const d = (await admin.get('/api/associations/rapport/dashboard?year=2025')).json();
    const byName = Object.fromEntries(
      d.goals.map((g: { goal: { name: string }; latest: unknown }) => [g.goal.name, g.latest]),
    );
    expect(byName['Minst 40 % till arbete eller studier']).toMatchObject({
      value: 0.4,
      status: 'met',
      target: 0.4,
    });
    // 40 % against a reference of 45 %: within 5 percentage points → near.
    expect(byName['Minst riksgenomsnittet']).toMatchObject({
      value: 0.4,
      reference: 0.45,
      target: 0.45,
      status: 'near',
    });
    expect(byName['40 personer (16–64 år) under året']).toMatchObject({ value: 12, status: 'not_met' });
    const older = await admin.post('/api/associations/rapport/goals', {
      name: 'Personer från 40 år',
      definition: { kind: 'register', figure: 'uniquePersons', filter: { ageFrom: 40 } },
      periodType: 'year',
      comparator: '>=',
      target: 1,
      validFromYear: 2025,
    });
    expect(older.statusCode).toBe(201);
    const reversed = await admin.post('/api/associations/rapport/goals', {
      name: 'Omvänt åldersintervall',
      definition: { kind: 'register', figure: 'uniquePersons', filter: { ageFrom: 64, ageTo: 16 } },
      periodType: 'year',
      comparator: '>=',
      target: 1,
      validFromYear: 2025,
    });
    expect(reversed.statusCode).toBe(400);
    expect(JSON.stringify(reversed.json().error.issues)).toContain('ageTo');
    const d2 = (await admin.get('/api/associations/rapport/dashboard?year=2025')).json();
    const olderGoal = d2.goals.find((g: { goal: { name: string } }) => g.goal.name === 'Personer från 40 år');
    // Born 1980 → 45 at entry: the one person aged 40 or more.
    expect(olderGoal.latest).toMatchObject({ value: 1, status: 'met' });
    await admin.del(`/api/associations/rapport/goals/${older.json().id}`);
    expect(byName['80 % svarar 7–10']).toMatchObject({ status: 'no_data' });
    const trend = d.goals[0].trend as { year: number; status: string }[];
    expect(trend.map((x) => x.year)).toEqual([2024, 2025]);
    // 2024 has one exit: too few data.
    expect(trend[0]!.status).toBe('too_few');
    expect(d.volumes).toHaveLength(12);
    expect(d.volumes.reduce((s: number, m: { entries: number }) => s + m.entries, 0)).toBe(12);
  });

  it('refuses a goal that does not fit its figure', async () => {
    const res = await admin.post('/api/associations/rapport/goals', {
      name: 'Fel',
      definition: { kind: 'register', figure: 'shareToWorkOrStudies', filter: {} },
      periodType: 'year',
      comparator: '>=',
      target: 40,
      validFromYear: 2025,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0]).toMatchObject({ path: 'target', code: 'share_range' });
    const count = await admin.post('/api/associations/rapport/goals', {
      name: 'Fel 2',
      definition: { kind: 'register', figure: 'entries', filter: {} },
      periodType: 'year',
      comparator: '>=',
      target: 10.5,
      validFromYear: 2025,
    });
    expect(count.json().error.issues[0].code).toBe('integer');
    const forbidden = await board.post('/api/associations/rapport/goals', {
      name: 'Styrelsen får inte',
      definition: { kind: 'register', figure: 'entries', filter: {} },
      periodType: 'year',
      comparator: '>=',
      target: 10,
      validFromYear: 2025,
    });
    expect(forbidden.statusCode).toBe(403);
  });
});

describe('report documents', () => {
  it('saves the analysis and freezes the figures when final', async () => {
    const created = await admin.post('/api/associations/rapport/reports', {
      title: 'Tertialrapport 1 2025',
      periodType: 'tertial',
      from: '2025-01-01',
      to: '2025-04-30',
      interventionId: null,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const saved = await admin.put(`/api/associations/rapport/reports/${id}`, {
      title: 'Tertialrapport 1 2025',
      analysis: 'Analys och åtgärder: fler till studier.',
    });
    expect(saved.json().analysis).toContain('fler till studier');
    const before = saved.json().figures.total.identifiedEntries;
    const final = await admin.post(`/api/associations/rapport/reports/${id}/finalise`);
    expect(final.json().status).toBe('final');
    // Live data changes afterwards; the final report keeps its figures.
    await t.database.db
      .updateTable('participations')
      .set({ entry_date: '2025-06-01' })
      .where('association_id', '=', a.id)
      .where('entry_date', '=', '2025-03-01')
      .execute();
    const after = (await admin.get(`/api/associations/rapport/reports/${id}`)).json();
    expect(after.figures.total.identifiedEntries).toBe(before);
    const live = (
      await admin.get('/api/associations/rapport/reports/outcomes?from=2025-01-01&to=2025-04-30')
    ).json();
    expect(live.total.identifiedEntries).toBe(before - 1);
    const edit = await admin.put(`/api/associations/rapport/reports/${id}`, { title: 'x x', analysis: '' });
    expect(edit.statusCode).toBe(409);
    // The board sees the protected frozen figures.
    expect((await board.get(`/api/associations/rapport/reports/${id}`)).json().figures.protected).toBe(true);
  });
});
