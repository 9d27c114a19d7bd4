import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  type TestApp,
} from '../../../../tests/helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('association overview', () => {
  it('shows members and the contribution split to a board member', async () => {
    const a = await createAssociationFixture(t, 'alfa', 2);
    await createUserFixture(t, 'admin@alfa.example', 'association_admin', a.id);
    await createUserFixture(t, 'board@alfa.example', 'board', a.id);
    const admin = await login(t, 'admin@alfa.example');
    const put = await admin.put('/api/associations/alfa/contributions/2026', {
      totalAmount: 1_000_000,
      regions: [{ memberId: a.members.region, percent: 100 }],
      municipalities: [
        { memberId: a.members.municipalities[0], percent: 60 },
        { memberId: a.members.municipalities[1], percent: 40 },
      ],
    });
    expect(put.statusCode).toBe(200);
    const board = await login(t, 'board@alfa.example');
    const res = await board.get('/api/associations/alfa/overview?year=2026');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.members).toHaveLength(5);
    expect(body.users).toBeNull();
    const amounts = Object.fromEntries(
      body.contribution.lines.map((l: { name: string; amount: number; totalPercent: number }) => [
        l.name,
        [l.totalPercent, l.amount],
      ]),
    );
    // 50 % FK, 25 % region, 25 % × 60/40 municipalities of 1 000 000 kr.
    expect(amounts).toEqual({
      Försäkringskassan: [50, 500_000],
      Arbetsförmedlingen: [0, 0],
      'Region alfa': [25, 250_000],
      'Kommun alfa 1': [15, 150_000],
      'Kommun alfa 2': [10, 100_000],
    });
  });
});
