/**
 * Tenant isolation and the role matrix for every /api/associations/:slug endpoint. A user of
 * association A gets 404 for anything of association B, whatever the id; within A, each role may
 * do exactly what its permissions allow.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
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
import type { AssociationRole } from '../../../shared/roles.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Need = 'read' | 'users.read' | 'audit' | 'manage';

/** The ids an endpoint may name inside one association. */
interface Target {
  slug: string;
  memberId: string;
  userId: string;
  fixture: AssociationFixture;
}

interface Endpoint {
  name: string;
  method: Method;
  url: (x: Target) => string;
  /** A body that would succeed for `x`, so a refusal can only come from the access check. */
  body?: (x: Target) => unknown;
  need: Need;
  /** Names a member or user id, so it can be tried with another association's id. */
  takesId?: boolean;
}

const contributionBody = (x: Target) => ({
  totalAmount: 1_000_000,
  regions: [{ memberId: x.fixture.members.region, percent: 100 }],
  municipalities: x.fixture.members.municipalities.map((id, i, all) => ({
    memberId: id,
    percent: i === 0 ? 100 - 50 * (all.length - 1) : 50,
  })),
});

const ENDPOINTS: Endpoint[] = [
  {
    name: 'overview',
    method: 'GET',
    url: (x) => `/api/associations/${x.slug}/overview?year=2026`,
    need: 'read',
  },
  {
    name: 'update association',
    method: 'PUT',
    url: (x) => `/api/associations/${x.slug}`,
    body: () => ({ name: 'Övertaget förbund', orgNumber: null }),
    need: 'manage',
  },
  { name: 'list members', method: 'GET', url: (x) => `/api/associations/${x.slug}/members`, need: 'read' },
  {
    name: 'add member',
    method: 'POST',
    url: (x) => `/api/associations/${x.slug}/members`,
    body: () => ({ type: 'region', name: 'Region Övertagen' }),
    need: 'manage',
  },
  {
    name: 'edit member',
    method: 'PUT',
    url: (x) => `/api/associations/${x.slug}/members/${x.memberId}`,
    body: () => ({ type: 'municipality', name: 'Övertagen kommun', municipalityCode: '0199' }),
    need: 'manage',
    takesId: true,
  },
  {
    name: 'delete member',
    method: 'DELETE',
    url: (x) => `/api/associations/${x.slug}/members/${x.memberId}`,
    need: 'manage',
    takesId: true,
  },
  {
    name: 'read contributions',
    method: 'GET',
    url: (x) => `/api/associations/${x.slug}/contributions/2026`,
    need: 'read',
  },
  {
    name: 'set contributions',
    method: 'PUT',
    url: (x) => `/api/associations/${x.slug}/contributions/2026`,
    body: contributionBody,
    need: 'manage',
  },
  { name: 'list users', method: 'GET', url: (x) => `/api/associations/${x.slug}/users`, need: 'users.read' },
  {
    name: 'create user',
    method: 'POST',
    url: (x) => `/api/associations/${x.slug}/users`,
    body: () => ({ email: 'inkraktare@example.com', name: 'Inkräktare', role: 'association_admin' }),
    need: 'manage',
  },
  {
    name: 'update user',
    method: 'PUT',
    url: (x) => `/api/associations/${x.slug}/users/${x.userId}`,
    body: () => ({ name: 'Övertagen', role: 'association_admin' }),
    need: 'manage',
    takesId: true,
  },
  {
    name: 'remove user',
    method: 'DELETE',
    url: (x) => `/api/associations/${x.slug}/users/${x.userId}`,
    need: 'manage',
    takesId: true,
  },
  { name: 'audit log', method: 'GET', url: (x) => `/api/associations/${x.slug}/audit`, need: 'audit' },
];

type Actor = AssociationRole | 'system_admin';
const ALLOWED: Record<Need, Actor[]> = {
  read: ['association_admin', 'coordinator', 'board', 'auditor', 'system_admin'],
  'users.read': ['association_admin', 'system_admin'],
  audit: ['association_admin', 'auditor', 'system_admin'],
  manage: ['association_admin', 'system_admin'],
};
const A_ROLES: AssociationRole[] = ['association_admin', 'coordinator', 'board', 'auditor'];

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
let targetA: Target;
let targetB: Target;
const clients = {} as Record<Actor, ApiClient>;
let multi: ApiClient;

function call(client: ApiClient, e: Endpoint, x: Target): Promise<LightMyRequestResponse> {
  const body = e.body?.(x);
  return client.request({
    method: e.method,
    url: e.url(x),
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 2);
  beta = await createAssociationFixture(t, 'beta', 2);
  for (const role of A_ROLES) await createUserFixture(t, `${role}@alfa.example`, role, alfa.id);
  await createUserFixture(t, 'admin@beta.example', 'association_admin', beta.id);
  const betaBoard = await createUserFixture(t, 'board@beta.example', 'board', beta.id);
  const alfaExtra = await createUserFixture(t, 'extra@alfa.example', 'board', alfa.id);
  await createUserFixture(t, 'sys@example.com', 'system_admin');
  // One person, two associations, two roles.
  const multiId = await createUserFixture(t, 'multi@example.com', 'board', alfa.id);
  await t.database.db
    .insertInto('memberships')
    .values({ association_id: beta.id, user_id: multiId, role: 'association_admin' })
    .execute();

  targetA = { slug: 'alfa', memberId: alfa.members.municipalities[1]!, userId: alfaExtra, fixture: alfa };
  targetB = { slug: 'beta', memberId: beta.members.municipalities[1]!, userId: betaBoard, fixture: beta };
  for (const role of A_ROLES) clients[role] = await login(t, `${role}@alfa.example`);
  clients.system_admin = await login(t, 'sys@example.com');
  multi = await login(t, 'multi@example.com');
});
afterAll(() => t.close());

describe('tenant isolation', () => {
  it.each(A_ROLES)('%s of A gets 404 for every endpoint under B’s slug, and B is unchanged', async (role) => {
    await expectNoChange(t, async () => {
      for (const e of ENDPOINTS) {
        const res = await call(clients[role], e, targetB);
        expect({ endpoint: e.name, status: res.statusCode, code: res.json().error?.code }).toEqual({
          endpoint: e.name,
          status: 404,
          code: 'NOT_FOUND',
        });
      }
    });
  });

  it('an admin of A gets 404 for B’s member and user ids under A’s slug', async () => {
    const crossed: Target = { ...targetA, memberId: targetB.memberId, userId: targetB.userId };
    await expectNoChange(t, async () => {
      for (const e of ENDPOINTS.filter((x) => x.takesId)) {
        expectError(await call(clients.association_admin, e, crossed), 404, 'NOT_FOUND');
      }
      // The system administrator may open both, but an id still belongs to its own association.
      for (const e of ENDPOINTS.filter((x) => x.takesId)) {
        expectError(await call(clients.system_admin, e, crossed), 404, 'NOT_FOUND');
      }
    });
  });

  it.each(A_ROLES)('for %s of A, B’s ids answer exactly like ids that do not exist', async (role) => {
    const crossed: Target = { ...targetA, memberId: targetB.memberId, userId: targetB.userId };
    const invented: Target = { ...targetA, memberId: randomUUID(), userId: randomUUID() };
    await expectNoChange(t, async () => {
      for (const e of ENDPOINTS.filter((x) => x.takesId)) {
        const a = await call(clients[role], e, crossed);
        const b = await call(clients[role], e, invented);
        expect(a.statusCode, e.name).toBeGreaterThanOrEqual(400);
        expect({ status: a.statusCode, body: a.json() }, e.name).toEqual({
          status: b.statusCode,
          body: b.json(),
        });
      }
    });
  });

  it('contribution shares naming B’s members under A’s slug are refused as unknown members', async () => {
    await expectNoChange(t, async () => {
      const res = await clients.association_admin.put('/api/associations/alfa/contributions/2026', {
        ...contributionBody(targetB),
      });
      expectError(res, 400, 'VALIDATION', [{ path: 'regions.0.memberId', code: 'unknown_member' }]);
    });
  });

  it('a slug that does not exist is 404 like another association’s', async () => {
    const ghost: Target = { ...targetB, slug: 'finns-inte' };
    for (const e of ENDPOINTS) expectError(await call(clients.association_admin, e, ghost), 404, 'NOT_FOUND');
  });

  it('B’s data never appears in A’s listings', async () => {
    const members = (await clients.association_admin.get('/api/associations/alfa/members')).json() as {
      id: string;
    }[];
    const ids = members.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining([alfa.members.fk, alfa.members.af, alfa.members.region]));
    for (const id of Object.values(beta.members).flat()) expect(ids).not.toContain(id);
    const users = (await clients.association_admin.get('/api/associations/alfa/users')).json() as {
      email: string;
    }[];
    expect(users.map((u) => u.email)).not.toContain('admin@beta.example');
    const audit = (await clients.association_admin.get('/api/associations/alfa/audit?limit=200')).json() as {
      entries: { entityId: string }[];
    };
    expect(audit.entries.map((e) => e.entityId)).not.toContain(beta.id);
    expect(audit.entries.map((e) => e.entityId)).toContain(alfa.id);
  });
});

describe('role matrix', () => {
  it.each(['coordinator', 'board', 'auditor'] as const)(
    '%s gets 403 FORBIDDEN on what its role may not do, and nothing changes',
    async (role) => {
      await expectNoChange(t, async () => {
        for (const e of ENDPOINTS.filter((x) => !ALLOWED[x.need].includes(role))) {
          const res = await call(clients[role], e, targetA);
          expect({ endpoint: e.name, status: res.statusCode, code: res.json().error?.code }).toEqual({
            endpoint: e.name,
            status: 403,
            code: 'FORBIDDEN',
          });
        }
      });
    },
  );

  it.each([...A_ROLES, 'system_admin'] as const)('%s can read what its role allows', async (role) => {
    for (const e of ENDPOINTS.filter((x) => x.method === 'GET' && ALLOWED[x.need].includes(role))) {
      const res = await call(clients[role], e, targetA);
      expect({ endpoint: e.name, status: res.statusCode }).toEqual({ endpoint: e.name, status: 200 });
    }
  });

  it('the overview lists users only for roles that may read them', async () => {
    for (const role of [...A_ROLES, 'system_admin'] as const) {
      const res = await clients[role].get('/api/associations/alfa/overview');
      expect(res.statusCode).toBe(200);
      const { users, role: shownRole } = res.json() as { users: unknown[] | null; role: string };
      expect(shownRole).toBe(role);
      if (ALLOWED['users.read'].includes(role)) {
        expect(users).toEqual(
          expect.arrayContaining([expect.objectContaining({ email: 'board@alfa.example', role: 'board' })]),
        );
      } else {
        expect(users, role).toBeNull();
      }
    }
  });

  it.each(['association_admin', 'system_admin'] as const)(
    '%s can manage members, shares and users',
    async (actor) => {
      const c = clients[actor];
      const tag = actor === 'system_admin' ? 'sys' : 'adm';
      expect(
        (
          await c.put('/api/associations/alfa', {
            name: `Samordningsförbundet alfa ${tag}`,
            orgNumber: '2021005521',
          })
        ).statusCode,
      ).toBe(200);
      const added = await c.post('/api/associations/alfa/members', { type: 'region', name: `Region ${tag}` });
      expect(added.statusCode).toBe(201);
      const id = (added.json() as { id: string }).id;
      expect(
        (await c.put(`/api/associations/alfa/members/${id}`, { type: 'region', name: `Region ${tag} 2` }))
          .statusCode,
      ).toBe(200);
      expect((await c.del(`/api/associations/alfa/members/${id}`)).statusCode).toBe(204);
      expect(
        (await c.put('/api/associations/alfa/contributions/2026', contributionBody(targetA))).statusCode,
      ).toBe(200);
      const created = await c.post('/api/associations/alfa/users', {
        email: `${tag}-ny@alfa.example`,
        name: 'Ny',
        role: 'coordinator',
        password: 'Ett-Bra-Losenord-1',
      });
      expect(created.statusCode).toBe(201);
      const userId = (created.json() as { user: { id: string } }).user.id;
      expect(
        (await c.put(`/api/associations/alfa/users/${userId}`, { name: 'Ny Igen', role: 'board' }))
          .statusCode,
      ).toBe(200);
      expect((await c.del(`/api/associations/alfa/users/${userId}`)).statusCode).toBe(204);
    },
  );

  it('a role holds in its association only: board in A, admin in B', async () => {
    await expectNoChange(t, async () => {
      expectError(
        await multi.put('/api/associations/alfa', { name: 'Ändrat via A', orgNumber: null }),
        403,
        'FORBIDDEN',
      );
    });
    const res = await multi.put('/api/associations/beta', {
      name: 'Samordningsförbundet beta',
      orgNumber: null,
    });
    expect(res.statusCode).toBe(200);
    const session = (await multi.get('/api/session')).json() as {
      associations: { slug: string; role: string }[];
    };
    expect(session.associations.map((a) => [a.slug, a.role]).sort()).toEqual([
      ['alfa', 'board'],
      ['beta', 'association_admin'],
    ]);
  });

  it('the system administrator can open any association', async () => {
    for (const slug of ['alfa', 'beta']) {
      const res = await clients.system_admin.get(`/api/associations/${slug}/overview`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ association: { slug }, role: 'system_admin' });
    }
    const session = (await clients.system_admin.get('/api/session')).json() as {
      associations: { slug: string }[];
    };
    expect(session.associations.map((a) => a.slug)).toEqual(expect.arrayContaining(['alfa', 'beta']));
  });
});

describe('GET and POST /api/associations', () => {
  it('are for the system administrator only', async () => {
    await expectNoChange(t, async () => {
      for (const role of A_ROLES) {
        expectError(await clients[role].get('/api/associations'), 403, 'FORBIDDEN');
        expectError(
          await clients[role].post('/api/associations', { slug: 'gamma', name: 'Gamma' }),
          403,
          'FORBIDDEN',
        );
      }
      expectError(await t.app.inject({ method: 'GET', url: '/api/associations' }), 401, 'UNAUTHENTICATED');
      expectError(
        await t.app.inject({
          method: 'POST',
          url: '/api/associations',
          payload: { slug: 'gamma', name: 'Gamma' },
        }),
        401,
        'UNAUTHENTICATED',
      );
    });

    const list = await clients.system_admin.get('/api/associations');
    expect(list.statusCode).toBe(200);
    expect((list.json() as { slug: string }[]).map((a) => a.slug)).toEqual(
      expect.arrayContaining(['alfa', 'beta']),
    );

    const created = await clients.system_admin.post('/api/associations', {
      slug: 'gamma',
      name: 'Samordningsförbundet Gamma',
      orgNumber: '202100-5448',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ slug: 'gamma', orgNumber: '2021005448' });
    const members = (await clients.system_admin.get('/api/associations/gamma/members')).json() as {
      type: string;
    }[];
    expect(members.map((m) => m.type)).toEqual(['fk', 'af']);
    expectError(
      await clients.system_admin.post('/api/associations', { slug: 'gamma', name: 'Igen' }),
      409,
      'CONFLICT',
      [{ path: 'slug', code: 'duplicate' }],
    );
  });
});

describe('without a session', () => {
  it('every association endpoint answers 401', async () => {
    await expectNoChange(t, async () => {
      for (const e of ENDPOINTS) {
        const body = e.body?.(targetA);
        const res = await t.app.inject({
          method: e.method,
          url: e.url(targetA),
          ...(body === undefined ? {} : { payload: body as object }),
        });
        expect({ endpoint: e.name, status: res.statusCode }).toEqual({ endpoint: e.name, status: 401 });
      }
    });
  });
});
