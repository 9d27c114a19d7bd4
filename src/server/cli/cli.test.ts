/**
 * The CLI as IT staff run it: a real child process on the configured database (embedded data
 * directory, or a fresh PostgreSQL database), then the API accepts the admin it created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServerDatabaseUrl, testPnrCipher } from '../../../tests/helpers.js';
import { openDatabase } from '../db/index.js';
import { buildApp } from '../app.js';
import { loadEnv } from '../env.js';

const root = path.resolve(import.meta.dirname, '../../..');
let dbEnv: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'samverka-cli-'));
  dbEnv =
    process.env.TEST_DB === 'postgres'
      ? { DATABASE_URL: await createServerDatabaseUrl() }
      : { DATA_DIR: dataDir, DATABASE_URL: '' };
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...dbEnv },
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli', () => {
  it('creates an association and its first admin, who can then log in', async () => {
    const a = cli([
      '--format',
      'json',
      'association',
      'create',
      '--slug',
      'nyby',
      '--name',
      'Samordningsförbundet Nyby',
      '--org-number',
      '222000-1230',
    ]);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({
      slug: 'nyby',
      name: 'Samordningsförbundet Nyby',
      orgNumber: '2220001230',
    });

    const u = cli([
      '--format',
      'json',
      'user',
      'create',
      '--association',
      'nyby',
      '--email',
      'Chef@Nyby.example',
      '--role',
      'association_admin',
    ]);
    expect(u.status).toBe(0);
    const created = JSON.parse(u.stdout) as {
      user: { email: string; role: string };
      oneTimePassword: string;
    };
    expect(created.user).toMatchObject({ email: 'chef@nyby.example', role: 'association_admin' });
    expect(created.oneTimePassword).toMatch(/^[\w]{5}(-[\w]{5}){3}$/);

    const s = cli(
      [
        '--format',
        'json',
        'user',
        'create',
        '--email',
        'it@nyby.example',
        '--role',
        'system_admin',
        '--password-stdin',
      ],
      'Ett-langt-losenord-9\n',
    );
    expect(s.status).toBe(0);
    expect(JSON.parse(s.stdout).oneTimePassword).toBeNull();

    // The API, on the same database, accepts both.
    const database = await openDatabase({ databaseUrl: dbEnv.DATABASE_URL || undefined, dataDir });
    const app = await buildApp({
      db: database.db,
      dbKind: database.kind,
      env: loadEnv({ LOG_LEVEL: 'silent' }),
      version: 't',
      pnr: testPnrCipher,
    });
    try {
      const login = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'chef@nyby.example', password: created.oneTimePassword },
      });
      expect(login.statusCode).toBe(200);
      const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const overview = await app.inject({
        method: 'GET',
        url: '/api/associations/nyby/overview',
        headers: { cookie },
      });
      // A one-time password must be changed before anything else.
      expect(overview.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
      const admin = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'it@nyby.example', password: 'Ett-langt-losenord-9' },
      });
      expect(admin.statusCode).toBe(200);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('rejects bad input on stderr with a non-zero exit code and stores nothing', () => {
    const bad = cli([
      '--format',
      'json',
      'association',
      'create',
      '--slug',
      'fel',
      '--name',
      'Fel',
      '--org-number',
      '2220001231',
    ]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(JSON.parse(bad.stderr).error.issues).toEqual([
      expect.objectContaining({ path: 'orgNumber', code: 'luhn' }),
    ]);
    // Nothing was stored: the same slug is still free.
    expect(cli(['--format', 'json', 'association', 'create', '--slug', 'fel', '--name', 'Rätt']).status).toBe(
      0,
    );

    const weak = cli(
      [
        '--format',
        'json',
        'user',
        'create',
        '--email',
        'x@y.example',
        '--role',
        'system_admin',
        '--password-stdin',
      ],
      'kort',
    );
    expect(weak.status).toBe(1);
    expect(JSON.parse(weak.stderr).error.issues[0].code).toBe('too_short');

    const noAssoc = cli([
      '--format',
      'json',
      'user',
      'create',
      '--association',
      'saknas',
      '--email',
      'x@y.example',
      '--role',
      'board',
    ]);
    expect(noAssoc.status).toBe(1);
    expect(JSON.parse(noAssoc.stderr).error.issues[0]).toMatchObject({
      path: 'association',
      code: 'not_found',
    });

    const usage = cli(['--format', 'json', 'user', 'create', '--email', 'x@y.example', '--role', 'kung']);
    expect(usage.status).toBe(2);

    const env = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/server/cli/main.ts',
        '--format',
        'json',
        'association',
        'create',
        '--slug',
        'ok-slug',
        '--name',
        'Okej',
      ],
      {
        cwd: root,
        env: { ...process.env, DATABASE_URL: 'mysql://nope' },
        encoding: 'utf8',
      },
    );
    expect(env.status).toBe(3);
    expect(JSON.parse(env.stderr).error.message).toContain('DATABASE_URL');
  });
});
