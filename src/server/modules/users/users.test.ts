import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  TEST_PASSWORD,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../../../tests/helpers.js';
import { expectError, expectNoChange } from '../../../../tests/support.js';

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
let adminA: ApiClient;
let adminB: ApiClient;
let adminAId: string;
let boardBId: string;

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 1);
  beta = await createAssociationFixture(t, 'beta', 1);
  adminAId = await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  await createUserFixture(t, 'admin@beta.example', 'association_admin', beta.id);
  boardBId = await createUserFixture(t, 'board@beta.example', 'board', beta.id);
  adminA = await login(t, 'admin@alfa.example');
  adminB = await login(t, 'admin@beta.example');
});
afterAll(() => t.close());

const users = (slug = 'alfa') => `/api/associations/${slug}/users`;

async function userRow(email: string) {
  return t.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

describe('creating users', () => {
  it('without a password returns a one-time password once, which works for login', async () => {
    const res = await adminA.post(users(), {
      email: 'Ny.Person@Alfa.Example',
      name: 'Ny Person',
      role: 'coordinator',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { user: { id: string; email: string; role: string }; oneTimePassword: string };
    expect(body.user).toMatchObject({
      email: 'ny.person@alfa.example',
      name: 'Ny Person',
      role: 'coordinator',
    });
    expect(body.oneTimePassword).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);

    const row = await userRow('ny.person@alfa.example');
    expect(row!.must_change_password).toBe(true);
    expect(row!.password_hash).not.toContain(body.oneTimePassword);
    // Never shown again.
    const list = await adminA.get(users());
    expect(list.body).not.toContain(body.oneTimePassword);
    expect(list.body).not.toContain('password');

    const session = await (
      await login(t, 'ny.person@alfa.example', body.oneTimePassword)
    ).get('/api/session');
    expect(session.json().user).toMatchObject({ email: 'ny.person@alfa.example', mustChangePassword: true });
  });

  it('with a password: no one-time password, no forced change', async () => {
    const res = await adminA.post(users(), {
      email: 'med@alfa.example',
      name: 'Med Lösen',
      role: 'board',
      password: 'Ett-Eget-Losenord-7',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().oneTimePassword).toBeNull();
    expect((await userRow('med@alfa.example'))!.must_change_password).toBe(false);
    expect((await login(t, 'med@alfa.example', 'Ett-Eget-Losenord-7')).csrfToken).toBeTruthy();
  });

  it('an e-mail known in another association adds a membership to the same account', async () => {
    const before = await userRow('board@beta.example');
    const res = await adminA.post(users(), {
      email: 'BOARD@beta.example',
      name: 'Annat namn',
      role: 'auditor',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as {
      user: { id: string; name: string; role: string };
      oneTimePassword: string | null;
    };
    expect(body.user).toMatchObject({ id: boardBId, role: 'auditor', name: before!.name });
    expect(body.oneTimePassword).toBeNull();

    const after = await userRow('board@beta.example');
    expect(after).toEqual(before);
    const count = await t.database.db
      .selectFrom('users')
      .select('id')
      .where('email', 'ilike', 'board@beta.example')
      .execute();
    expect(count).toHaveLength(1);
    // The same password opens both associations, with a role in each.
    const session = (
      await (await login(t, 'board@beta.example', TEST_PASSWORD)).get('/api/session')
    ).json() as {
      associations: { slug: string; role: string }[];
    };
    expect(session.associations.map((a) => [a.slug, a.role]).sort()).toEqual([
      ['alfa', 'auditor'],
      ['beta', 'board'],
    ]);
  });

  it('an e-mail already in this association is a CONFLICT on email, in any case', async () => {
    await expectNoChange(t, async () => {
      for (const email of ['admin@alfa.example', ' ADMIN@ALFA.EXAMPLE ']) {
        const res = await adminA.post(users(), { email, name: 'Dubblett', role: 'board' });
        expectError(res, 409, 'CONFLICT', [{ path: 'email', code: 'duplicate' }]);
      }
    });
  });

  it('bad input names the field and changes nothing', async () => {
    await expectNoChange(t, async () => {
      expectError(
        await adminA.post(users(), { email: 'inte-en-adress', name: 'X', role: 'board' }),
        400,
        'VALIDATION',
        [{ path: 'email', code: 'email' }],
      );
      expectError(
        await adminA.post(users(), { email: 'r@alfa.example', name: 'X', role: 'system_admin' }),
        400,
        'VALIDATION',
        [{ path: 'role' }],
      );
      expectError(
        await adminA.post(users(), { email: 'r@alfa.example', name: 'X', role: 'board', password: 'kort' }),
        400,
        'VALIDATION',
        [{ path: 'password', code: 'too_short' }],
      );
      expectError(
        await adminA.post(users(), {
          email: 'r@alfa.example',
          name: 'X',
          role: 'board',
          password: 'password1234',
        }),
        400,
        'VALIDATION',
        [{ path: 'password', code: 'too_weak' }],
      );
      expectError(await adminA.post(users(), { email: 'r@alfa.example', role: 'board' }), 400, 'VALIDATION', [
        { path: 'name', code: 'required' },
      ]);
    });
  });
});

describe('the last administrator', () => {
  it('cannot be demoted or removed', async () => {
    await expectNoChange(t, async () => {
      expectError(
        await adminA.put(`${users()}/${adminAId}`, { name: 'Admin', role: 'board' }),
        409,
        'CONFLICT',
        [{ path: 'role', code: 'last_admin' }],
      );
      expectError(await adminA.del(`${users()}/${adminAId}`), 409, 'CONFLICT', [
        { path: 'role', code: 'last_admin' },
      ]);
    });
  });

  it('can step down once there is another administrator', async () => {
    const second = await adminA.post(users(), {
      email: 'admin2@alfa.example',
      name: 'Andra admin',
      role: 'association_admin',
      password: 'Andra-Admin-Losen-2',
    });
    expect(second.statusCode).toBe(201);
    const secondId = (second.json() as { user: { id: string } }).user.id;
    const res = await adminA.put(`${users()}/${adminAId}`, { name: 'Före detta admin', role: 'board' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: adminAId, name: 'Före detta admin', role: 'board' });
    // The former admin has lost the right to manage users…
    expectError(await adminA.get(users()), 403, 'FORBIDDEN');
    // …and the remaining admin is now the last one.
    const admin2 = await login(t, 'admin2@alfa.example', 'Andra-Admin-Losen-2');
    expectError(await admin2.del(`${users()}/${secondId}`), 409, 'CONFLICT', [
      { path: 'role', code: 'last_admin' },
    ]);
    expect(
      (await admin2.put(`${users()}/${adminAId}`, { name: 'Admin igen', role: 'association_admin' }))
        .statusCode,
    ).toBe(200);
  });
});

describe('removing a user', () => {
  it('ends the membership here only; the account keeps its other associations', async () => {
    const res = await adminA.del(`${users()}/${boardBId}`);
    expect(res.statusCode).toBe(204);
    const member = await login(t, 'board@beta.example');
    expectError(await member.get('/api/associations/alfa/overview'), 404, 'NOT_FOUND');
    expect((await member.get('/api/associations/beta/overview')).statusCode).toBe(200);
    expectError(await adminA.del(`${users()}/${boardBId}`), 404, 'NOT_FOUND');
  });
});

describe('unknown and foreign ids', () => {
  it('an unknown user id is 404', async () => {
    await expectNoChange(t, async () => {
      const id = randomUUID();
      expectError(await adminA.put(`${users()}/${id}`, { name: 'Ingen', role: 'board' }), 404, 'NOT_FOUND');
      expectError(await adminA.del(`${users()}/${id}`), 404, 'NOT_FOUND');
      expectError(await adminA.del(`${users()}/12345`), 404, 'NOT_FOUND');
    });
  });

  it('a user of another association only is 404 under our slug, and stays as it was', async () => {
    const adminBRow = await userRow('admin@beta.example');
    await expectNoChange(t, async () => {
      expectError(
        await adminA.put(`${users()}/${adminBRow!.id}`, { name: 'Kapad', role: 'board' }),
        404,
        'NOT_FOUND',
      );
      expectError(await adminA.del(`${users()}/${adminBRow!.id}`), 404, 'NOT_FOUND');
    });
    expect((await adminB.get(users('beta'))).json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'admin@beta.example', role: 'association_admin' }),
      ]),
    );
  });

  it('another association’s slug is 404', async () => {
    await expectNoChange(t, async () => {
      expectError(await adminA.get(users('beta')), 404, 'NOT_FOUND');
      expectError(
        await adminA.post(users('beta'), { email: 'x@beta.example', name: 'X', role: 'association_admin' }),
        404,
        'NOT_FOUND',
      );
      expectError(
        await adminA.put(`${users('beta')}/${boardBId}`, { name: 'X', role: 'association_admin' }),
        404,
        'NOT_FOUND',
      );
      expectError(await adminA.del(`${users('beta')}/${boardBId}`), 404, 'NOT_FOUND');
    });
  });
});
