import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  TEST_PASSWORD,
  type AssociationFixture,
  type TestApp,
} from '../../../tests/helpers.js';
import { appWithEnv, dbSnapshot, expectError, expectNoChange } from '../../../tests/support.js';
import { hashToken, SESSION_COOKIE } from './sessions.js';

let t: TestApp;
let alfa: AssociationFixture;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_FAILURES: '3' });
  alfa = await createAssociationFixture(t, 'alfa', 2);
  await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await t.close();
});

/** Another app on the same database with other settings. */
async function variant(overrides: Record<string, string>): Promise<FastifyInstance> {
  const app = await appWithEnv(t, overrides);
  apps.push(app);
  return app;
}

let ipCounter = 0;
/** Each call comes from its own client address, so the per-IP login limit stays out of the way. */
function loginRequest(email: string, password: string, app: FastifyInstance = t.app) {
  ipCounter++;
  return app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    remoteAddress: `10.1.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`,
  });
}

function setCookieHeader(res: LightMyRequestResponse): string {
  const h = res.headers['set-cookie'];
  const all = Array.isArray(h) ? h : h ? [h] : [];
  const mine = all.filter((c) => c.startsWith(`${SESSION_COOKIE}=`));
  expect(mine).toHaveLength(1);
  return mine[0]!;
}

function sessionToken(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === SESSION_COOKIE);
  expect(c).toBeDefined();
  return c!.value;
}

function withCookie(token: string) {
  return { cookie: `${SESSION_COOKIE}=${token}` };
}

describe('login', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie without Secure over http', async () => {
    const res = await loginRequest('admin@alfa.example', TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
    const header = setCookieHeader(res);
    expect(header).toMatch(/;\s*HttpOnly/i);
    expect(header).toMatch(/;\s*SameSite=Lax/i);
    expect(header).toMatch(/;\s*Path=\//);
    expect(header).not.toMatch(/;\s*Secure/i);
    // The body carries the CSRF token, never the session token.
    const body = res.json() as { csrfToken: string };
    expect(Object.keys(body)).toEqual(['csrfToken']);
    expect(res.body).not.toContain(sessionToken(res));
  });

  it('adds Secure to the cookie when COOKIE_SECURE=true', async () => {
    const secure = await variant({ COOKIE_SECURE: 'true' });
    const res = await loginRequest('admin@alfa.example', TEST_PASSWORD, secure);
    expect(res.statusCode).toBe(200);
    const header = setCookieHeader(res);
    expect(header).toMatch(/;\s*Secure/i);
    expect(header).toMatch(/;\s*HttpOnly/i);
    expect(header).toMatch(/;\s*SameSite=Lax/i);
  });

  it('stores only a hash of the session token', async () => {
    const res = await loginRequest('admin@alfa.example', TEST_PASSWORD);
    const token = sessionToken(res);
    const ids = (await t.database.db.selectFrom('sessions').select('id').execute()).map((r) => r.id);
    expect(ids).toContain(hashToken(token));
    expect(ids).not.toContain(token);
  });

  it('gives the same status, code and message for a wrong password and an unknown e-mail', async () => {
    const wrong = await loginRequest('admin@alfa.example', 'Fel-Losenord-000');
    const unknown = await loginRequest('nobody@alfa.example', 'Fel-Losenord-000');
    expectError(wrong, 401, 'INVALID_CREDENTIALS');
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.json()).toEqual(wrong.json());
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it('treats the e-mail case-insensitively', async () => {
    const res = await loginRequest('  ADMIN@Alfa.Example ', TEST_PASSWORD);
    expect(res.statusCode).toBe(200);
  });

  it('locks an existing address after LOGIN_MAX_FAILURES failures, even for the right password', async () => {
    await createUserFixture(t, 'locked@alfa.example', 'board', alfa.id);
    for (let i = 0; i < 3; i++)
      expectError(await loginRequest('locked@alfa.example', 'Fel-Losenord-000'), 401, 'INVALID_CREDENTIALS');
    const locked = await loginRequest('locked@alfa.example', 'Fel-Losenord-000');
    expectError(locked, 429, 'TOO_MANY_ATTEMPTS');
    const retry = Number(locked.headers['retry-after']);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(30);
    expect(locked.json().error.retryAfterSeconds).toBe(retry);

    const right = await loginRequest('locked@alfa.example', TEST_PASSWORD);
    expectError(right, 429, 'TOO_MANY_ATTEMPTS');
    expect(right.headers['set-cookie']).toBeUndefined();
    // Another address is not affected.
    expect((await loginRequest('admin@alfa.example', TEST_PASSWORD)).statusCode).toBe(200);

    // Once the lock has run out, the right password works and clears the count.
    await t.database.db
      .updateTable('login_throttle')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('key', '=', 'locked@alfa.example')
      .execute();
    expect((await loginRequest('locked@alfa.example', TEST_PASSWORD)).statusCode).toBe(200);
    const throttle = await t.database.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', 'locked@alfa.example')
      .execute();
    expect(throttle).toEqual([]);
  });

  it('locks an unknown address the same way, so the lock reveals nothing', async () => {
    const bodies = [];
    for (let i = 0; i < 3; i++) {
      const res = await loginRequest('ghost@alfa.example', 'Fel-Losenord-000');
      expectError(res, 401, 'INVALID_CREDENTIALS');
      bodies.push(res.json());
    }
    const locked = await loginRequest('ghost@alfa.example', 'Fel-Losenord-000');
    expectError(locked, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json().error.message).toBe('Too many failed attempts');
  });

  it('limits login requests per client address', async () => {
    const from = (ip: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', payload: {}, remoteAddress: ip });
    for (let i = 0; i < 30; i++) expect((await from('10.99.0.1')).statusCode).toBe(400);
    const limited = await from('10.99.0.1');
    expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('10.99.0.2')).statusCode).toBe(400);
  });
});

describe('CSRF', () => {
  it('refuses PUT, POST and DELETE with a session but without the right x-csrf-token, and changes nothing', async () => {
    const admin = await login(t, 'admin@alfa.example');
    const other = await login(t, 'admin@alfa.example');
    const attempts = [
      {
        method: 'PUT' as const,
        url: '/api/associations/alfa',
        payload: { name: 'Kapat namn', orgNumber: null },
      },
      {
        method: 'POST' as const,
        url: '/api/associations/alfa/members',
        payload: { type: 'region', name: 'Region Kapad' },
      },
      { method: 'DELETE' as const, url: `/api/associations/alfa/members/${alfa.members.municipalities[1]}` },
      {
        method: 'POST' as const,
        url: '/api/associations/alfa/users',
        payload: {
          email: 'csrf@alfa.example',
          name: 'Csrf',
          role: 'association_admin',
          password: 'Helt-Nytt-Losen-1',
        },
      },
      {
        method: 'POST' as const,
        url: '/api/auth/password',
        payload: { currentPassword: TEST_PASSWORD, newPassword: 'Helt-Nytt-Losen-1' },
      },
      { method: 'POST' as const, url: '/api/auth/logout' },
    ];
    await expectNoChange(t, async () => {
      for (const a of attempts) {
        const missing = await t.app.inject({ ...a, headers: { cookie: admin.cookie } });
        expectError(missing, 403, 'CSRF');
        const wrong = await t.app.inject({
          ...a,
          headers: { cookie: admin.cookie, 'x-csrf-token': 'x'.repeat(32) },
        });
        expectError(wrong, 403, 'CSRF');
        // A token is bound to its session: another session's token does not do.
        const foreign = await t.app.inject({
          ...a,
          headers: { cookie: admin.cookie, 'x-csrf-token': other.csrfToken },
        });
        expectError(foreign, 403, 'CSRF');
      }
    });
    // The refused logout did not end the session, and safe methods need no token.
    const get = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: admin.cookie } });
    expect(get.statusCode).toBe(200);
    // With the token the same change goes through.
    expect(
      (await admin.put('/api/associations/alfa', { name: 'Samordningsförbundet alfa', orgNumber: null }))
        .statusCode,
    ).toBe(200);
  });
});

describe('logout', () => {
  it('ends the session: the next request with the old cookie is 401', async () => {
    const admin = await login(t, 'admin@alfa.example');
    expect((await admin.get('/api/session')).statusCode).toBe(200);
    const res = await admin.post('/api/auth/logout');
    expect(res.statusCode).toBe(204);
    // The cookie is cleared in the browser…
    expect(setCookieHeader(res)).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    // …and the session is gone on the server, so a copied cookie is useless.
    expectError(await admin.get('/api/session'), 401, 'UNAUTHENTICATED');
    expectError(await admin.get('/api/associations/alfa/overview'), 401, 'UNAUTHENTICATED');
    const token = decodeURIComponent(admin.cookie.split('=')[1]!);
    const rows = await t.database.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', hashToken(token))
      .execute();
    expect(rows).toEqual([]);
  });

  it('without a session is harmless', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/logout' });
    expect(res.statusCode).toBe(204);
  });
});

describe('password change', () => {
  const NEW_PASSWORD = 'Nytt-Losenord-456';

  it('refuses a wrong current password, the same password and weak passwords, changing nothing', async () => {
    await createUserFixture(t, 'weak@alfa.example', 'board', alfa.id);
    const user = await login(t, 'weak@alfa.example');
    await expectNoChange(t, async () => {
      expectError(
        await user.post('/api/auth/password', {
          currentPassword: 'Fel-Losenord-000',
          newPassword: NEW_PASSWORD,
        }),
        400,
        'VALIDATION',
        [{ path: 'currentPassword', code: 'wrong_password' }],
      );
      expectError(
        await user.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD }),
        400,
        'VALIDATION',
        [{ path: 'newPassword', code: 'same_as_current' }],
      );
      expectError(
        await user.post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'kort1!' }),
        400,
        'VALIDATION',
        [{ path: 'newPassword', code: 'too_short' }],
      );
      for (const weak of ['aaaaaaaaaaaaaaaa', 'Password1234', 'abababababababab', 'Sommar2026!!']) {
        const res = await user.post('/api/auth/password', {
          currentPassword: TEST_PASSWORD,
          newPassword: weak,
        });
        expectError(res, 400, 'VALIDATION', [{ path: 'newPassword', code: 'too_weak' }]);
      }
      expectError(
        await user.post('/api/auth/password', {
          currentPassword: TEST_PASSWORD,
          newPassword: 'Ab1-'.repeat(51),
        }),
        400,
        'VALIDATION',
        [{ path: 'newPassword', code: 'too_long' }],
      );
    });
  });

  it('works, ends the other sessions and retires the old password', async () => {
    await createUserFixture(t, 'changer@alfa.example', 'board', alfa.id);
    const first = await login(t, 'changer@alfa.example');
    const second = await login(t, 'changer@alfa.example');
    const before = await t.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'changer@alfa.example')
      .executeTakeFirstOrThrow();

    const res = await first.post('/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(res.statusCode).toBe(204);

    expect((await first.get('/api/session')).statusCode).toBe(200);
    expectError(await second.get('/api/session'), 401, 'UNAUTHENTICATED');
    expectError(await loginRequest('changer@alfa.example', TEST_PASSWORD), 401, 'INVALID_CREDENTIALS');
    expect((await loginRequest('changer@alfa.example', NEW_PASSWORD)).statusCode).toBe(200);

    const after = await t.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'changer@alfa.example')
      .executeTakeFirstOrThrow();
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after.password_hash.startsWith('$argon2id$')).toBe(true);
  });
});

describe('session timeout', () => {
  async function backdate(token: string, column: 'last_seen_at' | 'expires_at', seconds: number) {
    await t.database.db
      .updateTable('sessions')
      .set({ [column]: new Date(Date.now() - seconds * 1000) })
      .where('id', '=', hashToken(token))
      .execute();
  }

  it('rejects a session idle longer than SESSION_IDLE_MINUTES, and deletes it', async () => {
    const short = await variant({ SESSION_IDLE_MINUTES: '1' });
    const res = await loginRequest('admin@alfa.example', TEST_PASSWORD, short);
    const token = sessionToken(res);
    const get = (app: FastifyInstance) =>
      app.inject({ method: 'GET', url: '/api/session', headers: withCookie(token) });
    expect((await get(short)).statusCode).toBe(200);

    await backdate(token, 'last_seen_at', 61);
    // The default 60-minute window still accepts it: the timeout is the configured one.
    expect((await get(t.app)).statusCode).toBe(200);
    await backdate(token, 'last_seen_at', 61);
    expectError(await get(short), 401, 'UNAUTHENTICATED');
    const rows = await t.database.db
      .selectFrom('sessions')
      .select('id')
      .where('id', '=', hashToken(token))
      .execute();
    expect(rows).toEqual([]);
  });

  it('slides the idle window with activity, even when the window is one minute', async () => {
    const short = await variant({ SESSION_IDLE_MINUTES: '1' });
    const token = sessionToken(await loginRequest('admin@alfa.example', TEST_PASSWORD, short));
    await backdate(token, 'last_seen_at', 50);
    const res = await short.inject({ method: 'GET', url: '/api/session', headers: withCookie(token) });
    expect(res.statusCode).toBe(200);
    const row = await t.database.db
      .selectFrom('sessions')
      .select('last_seen_at')
      .where('id', '=', hashToken(token))
      .executeTakeFirstOrThrow();
    // The request counted as activity: the idle clock restarted, so the session lives on.
    expect(Date.now() - row.last_seen_at.getTime()).toBeLessThan(20_000);
  });

  it('rejects a session past its absolute lifetime however active it is', async () => {
    const admin = await login(t, 'admin@alfa.example');
    const token = decodeURIComponent(admin.cookie.split('=')[1]!);
    await backdate(token, 'expires_at', 1);
    expectError(await admin.get('/api/session'), 401, 'UNAUTHENTICATED');
  });

  it('rejects a made-up or absent cookie', async () => {
    expectError(await t.app.inject({ method: 'GET', url: '/api/session' }), 401, 'UNAUTHENTICATED');
    expectError(
      await t.app.inject({ method: 'GET', url: '/api/session', headers: withCookie('forged-token') }),
      401,
      'UNAUTHENTICATED',
    );
  });
});

describe('one-time passwords', () => {
  it('a new user must change the one-time password before doing anything else', async () => {
    const admin = await login(t, 'admin@alfa.example');
    const created = await admin.post('/api/associations/alfa/users', {
      email: 'ny@alfa.example',
      name: 'Ny Admin',
      role: 'association_admin',
    });
    expect(created.statusCode).toBe(201);
    const otp = (created.json() as { oneTimePassword: string }).oneTimePassword;

    const user = await login(t, 'ny@alfa.example', otp);
    const session = await user.get('/api/session');
    expect(session.statusCode).toBe(200);
    expect(session.json().user.mustChangePassword).toBe(true);
    expectError(await user.get('/api/associations/alfa/overview'), 403, 'PASSWORD_CHANGE_REQUIRED');
    await expectNoChange(t, async () => {
      expectError(
        await user.put('/api/associations/alfa', { name: 'Ändrat av ny', orgNumber: null }),
        403,
        'PASSWORD_CHANGE_REQUIRED',
      );
    });

    expect(
      (await user.post('/api/auth/password', { currentPassword: otp, newPassword: 'Eget-Losenord-789' }))
        .statusCode,
    ).toBe(204);
    expect((await user.get('/api/session')).json().user.mustChangePassword).toBe(false);
    expect((await user.get('/api/associations/alfa/overview')).statusCode).toBe(200);
    expectError(await loginRequest('ny@alfa.example', otp), 401, 'INVALID_CREDENTIALS');
  });
});

describe('password storage', () => {
  it('stores argon2id hashes only, and the plain password nowhere', async () => {
    const admin = await login(t, 'admin@alfa.example');
    const plain = 'Mitt-Hemliga-Losen-42';
    const res = await admin.post('/api/associations/alfa/users', {
      email: 'hemlig@alfa.example',
      name: 'Hemlig',
      role: 'board',
      password: plain,
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(plain);
    expect(res.json().oneTimePassword).toBeNull();

    const hashes = await t.database.db.selectFrom('users').select(['email', 'password_hash']).execute();
    for (const h of hashes)
      expect(h.password_hash, h.email).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    const everything = JSON.stringify(await dbSnapshot(t));
    expect(everything).not.toContain(plain);
    expect(everything).not.toContain(TEST_PASSWORD);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM audit_log WHERE details::text LIKE ${'%' + plain + '%'}`.execute(
      t.database.db,
    );
    expect(rows[0]!.n).toBe(0);
    expect((await loginRequest('hemlig@alfa.example', plain)).statusCode).toBe(200);
  });
});
