/**
 * Authorisation matrix: every endpoint of interventions/routes.ts × every role × tenant, asserting
 * the status class. Tenants: the caller's own association, another association (its slug and its
 * ids), and the own slug with another association's ids. A refused request writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { interventionRoutes } from './routes.js';
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
import { EXIT, INCOME, createInsats, enter, entryBody, exit, uniquePnr } from '../../../../tests/register.js';

const ROLES = [
  'system_admin',
  'association_admin',
  'coordinator_assigned',
  'coordinator_unassigned',
  'board',
  'auditor',
] as const;
type Role = (typeof ROLES)[number];
const TENANTS = ['own', 'other association', 'own slug, foreign ids'] as const;
type Tenant = (typeof TENANTS)[number];
type Expect = '2xx' | '403' | '404';

/** What the route requires: insats facts, insats management, person-level data, or erasure. */
type Kind = 'read' | 'manage' | 'person' | 'anonymise';

/** The resources of one association that requests point at. */
interface World {
  slug: string;
  fixture: AssociationFixture;
  admin: ApiClient;
  /** The insats the assigned coordinator works in (alfa). */
  X: string;
  participation: string;
  exited: string;
  referral: string;
  targetGroup: string;
}

let t: TestApp;
const worlds = {} as Record<'alfa' | 'beta', World>;
const as = {} as Record<Role, ApiClient>;
let counter = 0;
const unique = (prefix: string) => `${prefix} ${++counter}`;

async function freshParticipation(w: World): Promise<string> {
  return (
    await enter(
      w.admin,
      w.slug,
      w.X,
      uniquePnr(counter % 2 ? 'man' : 'kvinna', 1970 + (counter++ % 30)),
      '2025-01-10',
    )
  ).id;
}

async function freshReferral(w: World): Promise<string> {
  const res = await w.admin.post(`/api/associations/${w.slug}/referrals`, {
    interventionId: w.X,
    referringMemberId: w.fixture.members.fk,
    referralDate: '2025-01-10',
  });
  return (res.json() as { id: string }).id;
}

interface Endpoint {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  kind: Kind;
  /** Whether the request names a resource (in the path or the body) that can belong to another association. */
  names: boolean;
  /** Only for person-level endpoints: whether it is limited to the insats (an unassigned coordinator gets 404). */
  scoped?: boolean;
  /** The path after /api/associations/:slug and the body, aimed at `w`'s resources; `fresh` when it must succeed. */
  build(w: World, fresh: boolean): Promise<{ path: string; body?: unknown }>;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'GET interventions',
    method: 'GET',
    kind: 'read',
    names: false,
    build: async () => ({ path: '/interventions' }),
  },
  {
    name: 'POST interventions',
    method: 'POST',
    kind: 'manage',
    names: false,
    build: async () => ({
      path: '/interventions',
      body: { name: unique('Ny insats'), direction: 'individual', followUp: 'person' },
    }),
  },
  {
    name: 'GET interventions/:id',
    method: 'GET',
    kind: 'read',
    names: true,
    build: async (w) => ({ path: `/interventions/${w.X}` }),
  },
  {
    name: 'PUT interventions/:id',
    method: 'PUT',
    kind: 'manage',
    names: true,
    build: async (w, fresh) => {
      const id = fresh ? await createInsats(w.admin, w.slug, unique('Ändras')) : w.X;
      return {
        path: `/interventions/${id}`,
        body: {
          name: unique('Ändrad'),
          description: '',
          startDate: null,
          endDate: null,
          organiserMemberId: null,
          targetGroupIds: [],
          responsibleUserIds: [],
          plannedParticipants: null,
          notes: '',
        },
      };
    },
  },
  {
    name: 'POST interventions/:id/status',
    method: 'POST',
    kind: 'manage',
    names: true,
    build: async (w, fresh) => ({
      path: `/interventions/${fresh ? await createInsats(w.admin, w.slug, unique('Status')) : w.X}/status`,
      body: { status: 'preparation', date: '2025-01-01' },
    }),
  },
  {
    name: 'PUT interventions/:id/coordinators',
    method: 'PUT',
    kind: 'manage',
    names: true,
    build: async (w, fresh) => ({
      path: `/interventions/${fresh ? await createInsats(w.admin, w.slug, unique('Koordinatorer')) : w.X}/coordinators`,
      body: { userIds: [] },
    }),
  },
  {
    name: 'GET target-groups',
    method: 'GET',
    kind: 'read',
    names: false,
    build: async () => ({ path: '/target-groups' }),
  },
  {
    name: 'POST target-groups',
    method: 'POST',
    kind: 'manage',
    names: false,
    build: async () => ({ path: '/target-groups', body: { name: unique('Målgrupp') } }),
  },
  {
    name: 'PUT target-groups/:id',
    method: 'PUT',
    kind: 'manage',
    names: true,
    build: async (w) => ({ path: `/target-groups/${w.targetGroup}`, body: { name: unique('Målgrupp') } }),
  },
  {
    name: 'GET interventions/:id/participations',
    method: 'GET',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({ path: `/interventions/${w.X}/participations` }),
  },
  {
    name: 'POST participations',
    method: 'POST',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({
      path: '/participations',
      body: entryBody(w.X, uniquePnr('kvinna', 1960), '2025-02-01'),
    }),
  },
  {
    name: 'GET participations/:id',
    method: 'GET',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({ path: `/participations/${w.participation}` }),
  },
  {
    name: 'GET participations/:id?identify=true',
    method: 'GET',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({ path: `/participations/${w.participation}?identify=true` }),
  },
  {
    name: 'POST participations/:id/exit',
    method: 'POST',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w, fresh) => ({
      path: `/participations/${fresh ? await freshParticipation(w) : w.participation}/exit`,
      body: { ...EXIT, exitDate: '2025-03-01' },
    }),
  },
  {
    name: 'PUT participations/:id/entry',
    method: 'PUT',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({
      path: `/participations/${w.participation}/entry`,
      body: {
        entryDate: '2025-01-10',
        municipalityCode: '0102',
        incomeAtEntry: INCOME,
        consentDate: '2025-01-10',
      },
    }),
  },
  {
    name: 'PUT participations/:id/exit',
    method: 'PUT',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({
      path: `/participations/${w.exited}/exit`,
      body: { ...EXIT, exitDate: '2025-01-30' },
    }),
  },
  {
    name: 'POST participations/:id/anonymise',
    method: 'POST',
    kind: 'anonymise',
    names: true,
    build: async (w, fresh) => ({
      path: `/participations/${fresh ? await freshParticipation(w) : w.participation}/anonymise`,
      body: { reason: 'consent_withdrawn' },
    }),
  },
  {
    name: 'POST anonymous-participations',
    method: 'POST',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({
      path: '/anonymous-participations',
      body: { interventionId: w.X, year: 2025, sex: 'man', count: 1 },
    }),
  },
  {
    name: 'GET interventions/:id/anonymous-participations',
    method: 'GET',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({ path: `/interventions/${w.X}/anonymous-participations` }),
  },
  // The whole queue is filtered to the caller's insatser rather than refused.
  {
    name: 'GET referrals',
    method: 'GET',
    kind: 'person',
    names: false,
    scoped: false,
    build: async () => ({ path: '/referrals' }),
  },
  {
    name: 'GET referrals?interventionId',
    method: 'GET',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({ path: `/referrals?interventionId=${w.X}` }),
  },
  {
    name: 'POST referrals',
    method: 'POST',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w) => ({
      path: '/referrals',
      body: { interventionId: w.X, referringMemberId: w.fixture.members.fk, referralDate: '2025-01-10' },
    }),
  },
  {
    name: 'POST referrals/:id/decision',
    method: 'POST',
    kind: 'person',
    names: true,
    scoped: true,
    build: async (w, fresh) => ({
      path: `/referrals/${fresh ? await freshReferral(w) : w.referral}/decision`,
      body: { decision: 'accepted', date: '2025-01-20' },
    }),
  },
];

const MAY: Record<Kind, readonly Role[]> = {
  read: ROLES,
  manage: ['system_admin', 'association_admin'],
  person: ['association_admin', 'coordinator_assigned', 'coordinator_unassigned'],
  anonymise: ['association_admin'],
};

/** The expected status class, from the rules (not from the code): tenancy first, then role, then scope. */
function expected(role: Role, e: Endpoint, tenant: Tenant): Expect {
  // Outside one's associations nothing exists; the system administrator belongs to every association.
  if (tenant === 'other association' && role !== 'system_admin') return '404';
  if (!MAY[e.kind].includes(role)) return '403';
  if (tenant === 'own slug, foreign ids') return '404';
  if (role === 'coordinator_unassigned' && e.scoped) return '404';
  return '2xx';
}

function statusClass(status: number): string {
  return status >= 200 && status < 300 ? '2xx' : String(status);
}

/** Row counts of every register table and the audit log: a refused request changes none. */
async function counts(): Promise<string> {
  const { rows } = await sql<{ c: string }>`
    SELECT concat_ws(',',
      (SELECT count(*) FROM interventions), (SELECT count(*) FROM intervention_status_history),
      (SELECT count(*) FROM intervention_users), (SELECT count(*) FROM target_groups),
      (SELECT count(*) FROM persons), (SELECT count(*) FROM participations),
      (SELECT count(*) FROM participation_history), (SELECT count(*) FROM anonymous_participations),
      (SELECT count(*) FROM referrals), (SELECT count(*) FROM audit_log)) AS c`.execute(t.database.db);
  return rows[0]!.c;
}

async function world(slug: 'alfa' | 'beta', fixture: AssociationFixture, admin: ApiClient): Promise<World> {
  const X = await createInsats(admin, slug, 'Insats X');
  const w = { slug, fixture, admin, X, participation: '', exited: '', referral: '', targetGroup: '' };
  w.participation = await freshParticipation(w);
  w.exited = await freshParticipation(w);
  await exit(admin, slug, w.exited, '2025-01-31');
  w.referral = await freshReferral(w);
  w.targetGroup = (
    (await admin.get(`/api/associations/${slug}/target-groups`)).json() as { id: string }[]
  )[0]!.id;
  return w;
}

beforeAll(async () => {
  t = await createTestApp();
  const alfa = await createAssociationFixture(t, 'alfa', 2);
  const beta = await createAssociationFixture(t, 'beta', 2);
  const emails: Record<Role | 'beta_admin', string> = {
    system_admin: 'sys@example.org',
    association_admin: 'admin@alfa.example',
    coordinator_assigned: 'assigned@alfa.example',
    coordinator_unassigned: 'unassigned@alfa.example',
    board: 'board@alfa.example',
    auditor: 'auditor@alfa.example',
    beta_admin: 'admin@beta.example',
  };
  await createUserFixture(t, emails.system_admin, 'system_admin');
  await createUserFixture(t, emails.association_admin, 'association_admin', alfa.id);
  const assigned = await createUserFixture(t, emails.coordinator_assigned, 'coordinator', alfa.id);
  await createUserFixture(t, emails.coordinator_unassigned, 'coordinator', alfa.id);
  await createUserFixture(t, emails.board, 'board', alfa.id);
  await createUserFixture(t, emails.auditor, 'auditor', alfa.id);
  await createUserFixture(t, emails.beta_admin, 'association_admin', beta.id);
  const clients = await Promise.all(Object.values(emails).map((e) => login(t, e)));
  ROLES.forEach((r, i) => (as[r] = clients[i]!));
  const betaAdmin = clients[ROLES.length]!;

  worlds.alfa = await world('alfa', alfa, as.association_admin);
  worlds.beta = await world('beta', beta, betaAdmin);
  await as.association_admin.put(`/api/associations/alfa/interventions/${worlds.alfa.X}/coordinators`, {
    userIds: [assigned],
  });
});
afterAll(() => t.close());

describe('authorisation matrix: role × endpoint × tenant', () => {
  it('covers every route of interventions/routes.ts', async () => {
    // The routes this plugin registers, collected from a bare Fastify instance.
    const probe = Fastify();
    probe.setValidatorCompiler(validatorCompiler);
    probe.setSerializerCompiler(serializerCompiler);
    const routes: string[] = [];
    probe.addHook('onRoute', (r) => {
      for (const m of [r.method].flat())
        if (m !== 'HEAD') routes.push(`${m} ${r.url.replace('/associations/:slug/', '')}`);
    });
    await probe.register(
      interventionRoutes({
        db: t.database.db,
        dbKind: t.database.kind,
        env: t.env,
        version: 'test',
        pnr: testPnrCipher,
      }),
    );
    await probe.ready();
    await probe.close();
    const covered = new Set(ENDPOINTS.map((e) => `${e.method} ${e.name.split(' ')[1]!.split('?')[0]}`));
    expect(routes.sort()).toEqual([...covered].sort());
    expect(routes).toHaveLength(21);
  });

  it.each(ROLES)('%s', async (role) => {
    const got: string[] = [];
    const want: string[] = [];
    for (const tenant of TENANTS) {
      for (const e of ENDPOINTS) {
        if (tenant === 'own slug, foreign ids' && !e.names) continue;
        const exp = expected(role, e, tenant);
        const target = tenant === 'own' ? worlds.alfa : worlds.beta;
        const slug = tenant === 'other association' ? 'beta' : 'alfa';
        const { path, body } = await e.build(target, exp === '2xx');
        const url = `/api/associations/${slug}${path}`;
        const before = exp === '2xx' ? '' : await counts();
        const res =
          e.method === 'GET'
            ? await as[role].get(url)
            : e.method === 'PUT'
              ? await as[role].put(url, body)
              : await as[role].post(url, body);
        const label = `${tenant} | ${e.name}`;
        want.push(`${label}: ${exp}`);
        got.push(`${label}: ${statusClass(res.statusCode)}${res.statusCode >= 500 ? ` ${res.body}` : ''}`);
        if (exp !== '2xx') expect({ label, counts: await counts() }).toEqual({ label, counts: before });
      }
    }
    expect(got).toEqual(want);
  });
});
