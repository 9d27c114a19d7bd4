/**
 * The national export for Uppföljning Finsam and the cross-association comparison, against the
 * hand-computed fixture (tests/report-fixture.ts) plus a few insatser and a second association
 * built here. Both are always protected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  testPnrCipher,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../../../../tests/helpers.js';
import { buildReportFixture, type ReportFixture } from '../../../../../tests/report-fixture.js';
import { uniquePnr } from '../../../../../tests/register.js';
import type { Scope } from '../../../auth/access.js';
import { changeInterventionStatus, createIntervention } from '../../interventions/service.js';
import { addAnonymousCount, registerEntry } from '../../participants/service.js';
import { comparisonRows, coreFigures, incomeMatrix } from '../queries.js';

let t: TestApp;
let a: AssociationFixture;
let b: AssociationFixture;
let fx: ReportFixture;
let admin: ApiClient;
let board: ApiClient;
let sysadmin: ApiClient;

const insats = (
  name: string,
  direction: 'individual' | 'structural',
  plannedParticipants: number | null,
) => ({
  name,
  description: '',
  direction,
  followUp: direction === 'individual' ? ('person' as const) : ('count' as const),
  esf: false,
  startDate: '2025-01-01',
  endDate: null,
  organiserMemberId: null,
  targetGroupIds: [],
  responsibleUserIds: [],
  plannedParticipants,
  notes: '',
});

/** Second association: 6 women (3 to work) and 5 men (2 to work) exit in 2025; one man ongoing. */
async function buildSecondAssociation(scope: Scope) {
  const { db } = t.database;
  const s = { ...scope, userId: null };
  const steg = await createIntervention(db, s, insats('Steget', 'individual', 30));
  const deps = { db, pnr: testPnrCipher };
  const people: { sex: 'kvinna' | 'man'; occ: 'work' | 'other' | null }[] = [
    ...['work', 'work', 'work', 'other', 'other', 'other'].map((occ) => ({
      sex: 'kvinna' as const,
      occ: occ as 'work' | 'other',
    })),
    ...['work', 'work', 'other', 'other', 'other'].map((occ) => ({
      sex: 'man' as const,
      occ: occ as 'work' | 'other',
    })),
    { sex: 'man', occ: null },
  ];
  for (const [i, p] of people.entries()) {
    const entryDate = `2025-02-${String(i + 1).padStart(2, '0')}`;
    await registerEntry(
      deps,
      s,
      {
        interventionId: steg.id,
        personnummer: uniquePnr(p.sex, 1992),
        entryDate,
        municipalityCode: '0101',
        incomeAtEntry: [{ source: 'sickness_benefit', extentPct: 100 }],
        supportMonths: 6,
        educationLevel: null,
        targetGroupIds: [],
        referringMemberId: null,
        consentDate: entryDate,
        consentRef: '',
        referralId: null,
      },
      p.occ
        ? {
            exit: {
              exitDate: '2025-10-01',
              exitReason: p.occ === 'work' ? 'work' : 'other',
              occupationAfter: p.occ,
              incomeAtExit: [{ source: p.occ === 'work' ? 'salary' : 'sickness_benefit', extentPct: 100 }],
            },
          }
        : undefined,
    );
  }
}

beforeAll(async () => {
  t = await createTestApp();
  a = await createAssociationFixture(t, 'rapport', 1);
  fx = await buildReportFixture(t, a);
  b = await createAssociationFixture(t, 'andra', 1);
  await buildSecondAssociation(b.scope);
  await createAssociationFixture(t, 'tomma', 1);
  await createUserFixture(t, 'chef@rapport.example', 'association_admin', a.id);
  await createUserFixture(t, 'styrelse@rapport.example', 'board', a.id);
  await createUserFixture(t, 'it@samverka.example', 'system_admin');
  admin = await login(t, 'chef@rapport.example');
  board = await login(t, 'styrelse@rapport.example');
  sysadmin = await login(t, 'it@samverka.example');

  // In the first association, for the national export: the other insats gets two anonymous women
  // and six anonymous men in 2025; a structural insats is decided; a proposal stays out.
  const { db } = t.database;
  const s = { ...a.scope, userId: null };
  await addAnonymousCount(db, s, {
    interventionId: fx.otherInterventionId,
    year: 2025,
    sex: 'kvinna',
    count: 2,
  });
  await addAnonymousCount(db, s, {
    interventionId: fx.otherInterventionId,
    year: 2025,
    sex: 'man',
    count: 6,
  });
  // Anonymous with a known exit year (withdrawn consent) count in every year from entry to exit.
  await db
    .insertInto('anonymous_participations')
    .values({
      association_id: a.id,
      intervention_id: fx.interventionId,
      year: 2023,
      exit_year: 2024,
      sex: 'man',
      count: 5,
      source: 'withdrawn',
    })
    .execute();
  const structural = await createIntervention(db, s, insats('Strukturinsatsen', 'structural', null));
  await changeInterventionStatus(db, s, structural!.id, 'decided', '2025-01-15');
  await createIntervention(db, s, insats('Idéstadiet', 'individual', 10));
});
afterAll(() => t.close());

const NATIONAL = '/api/associations/rapport/exports/national';

describe('national export for Uppföljning Finsam', () => {
  it('writes participants per insats and year by sex as CSV for Swedish Excel', async () => {
    const res = await admin.get(`${NATIONAL}?year=2025&format=csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('filename="uppfoljning-finsam-rapport-2025.csv"');
    // UTF-8 with BOM, semicolons, CRLF.
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.rawPayload.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      'År;Insats;Inriktning;Planerat antal deltagare;Deltagare kvinnor;Deltagare män;Deltagare totalt;Anmärkning',
    );
    expect(lines.slice(1)).toEqual([
      // 2 women (primary) and, so that they cannot be derived from 8 − 6, the 6 men too.
      '2025;Annan insats;individinriktad;20;;;8;Små tal (1–4) och tal som skulle avslöja dem visas inte.',
      // 7 identified women (6 exited + the returner) + 3 anonymous; 5 identified men (4 exited +
      // one ongoing; the felregistrering is not counted) + 1 anonymous.
      '2025;Rapportinsatsen;individinriktad;20;10;6;16;',
      '2025;Strukturinsatsen;strukturövergripande;;0;0;0;',
    ]);
  });

  it('protects small counts in every year, and counts anonymous participants in the years they span', async () => {
    const res = await admin.get(`${NATIONAL}?year=2024&format=csv`);
    const lines = res.rawPayload.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    // 2024: the returner's first participation (one woman: suppressed, and the total with her) and
    // five anonymous men whose consent was withdrawn (2023–2024). The structural insats starts 2025.
    expect(lines.slice(1)).toEqual([
      '2024;Rapportinsatsen;individinriktad;20;;;6;Små tal (1–4) och tal som skulle avslöja dem visas inte.',
    ]);
    const y2023 = (await admin.get(`${NATIONAL}?year=2023&format=csv`)).rawPayload
      .subarray(3)
      .toString('utf8');
    expect(y2023.split('\r\n').filter(Boolean).slice(1)).toEqual([
      '2023;Rapportinsatsen;individinriktad;20;0;5;5;',
    ]);
  });

  it('writes the same rows as XLSX, numbers as numbers and suppressed cells empty with a note', async () => {
    const res = await board.get(`${NATIONAL}?year=2025&format=xlsx`);
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Deltagare per insats', 'Om exporten']);
    const ws = wb.getWorksheet('Deltagare per insats')!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1, 8)));
    expect(rows).toEqual([
      [
        'År',
        'Insats',
        'Inriktning',
        'Planerat antal deltagare',
        'Deltagare kvinnor',
        'Deltagare män',
        'Deltagare totalt',
      ],
      [2025, 'Annan insats', 'individinriktad', 20, undefined, undefined, 8],
      [2025, 'Rapportinsatsen', 'individinriktad', 20, 10, 6, 16],
      [2025, 'Strukturinsatsen', 'strukturövergripande', undefined, 0, 0, 0],
    ]);
    expect(ws.getRow(2).getCell(5).note).toContain('Små tal');
  });

  it('refuses a missing or impossible year, an unknown format and strangers', async () => {
    expect((await admin.get(`${NATIONAL}?format=csv`)).statusCode).toBe(400);
    expect((await admin.get(`${NATIONAL}?year=1999`)).statusCode).toBe(400);
    expect((await admin.get(`${NATIONAL}?year=2025&format=pdf`)).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: `${NATIONAL}?year=2025` })).statusCode).toBe(401);
    expect((await admin.get('/api/associations/andra/exports/national?year=2025')).statusCode).toBe(404);
  });
});

describe('cross-association comparison', () => {
  const YEAR = 'from=2025-01-01&to=2025-12-31';

  it('shows every association side by side, protected exactly as each association’s own protected report', async () => {
    const res = await sysadmin.get(`/api/reports/compare?${YEAR}`);
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c.protected).toBe(true);
    expect(c.period).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(c.associations.map((x: { slug: string; name: string }) => [x.slug, x.name])).toEqual([
      ['andra', 'Samordningsförbundet andra'],
      ['rapport', 'Samordningsförbundet rapport'],
      ['tomma', 'Samordningsförbundet tomma'],
    ]);
    // Each association's figures equal what its board sees (the same cells hidden), so the two views
    // together reveal nothing that either hides.
    for (const x of c.associations as { slug: string; total: unknown; bySex: unknown }[]) {
      const own = (await sysadmin.get(`/api/associations/${x.slug}/reports/outcomes?${YEAR}`)).json();
      expect(own.protected).toBe(true);
      expect({ slug: x.slug, total: x.total, bySex: x.bySex }).toEqual({
        slug: x.slug,
        total: own.total,
        bySex: own.bySex,
      });
    }
    const boardView = (await board.get(`/api/associations/rapport/reports/outcomes?${YEAR}`)).json();
    const rapport = c.associations.find((x: { slug: string }) => x.slug === 'rapport');
    expect(rapport.total).toEqual(boardView.total);
  });

  it('reads the same rows as the per-report queries, in the cheaper shape', async () => {
    const { db } = t.database;
    const all = await db.selectFrom('associations').select('id').execute();
    const scope = { associationIds: all.map((x) => x.id) };
    const period = { from: '2025-01-01', to: '2025-12-31' };
    const rows = await comparisonRows(db, scope, period);
    const key = (r: { dim: string; sex: string | null }, ...more: string[]) =>
      [r.dim, r.sex ?? '', ...more].join('|');
    const sorted = <T extends { dim: string; sex: string | null }>(list: T[], k: (r: T) => string) =>
      [...list].sort((x, y) => (k(x) < k(y) ? -1 : k(x) > k(y) ? 1 : 0));
    const core = await coreFigures(db, scope, period, {}, 'association');
    expect(core.length).toBeGreaterThan(3);
    expect(sorted(rows.core, (r) => key(r))).toEqual(sorted(core, (r) => key(r)));
    const income = await incomeMatrix(db, scope, period, {}, 'association');
    const ik = (r: (typeof income)[number]) => key(r, r.entry_group, r.exit_group);
    expect(income.length).toBeGreaterThan(3);
    expect(sorted(rows.income, ik)).toEqual(sorted(income, ik));
  });

  it('holds the hand-computed figures where they are large enough to show', async () => {
    const c = (await sysadmin.get(`/api/reports/compare?${YEAR}`)).json();
    const andra = c.associations.find((x: { slug: string }) => x.slug === 'andra');
    // 12 entries (6 women, 6 men), 11 exits of which 5 to work: 5 / 11.
    expect(andra.total).toMatchObject({
      entries: 12,
      exits: 11,
      exitsExcludingErrors: 11,
      toWorkOrStudies: 5,
    });
    expect(andra.total.shareToWorkOrStudies).toBeCloseTo(5 / 11);
    expect(andra.bySex.kvinna).toMatchObject({ entries: 6, exits: 6 });
    // Three women and two men to work: both hidden.
    expect(andra.bySex.kvinna.toWorkOrStudies).toBeNull();
    expect(andra.bySex.man.toWorkOrStudies).toBeNull();
    expect(andra.bySex.man.suppressed).toBe(true);
    const tomma = c.associations.find((x: { slug: string }) => x.slug === 'tomma');
    expect(tomma.total).toMatchObject({
      entries: 0,
      exits: 0,
      shareToWorkOrStudies: null,
      suppressed: false,
    });
    // Nothing anywhere is a count of 1–4.
    const counts = [
      'entries',
      'identifiedEntries',
      'anonymousEntries',
      'exits',
      'exitsExcludingErrors',
      'toWorkOrStudies',
      'ongoingAtEnd',
      'participations',
      'uniquePersons',
      'returners',
    ];
    for (const x of c.associations)
      for (const g of [x.total, x.bySex.kvinna, x.bySex.man])
        for (const k of counts) if (g[k] !== null) expect(g[k] === 0 || g[k] >= 5).toBe(true);
  });

  it('is for the system administrator only', async () => {
    expect((await admin.get(`/api/reports/compare?${YEAR}`)).statusCode).toBe(403);
    expect((await board.get(`/api/reports/compare?${YEAR}`)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/reports/compare?${YEAR}` })).statusCode).toBe(401);
    const reversed = await sysadmin.get('/api/reports/compare?from=2025-12-31&to=2025-01-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.issues[0]).toMatchObject({ path: 'to', code: 'before_start' });
    expect((await sysadmin.get('/api/reports/compare?from=2025-01-01')).statusCode).toBe(400);
  });
});
