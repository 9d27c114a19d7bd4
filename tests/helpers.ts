/**
 * Test harness: a fresh database per test file on the backend the project runs (TEST_DB), the real
 * app on top of it, data factories and a logged-in API client. No mocks: every test drives the
 * real Fastify app over `inject` against a real PostgreSQL (embedded or server).
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { openDatabase, type Database } from '../src/server/db/index.js';
import { buildApp } from '../src/server/app.js';
import { loadEnv, type Env } from '../src/server/env.js';
import { hashPassword } from '../src/server/auth/password.js';
import { createAssociation } from '../src/server/modules/associations/service.js';
import { addMember } from '../src/server/modules/members/service.js';
import type { Scope } from '../src/server/auth/access.js';
import type { AssociationRole } from '../src/shared/roles.js';
import { createPnrCipher } from '../src/server/crypto/pnr.js';

export const TEST_PASSWORD = 'Test-Losenord-123';
/** A fixed key for tests; production keys come from SECRET_KEY or DATA_DIR/secret.key. */
export const testPnrCipher = createPnrCipher(Buffer.alloc(32, 7));
let cachedHash: Promise<string> | undefined;

/** A fresh, migrated database on the PostgreSQL server, cloned from the run's template. */
export async function createServerDatabaseUrl(): Promise<string> {
  const url = process.env.DATABASE_URL;
  const template = inject('pgTemplate');
  if (!url || !template) throw new Error('TEST_DB=postgres needs DATABASE_URL');
  const name = `${inject('pgRunPrefix')}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDb(): Promise<Database> {
  if (process.env.TEST_DB === 'postgres') {
    return openDatabase({ databaseUrl: await createServerDatabaseUrl(), poolSize: 4 });
  }
  const dump = readFileSync(inject('pgliteDump'));
  return openDatabase({ inMemory: true, loadDataDir: new Blob([dump]) });
}

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  env: Env;
  close(): Promise<void>;
}

export async function createTestApp(envOverrides: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDb();
  const env = loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...envOverrides });
  const app = await buildApp({
    db: database.db,
    dbKind: database.kind,
    env,
    version: 'test',
    pnr: testPnrCipher,
  });
  await app.ready();
  return {
    app,
    database,
    env,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

export interface AssociationFixture {
  id: string;
  slug: string;
  scope: Scope;
  members: { fk: string; af: string; region: string; municipalities: string[] };
}

/** An association with FK, AF, one region and `municipalities` municipalities (codes 01xx). */
export async function createAssociationFixture(
  t: TestApp,
  slug: string,
  municipalities = 2,
): Promise<AssociationFixture> {
  const { db } = t.database;
  const a = await createAssociation(db, null, {
    slug,
    name: `Samordningsförbundet ${slug}`,
    orgNumber: null,
  });
  // The system acts (no user): services record a null actor.
  const scope: Scope = { associationId: a.id, slug, role: 'association_admin', userId: null };
  const region = await addMember(db, scope, { type: 'region', name: `Region ${slug}` });
  const munis: string[] = [];
  for (let i = 1; i <= municipalities; i++) {
    const m = await addMember(db, scope, {
      type: 'municipality',
      name: `Kommun ${slug} ${i}`,
      municipalityCode: String(100 + i).padStart(4, '0'),
    });
    munis.push(m.id);
  }
  const members = await db
    .selectFrom('members')
    .select(['id', 'type'])
    .where('association_id', '=', a.id)
    .execute();
  return {
    id: a.id,
    slug,
    scope,
    members: {
      fk: members.find((m) => m.type === 'fk')!.id,
      af: members.find((m) => m.type === 'af')!.id,
      region: region.id,
      municipalities: munis,
    },
  };
}

/** Creates a user with TEST_PASSWORD and the given role in the association (or system admin). */
export async function createUserFixture(
  t: TestApp,
  email: string,
  role: AssociationRole | 'system_admin',
  associationId?: string,
): Promise<string> {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const { db } = t.database;
  const user = await db
    .insertInto('users')
    .values({
      email,
      name: email.split('@')[0]!,
      password_hash: await cachedHash,
      is_system_admin: role === 'system_admin',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (role !== 'system_admin' && associationId) {
    await db
      .insertInto('memberships')
      .values({ association_id: associationId, user_id: user.id, role })
      .execute();
  }
  return user.id;
}

export interface ApiClient {
  csrfToken: string;
  cookie: string;
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  del(url: string): Promise<LightMyRequestResponse>;
}

export async function login(t: TestApp, email: string, password = TEST_PASSWORD): Promise<ApiClient> {
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed for ${email}: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrfToken = (res.json() as { csrfToken: string }).csrfToken;
  const request = (opts: InjectOptions) =>
    t.app.inject({ ...opts, headers: { cookie, 'x-csrf-token': csrfToken, ...(opts.headers ?? {}) } });
  return {
    csrfToken,
    cookie,
    request,
    get: (url) => request({ method: 'GET', url }),
    post: (url, body) =>
      request({ method: 'POST', url, ...(body === undefined ? {} : { payload: body as object }) }),
    put: (url, body) => request({ method: 'PUT', url, payload: body as object }),
    del: (url) => request({ method: 'DELETE', url }),
  };
}
