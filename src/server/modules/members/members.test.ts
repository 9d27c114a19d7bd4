import { randomUUID } from 'node:crypto';
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
  beta = await createAssociationFixture(t, 'beta', 2);
  await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  admin = await login(t, 'admin@alfa.example');
});
afterAll(() => t.close());

const url = (id?: string) => `/api/associations/alfa/members${id ? `/${id}` : ''}`;

async function membersOf(associationId: string) {
  return t.database.db
    .selectFrom('members')
    .select(['id', 'type', 'name', 'municipality_code'])
    .where('association_id', '=', associationId)
    .orderBy('name')
    .execute();
}

describe('adding and editing members', () => {
  it('adds a region and a municipality and lists them in law order', async () => {
    const region = await admin.post(url(), { type: 'region', name: 'Region Norr' });
    expect(region.statusCode).toBe(201);
    expect(region.json()).toMatchObject({ type: 'region', name: 'Region Norr', municipalityCode: null });
    const muni = await admin.post(url(), {
      type: 'municipality',
      name: '  Nyby kommun ',
      municipalityCode: '2480',
    });
    expect(muni.statusCode).toBe(201);
    expect(muni.json()).toMatchObject({
      type: 'municipality',
      name: 'Nyby kommun',
      municipalityCode: '2480',
    });

    const list = (await admin.get(url())).json() as { type: string }[];
    const types = list.map((m) => m.type);
    expect(types.slice(0, 2)).toEqual(['fk', 'af']);
    expect(types.lastIndexOf('region')).toBeLessThan(types.indexOf('municipality'));
  });

  it('edits a name and a municipality code', async () => {
    const id = alfa.members.municipalities[2]!;
    const res = await admin.put(url(id), {
      type: 'municipality',
      name: 'Tredje kommunen',
      municipalityCode: '0999',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id,
      type: 'municipality',
      name: 'Tredje kommunen',
      municipalityCode: '0999',
    });
    const row = (await membersOf(alfa.id)).find((m) => m.id === id);
    expect(row).toMatchObject({ name: 'Tredje kommunen', municipality_code: '0999' });
  });

  it('requires a four-digit code for a municipality and refuses one for other members', async () => {
    await expectNoChange(t, async () => {
      for (const code of [undefined, null, '', '123', '12345', 'abcd']) {
        const res = await admin.post(url(), {
          type: 'municipality',
          name: 'Kodlös kommun',
          municipalityCode: code,
        });
        expectError(res, 400, 'VALIDATION', [{ path: 'municipalityCode', code: 'municipality_code' }]);
      }
      expectError(
        await admin.post(url(), { type: 'region', name: 'Region Kod', municipalityCode: '0101' }),
        400,
        'VALIDATION',
        [{ path: 'municipalityCode', code: 'not_allowed' }],
      );
      expectError(await admin.post(url(), { type: 'county', name: 'Län' }), 400, 'VALIDATION', [
        { path: 'type' },
      ]);
      expectError(await admin.post(url(), { type: 'region', name: 'R' }), 400, 'VALIDATION', [
        { path: 'name', code: 'too_small' },
      ]);
    });
  });
});

describe('duplicates', () => {
  it('a second Försäkringskassan or Arbetsförmedlingen is a CONFLICT on type', async () => {
    await expectNoChange(t, async () => {
      expectError(await admin.post(url(), { type: 'fk', name: 'Försäkringskassan 2' }), 409, 'CONFLICT', [
        { path: 'type', code: 'duplicate' },
      ]);
      expectError(await admin.post(url(), { type: 'af', name: 'Arbetsförmedlingen 2' }), 409, 'CONFLICT', [
        { path: 'type', code: 'duplicate' },
      ]);
    });
  });

  it('a municipality code already in the association is a CONFLICT on municipalityCode', async () => {
    await expectNoChange(t, async () => {
      const res = await admin.post(url(), {
        type: 'municipality',
        name: 'Dubblettkommun',
        municipalityCode: '0101',
      });
      expectError(res, 409, 'CONFLICT', [{ path: 'municipalityCode', code: 'duplicate' }]);
      const edit = await admin.put(url(alfa.members.municipalities[1]), {
        type: 'municipality',
        name: 'Kommun alfa 2',
        municipalityCode: '0101',
      });
      expectError(edit, 409, 'CONFLICT', [{ path: 'municipalityCode', code: 'duplicate' }]);
    });
  });

  it('a name already in the association, in any case, is a CONFLICT on name', async () => {
    await expectNoChange(t, async () => {
      expectError(await admin.post(url(), { type: 'region', name: 'REGION ALFA' }), 409, 'CONFLICT', [
        { path: 'name', code: 'duplicate' },
      ]);
      expectError(
        await admin.put(url(alfa.members.municipalities[1]), {
          type: 'municipality',
          name: 'kommun alfa 1',
          municipalityCode: '0102',
        }),
        409,
        'CONFLICT',
        [{ path: 'name', code: 'duplicate' }],
      );
    });
  });

  it('names and codes are unique per association only', async () => {
    // beta has "Kommun beta 2" and "Region beta"; alfa may use the same names.
    expect(
      (await admin.post(url(), { type: 'municipality', name: 'Kommun beta 2', municipalityCode: '0555' }))
        .statusCode,
    ).toBe(201);
    expect((await admin.post(url(), { type: 'region', name: 'Region beta' })).statusCode).toBe(201);
    // Both fixtures hold municipality code 0101.
    const holders = await t.database.db
      .selectFrom('members')
      .select('association_id')
      .where('municipality_code', '=', '0101')
      .execute();
    expect(holders.map((h) => h.association_id).sort()).toEqual([alfa.id, beta.id].sort());
  });
});

describe('rules', () => {
  it('Försäkringskassan and Arbetsförmedlingen cannot be deleted', async () => {
    await expectNoChange(t, async () => {
      for (const id of [alfa.members.fk, alfa.members.af]) {
        expectError(await admin.del(url(id)), 409, 'CONFLICT', [{ path: 'type', code: 'required_member' }]);
      }
    });
  });

  it('a member’s type cannot be changed', async () => {
    await expectNoChange(t, async () => {
      const res = await admin.put(url(alfa.members.region), {
        type: 'municipality',
        name: 'Region alfa',
        municipalityCode: '0190',
      });
      expectError(res, 400, 'VALIDATION', [{ path: 'type', code: 'locked' }]);
      expectError(
        await admin.put(url(alfa.members.fk), { type: 'af', name: 'Försäkringskassan' }),
        400,
        'VALIDATION',
        [{ path: 'type', code: 'locked' }],
      );
    });
  });

  it('a member with contribution shares cannot be deleted', async () => {
    const [m1, m2, m3] = alfa.members.municipalities as [string, string, string];
    const regions = (await membersOf(alfa.id)).filter((m) => m.type === 'region').map((m) => m.id);
    const municipalities = (await membersOf(alfa.id))
      .filter((m) => m.type === 'municipality')
      .map((m) => m.id);
    const put = await admin.put('/api/associations/alfa/contributions/2025', {
      totalAmount: null,
      regions: regions.map((id, i) => ({ memberId: id, percent: i === 0 ? 100 : 0 })),
      municipalities: municipalities.map((id) => ({ memberId: id, percent: id === m1 ? 100 : 0 })),
    });
    expect(put.statusCode).toBe(200);
    await expectNoChange(t, async () => {
      // Even a 0 % share is a decided share for that year.
      for (const id of [m1, m2, m3])
        expectError(await admin.del(url(id)), 409, 'CONFLICT', [{ path: 'id', code: 'in_use' }]);
    });
  });

  it('the last region and the last municipality cannot be deleted', async () => {
    // beta is managed by the system administrator here; it has one region and two municipalities.
    await createUserFixture(t, 'sys@example.com', 'system_admin');
    const sys = await login(t, 'sys@example.com');
    const burl = (id: string) => `/api/associations/beta/members/${id}`;
    await expectNoChange(t, async () => {
      expectError(await sys.del(burl(beta.members.region)), 409, 'CONFLICT', [
        { path: 'type', code: 'last_of_type' },
      ]);
    });
    expect((await sys.del(burl(beta.members.municipalities[0]!))).statusCode).toBe(204);
    await expectNoChange(t, async () => {
      expectError(await sys.del(burl(beta.members.municipalities[1]!)), 409, 'CONFLICT', [
        { path: 'type', code: 'last_of_type' },
      ]);
    });
    expect((await membersOf(beta.id)).map((m) => m.type).sort()).toEqual([
      'af',
      'fk',
      'municipality',
      'region',
    ]);
  });

  it('deletes a member without shares', async () => {
    const added = await admin.post(url(), {
      type: 'municipality',
      name: 'Kortlivad kommun',
      municipalityCode: '0777',
    });
    const id = (added.json() as { id: string }).id;
    expect((await admin.del(url(id))).statusCode).toBe(204);
    expect((await membersOf(alfa.id)).map((m) => m.id)).not.toContain(id);
    expectError(await admin.del(url(id)), 404, 'NOT_FOUND');
  });
});

describe('unknown and foreign ids', () => {
  it('an unknown id is 404 for edit and delete', async () => {
    await expectNoChange(t, async () => {
      const id = randomUUID();
      expectError(await admin.put(url(id), { type: 'region', name: 'Ingen region' }), 404, 'NOT_FOUND');
      expectError(await admin.del(url(id)), 404, 'NOT_FOUND');
      expectError(await admin.del(url('inte-ett-id')), 404, 'NOT_FOUND');
    });
  });

  it('another association’s member id under our slug is 404, and that member is untouched', async () => {
    const before = await membersOf(beta.id);
    await expectNoChange(t, async () => {
      for (const id of [beta.members.region, beta.members.municipalities[1]!]) {
        expectError(await admin.put(url(id), { type: 'region', name: 'Övertagen' }), 404, 'NOT_FOUND');
        expectError(await admin.del(url(id)), 404, 'NOT_FOUND');
      }
    });
    expect(await membersOf(beta.id)).toEqual(before);
  });

  it('another association’s slug is 404', async () => {
    await expectNoChange(t, async () => {
      expectError(await admin.get('/api/associations/beta/members'), 404, 'NOT_FOUND');
      expectError(
        await admin.post('/api/associations/beta/members', { type: 'region', name: 'Region Intrång' }),
        404,
        'NOT_FOUND',
      );
    });
  });
});
