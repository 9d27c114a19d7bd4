/**
 * The server as IT staff run it: a real `main.ts` process on an embedded data directory. It starts,
 * refuses bad configuration naming the variable, refuses a second process on the same data
 * directory, stops cleanly on SIGTERM, and keeps every piece of data across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD } from './db/seed/demo.js';
import { createServerDatabaseUrl } from '../../tests/helpers.js';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;

// Process-level behaviour of the embedded mode; the PostgreSQL project covers the same code paths
// through the API suites.
const embedded = process.env.TEST_DB !== 'postgres';

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'samverka-proc-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function start(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 90_000);
    child.stdout!.on('data', () => {
      const m = /Open (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        // The demo logins follow the address on the next lines.
        setTimeout(() => resolve({ child, url: m[1]!, output: () => out }), 300);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function loginCookie(url: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'chef@exempelbygden.example', password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrfToken };
}

describe.skipIf(!embedded)('server process (embedded database)', () => {
  it('refuses bad configuration with a message naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: 'abc', DATA_DIR: dataDir, SESSION_IDLE_MINUTES: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PORT');
    expect(r.stderr).toContain('SESSION_IDLE_MINUTES');
  });

  it('serves, refuses a second process on the same data, stops on SIGTERM and keeps data across restarts', async () => {
    const first = await start({});
    expect(first.output()).toContain('chef@exempelbygden.example');
    const health = await (await fetch(`${first.url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', database: 'pglite' });
    // The Swedish web app is served at /.
    const page = await fetch(`${first.url}/login`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('lang="sv"');

    const { cookie, csrfToken } = await loginCookie(first.url);
    const slug = 'exempelbygden';
    const renamed = await fetch(`${first.url}/api/associations/${slug}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ name: 'Samordningsförbundet Exempelbygden (omdöpt)', orgNumber: '2220001230' }),
    });
    expect(renamed.status).toBe(200);

    // A second process on the same data directory is refused: two writers would corrupt it.
    const second = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', PORT: '0', DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('in use');

    const exit = stopped(first.child);
    first.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(existsSync(path.join(dataDir, 'samverka.lock'))).toBe(false);

    const again = await start({});
    try {
      // Not seeded twice, and the change survived.
      expect(again.output()).not.toContain('seeding');
      const login = await loginCookie(again.url);
      const overview = await (
        await fetch(`${again.url}/api/associations/${slug}/overview`, { headers: { cookie: login.cookie } })
      ).json();
      expect(overview.association.name).toBe('Samordningsförbundet Exempelbygden (omdöpt)');
      const interventions = await (
        await fetch(`${again.url}/api/associations/${slug}/interventions`, {
          headers: { cookie: login.cookie },
        })
      ).json();
      expect(interventions).toHaveLength(5);
    } finally {
      const done = stopped(again.child);
      again.child.kill('SIGINT');
      expect(await done).toBe(0);
    }
  }, 240_000);
});

describe.skipIf(embedded)('server process (PostgreSQL server)', () => {
  it('runs the same on a PostgreSQL server: migrates, seeds the demo only when asked, stops cleanly', async () => {
    const url = await createServerDatabaseUrl();
    const plain = await start({ DATABASE_URL: url });
    try {
      expect(await (await fetch(`${plain.url}/api/health`)).json()).toMatchObject({
        status: 'ok',
        database: 'postgresql',
      });
      // No demo data on a server unless SEED_DEMO=true.
      const denied = await fetch(`${plain.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'chef@exempelbygden.example', password: DEMO_PASSWORD }),
      });
      expect(denied.status).toBe(401);
    } finally {
      const done = stopped(plain.child);
      plain.child.kill('SIGTERM');
      expect(await done).toBe(0);
    }
    const seeded = await start({ DATABASE_URL: url, SEED_DEMO: 'true' });
    try {
      const { cookie } = await loginCookie(seeded.url);
      const overview = await (
        await fetch(`${seeded.url}/api/associations/exempelbygden/overview`, { headers: { cookie } })
      ).json();
      expect(overview.members).toHaveLength(6);
    } finally {
      const done = stopped(seeded.child);
      seeded.child.kill('SIGTERM');
      expect(await done).toBe(0);
    }
  }, 240_000);
});
