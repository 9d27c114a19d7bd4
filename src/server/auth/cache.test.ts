/**
 * The auth cache (cache.ts): sessions and roles are reused from memory, yet logout, password
 * changes, role and membership changes, promotion and the timeouts take effect on the very next
 * request. The cache is switched on here with a long lifetime (60 s), so that a missed
 * invalidation would show as a stale answer rather than expire before the next request.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql } from 'kysely';
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
import { appWithEnv } from '../../../tests/support.js';
import { createSystemAdmin } from '../modules/users/service.js';
import { AuthCache, authCacheOf } from './cache.js';
import { hashToken } from './sessions.js';

let t: TestApp;
let a: AssociationFixture;
let b: AssociationFixture;
let admin: ApiClient;

beforeAll(async () => {
  t = await createTestApp({ SESSION_CACHE_SECONDS: '60' });
  a = await createAssociationFixture(t, 'sess-a', 1);
  b = await createAssociationFixture(t, 'sess-b', 1);
  await createUserFixture(t, 'admin@sess.example', 'association_admin', a.id);
  admin = await login(t, 'admin@sess.example');
});
afterAll(() => t.close());

const token = (c: ApiClient) => decodeURIComponent(c.cookie.split('=')[1]!);
const sessionRow = (c: ApiClient) =>
  t.database.db
    .selectFrom('sessions')
    .selectAll()
    .where('id', '=', hashToken(token(c)))
    .executeTakeFirst();
/** A write the watch cannot see (another process would write like this): only the cache hides it. */
const unwatchedRename = (userId: string, name: string) =>
  t.database.db.withoutPlugins().updateTable('users').set({ name }).where('id', '=', userId).execute();

async function userClient(email: string, role: 'board' | 'coordinator' | 'association_admin') {
  const id = await createUserFixture(t, email, role, a.id);
  return { id, client: await login(t, email) };
}
const sessionName = async (c: ApiClient) =>
  ((await c.get('/api/session')).json() as { user: { name: string } }).user.name;

describe('the cache is used', () => {
  it('is on by default on the embedded database only', async () => {
    const defaults = await appWithEnv(t, {});
    try {
      expect(authCacheOf(t.database.db) !== null).toBe(t.database.kind === 'pglite');
    } finally {
      await defaults.close();
      // Back to this file's setting for the tests below.
      await (await appWithEnv(t, { SESSION_CACHE_SECONDS: '60' })).close();
    }
    expect(authCacheOf(t.database.db)).not.toBeNull();
  });

  it('answers a known session from memory, and a watched write to its user refreshes it', async () => {
    const { id, client } = await userClient('cached@sess.example', 'board');
    expect(await sessionName(client)).toBe('cached');
    await unwatchedRename(id, 'Osynlig');
    expect(await sessionName(client)).toBe('cached');
    // The same change through the database the app uses is seen at once.
    await t.database.db.updateTable('users').set({ name: 'Synlig' }).where('id', '=', id).execute();
    expect(await sessionName(client)).toBe('Synlig');
  });
});

describe('changes take effect on the next request', () => {
  it('logout', async () => {
    const { client } = await userClient('logout@sess.example', 'board');
    expect((await client.get('/api/session')).statusCode).toBe(200);
    expect((await client.post('/api/auth/logout')).statusCode).toBe(204);
    expect((await client.get('/api/session')).statusCode).toBe(401);
  });

  it('a password change ends the other sessions', async () => {
    await createUserFixture(t, 'pw@sess.example', 'board', a.id);
    const first = await login(t, 'pw@sess.example');
    const second = await login(t, 'pw@sess.example');
    expect((await second.get('/api/session')).statusCode).toBe(200);
    const res = await first.post('/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: 'Ett-helt-nytt-losenord-9',
    });
    expect(res.statusCode).toBe(204);
    expect((await second.get('/api/session')).statusCode).toBe(401);
    expect((await first.get('/api/session')).statusCode).toBe(200);
  });

  it('a role change', async () => {
    const { id, client } = await userClient('role@sess.example', 'board');
    // The board sees protected figures; an administrator the unprotected ones.
    const isProtected = async () =>
      (
        (
          await client.get('/api/associations/sess-a/reports/outcomes?from=2025-01-01&to=2025-12-31')
        ).json() as {
          protected: boolean;
        }
      ).protected;
    expect(await isProtected()).toBe(true);
    const up = await admin.put(`/api/associations/sess-a/users/${id}`, {
      name: 'Roll',
      role: 'association_admin',
    });
    expect(up.statusCode).toBe(200);
    expect(await isProtected()).toBe(false);
    const down = await admin.put(`/api/associations/sess-a/users/${id}`, { name: 'Roll', role: 'board' });
    expect(down.statusCode).toBe(200);
    expect(await isProtected()).toBe(true);
  });

  it('a membership ending and a membership starting', async () => {
    const { id, client } = await userClient('member@sess.example', 'board');
    expect((await client.get('/api/associations/sess-a/goals')).statusCode).toBe(200);
    expect((await client.get('/api/associations/sess-b/goals')).statusCode).toBe(404);
    expect((await admin.del(`/api/associations/sess-a/users/${id}`)).statusCode).toBe(204);
    expect((await client.get('/api/associations/sess-a/goals')).statusCode).toBe(404);
    await t.database.db
      .insertInto('memberships')
      .values({ association_id: b.id, user_id: id, role: 'board' })
      .execute();
    expect((await client.get('/api/associations/sess-b/goals')).statusCode).toBe(200);
  });

  it('promotion to system administrator', async () => {
    const { client } = await userClient('promoted@sess.example', 'board');
    const me = async () =>
      ((await client.get('/api/session')).json() as { user: { isSystemAdmin: boolean } }).user;
    expect((await me()).isSystemAdmin).toBe(false);
    await createSystemAdmin(t.database.db, { email: 'promoted@sess.example', name: 'promoted' });
    expect((await me()).isSystemAdmin).toBe(true);
  });

  it('a change written as raw SQL', async () => {
    const { id, client } = await userClient('raw@sess.example', 'board');
    expect(await sessionName(client)).toBe('raw');
    await sql`UPDATE users SET name = 'Rå' WHERE id = ${id}::uuid`.execute(t.database.db);
    expect(await sessionName(client)).toBe('Rå');
  });
});

describe('timeouts and the idle touch on a cached session', () => {
  it('ends a session idle too long although it is cached, and deletes it', async () => {
    const { client } = await userClient('idle@sess.example', 'board');
    expect((await client.get('/api/session')).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 61 * 60_000); // past the 60-minute idle window
      expect((await client.get('/api/session')).statusCode).toBe(401);
    } finally {
      vi.useRealTimers();
    }
    expect(await sessionRow(client)).toBeUndefined();
  });

  it('ends a session past its absolute lifetime although it is cached and active', async () => {
    const long = await appWithEnv(t, {
      SESSION_CACHE_SECONDS: '60',
      SESSION_IDLE_MINUTES: '1440',
      SESSION_MAX_HOURS: '1',
    });
    try {
      await createUserFixture(t, 'max@sess.example', 'board', a.id);
      const login = await long.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'max@sess.example', password: TEST_PASSWORD },
      });
      const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const get = () => long.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expect((await get()).statusCode).toBe(200);
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() + 30 * 60_000);
        expect((await get()).statusCode).toBe(200);
        vi.setSystemTime(Date.now() + 31 * 60_000);
        expect((await get()).statusCode).toBe(401);
      } finally {
        vi.useRealTimers();
      }
    } finally {
      await long.close();
      await (await appWithEnv(t, { SESSION_CACHE_SECONDS: '60' })).close();
    }
  });

  it('touches last_seen_at at most once a minute, and the touch keeps the cache', async () => {
    const { id, client } = await userClient('touch@sess.example', 'board');
    expect((await client.get('/api/session')).statusCode).toBe(200);
    const seen0 = (await sessionRow(client))!.last_seen_at.getTime();
    await unwatchedRename(id, 'Fortfarande cachad');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.now();
      vi.setSystemTime(start + 30_000);
      expect(await sessionName(client)).toBe('touch');
      expect((await sessionRow(client))!.last_seen_at.getTime()).toBe(seen0);
      vi.setSystemTime(start + 90_000);
      expect(await sessionName(client)).toBe('touch');
      const seen1 = (await sessionRow(client))!.last_seen_at.getTime();
      expect(seen1).toBeGreaterThanOrEqual(start + 90_000);
      // The touch did not empty the cache: the unwatched rename is still hidden.
      expect(await sessionName(client)).toBe('touch');
      // And the idle window now runs from the touch: 59 minutes later the session lives.
      vi.setSystemTime(start + 90_000 + 59 * 60_000);
      expect((await client.get('/api/session')).statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('AuthCache', () => {
  it('does not keep a load that overlapped an invalidation', async () => {
    const cache = new AuthCache(60_000);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const value = { user: {} as never, lastSeenMs: 0, expiresMs: Infinity };
    const loading = cache.loadSession('s1', async () => {
      await gate;
      return value;
    });
    cache.invalidate();
    release();
    expect(await loading).toBe(value);
    expect(cache.session('s1')).toBeUndefined();
    await cache.loadSession('s1', async () => value);
    expect(cache.session('s1')).toBe(value);
  });

  it('expires entries after its lifetime', async () => {
    const cache = new AuthCache(20);
    await cache.loadSession('s1', async () => ({ user: {} as never, lastSeenMs: 0, expiresMs: Infinity }));
    expect(cache.session('s1')).toBeDefined();
    await new Promise((r) => setTimeout(r, 40));
    expect(cache.session('s1')).toBeUndefined();
  });
});
