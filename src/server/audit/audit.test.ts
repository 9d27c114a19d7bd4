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
} from '../../../tests/helpers.js';
import { expectError, expectNoChange } from '../../../tests/support.js';

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
let admin: ApiClient;
let adminId: string;
let auditor: ApiClient;
let board: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 2);
  beta = await createAssociationFixture(t, 'beta', 1);
  adminId = await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  await createUserFixture(t, 'auditor@alfa.example', 'auditor', alfa.id);
  await createUserFixture(t, 'board@alfa.example', 'board', alfa.id);
  await createUserFixture(t, 'admin@beta.example', 'association_admin', beta.id);
  admin = await login(t, 'admin@alfa.example');
  auditor = await login(t, 'auditor@alfa.example');
  board = await login(t, 'board@alfa.example');
});
afterAll(() => t.close());

interface Row {
  association_id: string | null;
  actor_user_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  details: unknown;
}

async function maxId(): Promise<bigint> {
  const r = await t.database.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirstOrThrow();
  return BigInt(r.m ?? 0);
}

/** Runs `fn` and returns the audit rows it wrote. */
async function written(fn: () => Promise<unknown>): Promise<Row[]> {
  const since = await maxId();
  await fn();
  return t.database.db
    .selectFrom('audit_log')
    .select(['association_id', 'actor_user_id', 'action', 'entity_type', 'entity_id', 'details'])
    .where('id', '>', String(since))
    .orderBy('id')
    .execute();
}

/** Runs `fn`, expecting it to succeed with `status`, and returns the one audit row it wrote. */
async function oneEntry(
  status: number,
  fn: () => Promise<{ statusCode: number; body: string }>,
): Promise<Row> {
  let res: { statusCode: number; body: string } | undefined;
  const rows = await written(async () => {
    res = await fn();
  });
  expect(res!.statusCode, res!.body).toBe(status);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('every write is audited', () => {
  it('association, member, contribution and user writes record actor, action, entity and association', async () => {
    const scoped = (action: string, entityType: string, entityId: string) => ({
      association_id: alfa.id,
      actor_user_id: adminId,
      action,
      entity_type: entityType,
      entity_id: entityId,
    });

    const upd = await oneEntry(200, () =>
      admin.put('/api/associations/alfa', { name: 'Samordningsförbundet Alfa', orgNumber: '2021005521' }),
    );
    expect(upd).toMatchObject(scoped('association.updated', 'association', alfa.id));
    expect(upd.details).toMatchObject({
      before: { name: 'Samordningsförbundet alfa' },
      after: { name: 'Samordningsförbundet Alfa', orgNumber: '2021005521' },
    });

    let memberId = '';
    const created = await oneEntry(201, async () => {
      const res = await admin.post('/api/associations/alfa/members', { type: 'region', name: 'Region Syd' });
      memberId = res.json().id;
      return res;
    });
    expect(created).toMatchObject(scoped('member.created', 'member', memberId));

    const edited = await oneEntry(200, () =>
      admin.put(`/api/associations/alfa/members/${memberId}`, { type: 'region', name: 'Region Sydväst' }),
    );
    expect(edited).toMatchObject(scoped('member.updated', 'member', memberId));
    expect(edited.details).toMatchObject({
      before: { name: 'Region Syd' },
      after: { name: 'Region Sydväst' },
    });

    const deleted = await oneEntry(204, () => admin.del(`/api/associations/alfa/members/${memberId}`));
    expect(deleted).toMatchObject(scoped('member.deleted', 'member', memberId));

    const contribution = await oneEntry(200, () =>
      admin.put('/api/associations/alfa/contributions/2026', {
        totalAmount: 2_000_000,
        regions: [{ memberId: alfa.members.region, percent: 100 }],
        municipalities: [
          { memberId: alfa.members.municipalities[0]!, percent: 70 },
          { memberId: alfa.members.municipalities[1]!, percent: 30 },
        ],
      }),
    );
    expect(contribution).toMatchObject(scoped('contribution.updated', 'contribution_year', '2026'));

    let userId = '';
    const userCreated = await oneEntry(201, async () => {
      const res = await admin.post('/api/associations/alfa/users', {
        email: 'ny@alfa.example',
        name: 'Ny',
        role: 'board',
        password: 'Ny-Anvandare-Losen-1',
      });
      userId = res.json().user.id;
      return res;
    });
    expect(userCreated).toMatchObject(scoped('user.created', 'user', userId));
    expect(JSON.stringify(userCreated.details)).not.toContain('Ny-Anvandare-Losen-1');

    const userUpdated = await oneEntry(200, () =>
      admin.put(`/api/associations/alfa/users/${userId}`, { name: 'Ny Nysson', role: 'coordinator' }),
    );
    expect(userUpdated).toMatchObject(scoped('user.updated', 'user', userId));
    expect(userUpdated.details).toMatchObject({ before: { role: 'board' }, after: { role: 'coordinator' } });

    const removed = await oneEntry(204, () => admin.del(`/api/associations/alfa/users/${userId}`));
    expect(removed).toMatchObject(scoped('membership.deleted', 'user', userId));

    const betaAdmin = await t.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'admin@beta.example')
      .executeTakeFirstOrThrow();
    const joined = await oneEntry(201, () =>
      admin.post('/api/associations/alfa/users', { email: 'admin@beta.example', name: 'B', role: 'auditor' }),
    );
    expect(joined).toMatchObject(scoped('membership.created', 'user', betaAdmin.id));
  });

  it('sign-in, failed sign-in, password change and sign-out record the user', async () => {
    await createUserFixture(t, 'person@alfa.example', 'board', alfa.id);
    const person = await t.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'person@alfa.example')
      .executeTakeFirstOrThrow();
    const own = (action: string) => ({
      association_id: null,
      actor_user_id: person.id,
      action,
      entity_type: 'user',
      entity_id: person.id,
    });

    const loginRequest = (password: string) => () =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'person@alfa.example', password },
      });
    expect(await oneEntry(401, loginRequest('Fel-Losenord-000'))).toMatchObject(own('auth.login_failed'));
    expect(await oneEntry(200, loginRequest(TEST_PASSWORD))).toMatchObject(own('auth.login'));

    const client = await login(t, 'person@alfa.example');
    const changed = await oneEntry(204, () =>
      client.post('/api/auth/password', {
        currentPassword: TEST_PASSWORD,
        newPassword: 'Personens-Nya-Losen-3',
      }),
    );
    expect(changed).toMatchObject(own('auth.password_changed'));
    expect(JSON.stringify(changed.details ?? null)).not.toContain('Personens-Nya-Losen-3');
    expect(await oneEntry(204, () => client.post('/api/auth/logout'))).toMatchObject(own('auth.logout'));
  });

  it('creating an association records the system administrator', async () => {
    const sysId = await createUserFixture(t, 'sys@example.com', 'system_admin');
    const sys = await login(t, 'sys@example.com');
    let id = '';
    const row = await oneEntry(201, async () => {
      const res = await sys.post('/api/associations', { slug: 'gamma', name: 'Samordningsförbundet Gamma' });
      id = res.json().id;
      return res;
    });
    expect(row).toMatchObject({
      association_id: id,
      actor_user_id: sysId,
      action: 'association.created',
      entity_type: 'association',
      entity_id: id,
    });
  });

  it('the API shows the entry with its actor', async () => {
    const res = await admin.get('/api/associations/alfa/audit?limit=1');
    expect(res.statusCode).toBe(200);
    const [entry] = res.json().entries;
    expect(entry).toMatchObject({
      action: 'membership.created',
      entityType: 'user',
      actor: { email: 'admin@alfa.example' },
    });
    expect(new Date(entry.at).toISOString()).toBe(entry.at);
  });
});

describe('rejected requests', () => {
  it('write no audit entry', async () => {
    const foreignMember = beta.members.municipalities[0]!;
    await expectNoChange(t, async () => {
      const attempts = [
        await admin.put('/api/associations/alfa', { name: 'X', orgNumber: null }),
        await admin.put('/api/associations/alfa', { name: 'Giltigt namn', orgNumber: '2021005522' }),
        await admin.post('/api/associations/alfa/members', { type: 'fk', name: 'FK igen' }),
        await admin.put(`/api/associations/alfa/members/${alfa.members.region}`, {
          type: 'municipality',
          name: 'Byte',
          municipalityCode: '0190',
        }),
        await admin.del(`/api/associations/alfa/members/${alfa.members.fk}`),
        await admin.del(`/api/associations/alfa/members/${alfa.members.region}`),
        await admin.del(`/api/associations/alfa/members/${foreignMember}`),
        await admin.del(`/api/associations/alfa/members/${randomUUID()}`),
        await admin.put('/api/associations/alfa/contributions/2026', {
          totalAmount: 1,
          regions: [{ memberId: alfa.members.region, percent: 100 }],
          municipalities: [{ memberId: foreignMember, percent: 100 }],
        }),
        await admin.post('/api/associations/alfa/users', {
          email: 'admin@alfa.example',
          name: 'Dubblett',
          role: 'board',
        }),
        await admin.put(`/api/associations/alfa/users/${adminId}`, { name: 'Admin', role: 'board' }),
        await admin.del(`/api/associations/alfa/users/${adminId}`),
        await admin.post('/api/auth/password', {
          currentPassword: 'Fel-Losenord-000',
          newPassword: 'Ett-Nytt-Losen-99',
        }),
        await board.put('/api/associations/alfa', { name: 'Styrelsens namn', orgNumber: null }),
        await auditor.post('/api/associations/alfa/members', { type: 'region', name: 'Revisorns region' }),
        await admin.put('/api/associations/beta', { name: 'Annans förbund', orgNumber: null }),
        await t.app.inject({
          method: 'PUT',
          url: '/api/associations/alfa',
          headers: { cookie: admin.cookie },
          payload: { name: 'Utan CSRF', orgNumber: null },
        }),
      ];
      for (const res of attempts) {
        expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, res.body).toBeLessThan(500);
      }
    });
  });
});

describe('reading the log', () => {
  it('pages with limit and before, newest first, without overlaps or gaps', async () => {
    const all = (await admin.get('/api/associations/alfa/audit?limit=200')).json() as {
      entries: { id: string }[];
      nextCursor: string | null;
    };
    expect(all.nextCursor).toBeNull();
    expect(all.entries.length).toBeGreaterThanOrEqual(12);
    const ids = all.entries.map((e) => BigInt(e.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! < ids[i - 1]!).toBe(true);

    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await admin.get(`/api/associations/alfa/audit?limit=5${cursor ? `&before=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json() as { entries: { id: string }[]; nextCursor: string | null };
      expect(page.entries.length).toBeLessThanOrEqual(5);
      if (page.nextCursor) {
        expect(page.entries).toHaveLength(5);
        expect(page.nextCursor).toBe(page.entries[4]!.id);
      }
      paged.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(paged).toEqual(all.entries.map((e) => e.id));
    expect(new Set(paged).size).toBe(paged.length);
    expect(pages).toBe(Math.ceil(all.entries.length / 5));
  });

  it('holds only the association’s own entries', async () => {
    const alfaIds = (await admin.get('/api/associations/alfa/audit?limit=200'))
      .json()
      .entries.map((e: { id: string }) => e.id);
    const rows = await t.database.db.selectFrom('audit_log').select(['id', 'association_id']).execute();
    const expected = rows.filter((r) => r.association_id === alfa.id).map((r) => String(r.id));
    expect([...alfaIds].sort()).toEqual([...expected].sort());
  });

  it('refuses bad paging parameters by name', async () => {
    expectError(await admin.get('/api/associations/alfa/audit?limit=0'), 400, 'VALIDATION', [
      { path: 'limit' },
    ]);
    expectError(await admin.get('/api/associations/alfa/audit?limit=201'), 400, 'VALIDATION', [
      { path: 'limit' },
    ]);
    expectError(await admin.get('/api/associations/alfa/audit?before=abc'), 400, 'VALIDATION', [
      { path: 'before' },
    ]);
    expectError(await admin.get('/api/associations/alfa/audit?before=-1'), 400, 'VALIDATION', [
      { path: 'before' },
    ]);
  });

  it('is open to the auditor and the admin, closed to the board, and 404 for another association', async () => {
    expect((await auditor.get('/api/associations/alfa/audit')).statusCode).toBe(200);
    expectError(await board.get('/api/associations/alfa/audit'), 403, 'FORBIDDEN');
    expectError(await auditor.get('/api/associations/beta/audit'), 404, 'NOT_FOUND');
    expectError(await admin.get('/api/associations/beta/audit'), 404, 'NOT_FOUND');
  });
});
