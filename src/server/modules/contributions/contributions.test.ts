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
import { expectError, expectNoChange } from '../../../../tests/support.js';

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
let admin: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 3);
  beta = await createAssociationFixture(t, 'beta', 1);
  await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  admin = await login(t, 'admin@alfa.example');
});
afterAll(() => t.close());

interface Line {
  memberId: string;
  type: string;
  groupPercent: number | null;
  totalPercent: number | null;
  amount: number | null;
}

const url = (year: number | string) => `/api/associations/alfa/contributions/${year}`;
const split = (percents: number[]) =>
  percents.map((percent, i) => ({ memberId: alfa.members.municipalities[i]!, percent }));
const valid = (over: Record<string, unknown> = {}) => ({
  totalAmount: 12_000_000,
  regions: [{ memberId: alfa.members.region, percent: 100 }],
  municipalities: split([52.4, 31.1, 16.5]),
  ...over,
});

describe('amounts', () => {
  it('splits 12 000 000 kr by law and by the municipal agreement, to the krona', async () => {
    const res = await admin.put(url(2026), valid());
    expect(res.statusCode).toBe(200);
    const body = res.json() as { year: number; saved: boolean; totalAmount: number; lines: Line[] };
    expect(body).toMatchObject({ year: 2026, saved: true, totalAmount: 12_000_000 });
    const by = new Map(body.lines.map((l) => [l.memberId, l]));
    const [m1, m2, m3] = alfa.members.municipalities as [string, string, string];
    // FK 50 %; region 25 %; municipalities 25 % × 52.4 / 31.1 / 16.5 = 13.1 / 7.775 / 4.125 % of the total.
    expect(by.get(alfa.members.fk)).toMatchObject({
      type: 'fk',
      groupPercent: 100,
      totalPercent: 50,
      amount: 6_000_000,
    });
    expect(by.get(alfa.members.af)).toMatchObject({
      type: 'af',
      groupPercent: 0,
      totalPercent: 0,
      amount: 0,
    });
    expect(by.get(alfa.members.region)).toMatchObject({
      groupPercent: 100,
      totalPercent: 25,
      amount: 3_000_000,
    });
    expect(by.get(m1)).toMatchObject({ groupPercent: 52.4, totalPercent: 13.1, amount: 1_572_000 });
    expect(by.get(m2)).toMatchObject({ groupPercent: 31.1, totalPercent: 7.775, amount: 933_000 });
    expect(by.get(m3)).toMatchObject({ groupPercent: 16.5, totalPercent: 4.125, amount: 495_000 });
    expect(body.lines.reduce((s, l) => s + (l.amount ?? 0), 0)).toBe(12_000_000);

    // Saved: a later GET and the overview show the same figures.
    const get = await admin.get(url(2026));
    expect(get.json()).toEqual(body);
    const overview = (await admin.get('/api/associations/alfa/overview?year=2026')).json();
    expect(overview.contribution).toEqual(body);
  });

  it('rounds each amount to the nearest krona', async () => {
    const res = await admin.put(
      url(2027),
      valid({ totalAmount: 1_000_001, municipalities: split([33.33, 33.33, 33.34]) }),
    );
    expect(res.statusCode).toBe(200);
    const by = new Map((res.json().lines as Line[]).map((l) => [l.memberId, l.amount]));
    // 1 000 001 × 0.25 × 0.3333 = 83 325.083… ; × 0.3334 = 83 350.083…; FK 500 000.5 → 500 001.
    expect(by.get(alfa.members.municipalities[0]!)).toBe(83_325);
    expect(by.get(alfa.members.municipalities[2]!)).toBe(83_350);
    expect(by.get(alfa.members.region)).toBe(250_000);
    expect(by.get(alfa.members.fk)).toBe(500_001);
  });

  it('shows percentages without amounts while the total is undecided', async () => {
    const res = await admin.put(url(2028), valid({ totalAmount: null }));
    expect(res.statusCode).toBe(200);
    const lines = res.json().lines as Line[];
    expect(lines.every((l) => l.amount === null)).toBe(true);
    expect(lines.find((l) => l.memberId === alfa.members.municipalities[0])!.totalPercent).toBe(13.1);
  });

  it('a year never saved is reported as not saved, with no member shares', async () => {
    const res = await admin.get(url(2030));
    expect(res.statusCode).toBe(200);
    const body = res.json() as { saved: boolean; lines: Line[] };
    expect(body.saved).toBe(false);
    expect(body.lines.find((l) => l.memberId === alfa.members.region)!.groupPercent).toBeNull();
  });

  it('a second save replaces the year’s split', async () => {
    expect((await admin.put(url(2029), valid())).statusCode).toBe(200);
    const res = await admin.put(
      url(2029),
      valid({ totalAmount: 4_000_000, municipalities: split([100, 0, 0]) }),
    );
    expect(res.statusCode).toBe(200);
    const by = new Map((res.json().lines as Line[]).map((l) => [l.memberId, l]));
    expect(by.get(alfa.members.municipalities[0]!)).toMatchObject({ groupPercent: 100, amount: 1_000_000 });
    expect(by.get(alfa.members.municipalities[1]!)).toMatchObject({ groupPercent: 0, amount: 0 });
    const rows = await t.database.db
      .selectFrom('contribution_shares')
      .selectAll()
      .where('association_id', '=', alfa.id)
      .where('year', '=', 2029)
      .execute();
    expect(rows).toHaveLength(4);
  });
});

describe('refused splits change nothing', () => {
  it('shares that do not sum to 100 name the group', async () => {
    await expectNoChange(t, async () => {
      expectError(
        await admin.put(url(2026), valid({ municipalities: split([52.4, 31.1, 16.4]) })),
        400,
        'VALIDATION',
        [{ path: 'municipalities', code: 'sum' }],
      );
      expectError(
        await admin.put(url(2026), valid({ municipalities: split([60, 30, 10.01]) })),
        400,
        'VALIDATION',
        [{ path: 'municipalities', code: 'sum' }],
      );
      expectError(
        await admin.put(url(2026), valid({ regions: [{ memberId: alfa.members.region, percent: 99.99 }] })),
        400,
        'VALIDATION',
        [{ path: 'regions', code: 'sum' }],
      );
    });
  });

  it('percentages with more than two decimals, or outside 0–100, name the line', async () => {
    await expectNoChange(t, async () => {
      const res = await admin.put(url(2026), valid({ municipalities: split([33.333, 33.333, 33.334]) }));
      expectError(res, 400, 'VALIDATION', [
        { path: 'municipalities.0.percent', code: 'decimals' },
        { path: 'municipalities.2.percent', code: 'decimals' },
      ]);
      expectError(
        await admin.put(url(2026), valid({ municipalities: split([120, -10, -10]) })),
        400,
        'VALIDATION',
        [
          { path: 'municipalities.0.percent', code: 'too_big' },
          { path: 'municipalities.1.percent', code: 'too_small' },
        ],
      );
    });
  });

  it('every region and municipality must be listed', async () => {
    await expectNoChange(t, async () => {
      const res = await admin.put(url(2026), valid({ municipalities: split([60, 40]) }));
      expectError(res, 400, 'VALIDATION', [{ path: 'municipalities', code: 'missing_member' }]);
    });
  });

  it('a member of another group or another association is an unknown member', async () => {
    await expectNoChange(t, async () => {
      const wrongGroup = valid({
        municipalities: [...split([52.4, 31.1]), { memberId: alfa.members.region, percent: 16.5 }],
      });
      expectError(await admin.put(url(2026), wrongGroup), 400, 'VALIDATION', [
        { path: 'municipalities.2.memberId', code: 'unknown_member' },
      ]);
      const fkAsRegion = valid({ regions: [{ memberId: alfa.members.fk, percent: 100 }] });
      expectError(await admin.put(url(2026), fkAsRegion), 400, 'VALIDATION', [
        { path: 'regions.0.memberId', code: 'unknown_member' },
      ]);
      const foreign = valid({
        municipalities: [
          ...split([52.4, 31.1, 16.5]).slice(0, 2),
          { memberId: beta.members.municipalities[0]!, percent: 16.5 },
        ],
      });
      expectError(await admin.put(url(2026), foreign), 400, 'VALIDATION', [
        { path: 'municipalities.2.memberId', code: 'unknown_member' },
      ]);
    });
  });

  it('a member listed twice is a duplicate', async () => {
    await expectNoChange(t, async () => {
      const twice = valid({
        municipalities: [...split([50, 25, 0]), { memberId: alfa.members.municipalities[0]!, percent: 25 }],
      });
      expectError(await admin.put(url(2026), twice), 400, 'VALIDATION', [
        { path: 'municipalities.3.memberId', code: 'duplicate' },
      ]);
    });
  });

  it('a wrong total is named', async () => {
    await expectNoChange(t, async () => {
      for (const totalAmount of [-1, 1.5, '1000', 20_000_000_000]) {
        const res = await admin.put(url(2026), valid({ totalAmount }));
        expectError(res, 400, 'VALIDATION', [{ path: 'totalAmount' }]);
      }
      expectError(
        await admin.put(url(2026), { regions: valid().regions, municipalities: valid().municipalities }),
        400,
        'VALIDATION',
        [{ path: 'totalAmount', code: 'required' }],
      );
    });
  });
});

describe('years', () => {
  it('2004 and 2200 are the first and last years', async () => {
    expect((await admin.put(url(2004), valid())).statusCode).toBe(200);
    expect((await admin.put(url(2200), valid())).statusCode).toBe(200);
    expect((await admin.get(url(2200))).json().saved).toBe(true);
  });

  it('a year outside 2004–2200, or not a year, is 404', async () => {
    await expectNoChange(t, async () => {
      for (const year of [
        '2003',
        '2201',
        '0',
        '-1',
        '-2026',
        '20260',
        'abc',
        '2026.5',
        '99999999999999999999',
      ]) {
        expectError(await admin.get(url(year)), 404, 'NOT_FOUND');
        expectError(await admin.put(url(year), valid()), 404, 'NOT_FOUND');
      }
    });
  });
});

describe('another association', () => {
  it('its slug is 404 for reading and writing', async () => {
    await expectNoChange(t, async () => {
      expectError(await admin.get('/api/associations/beta/contributions/2026'), 404, 'NOT_FOUND');
      const body = {
        totalAmount: 1000,
        regions: [{ memberId: beta.members.region, percent: 100 }],
        municipalities: [{ memberId: beta.members.municipalities[0]!, percent: 100 }],
      };
      expectError(await admin.put('/api/associations/beta/contributions/2026', body), 404, 'NOT_FOUND');
    });
  });
});
