/**
 * All or nothing, even when the process dies: an import is started by the real CLI in a child
 * process, which is killed with SIGKILL while it is writing. Nothing of the import may remain,
 * and the database (an embedded data directory, or a PostgreSQL server) must still be usable.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServerDatabaseUrl } from '../../../../tests/helpers.js';
import { csv, person } from '../../../../tests/imports.js';
import { openDatabase, type DatabaseOptions } from '../../db/index.js';
import { migrateToLatest } from '../../db/migrate.js';
import { createAssociation } from '../associations/service.js';
import { addMember } from '../members/service.js';
import { createIntervention } from '../interventions/service.js';
import type { Scope } from '../../auth/access.js';

const root = path.resolve(import.meta.dirname, '../../../..');
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
const ROWS = 12_000;
let dir: string;
let target: DatabaseOptions;
let childEnv: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'samverka-import-kill-'));
  if (process.env.TEST_DB === 'postgres') {
    const url = await createServerDatabaseUrl();
    target = { databaseUrl: url, poolSize: 1 };
    childEnv = { DATABASE_URL: url, DATA_DIR: dir };
  } else {
    target = { dataDir: path.join(dir, 'data') };
    childEnv = { DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
  }
  const database = await openDatabase(target);
  try {
    await migrateToLatest(database.db);
    const a = await createAssociation(database.db, null, {
      slug: 'dodbyn',
      name: 'Samordningsförbundet Dödbyn',
      orgNumber: null,
    });
    const scope: Scope = { associationId: a.id, slug: a.slug, role: 'association_admin', userId: null };
    await addMember(database.db, scope, {
      type: 'municipality',
      name: 'Dödby kommun',
      municipalityCode: '0999',
    });
    await createIntervention(database.db, scope, {
      name: 'Stora insatsen',
      direction: 'individual',
      followUp: 'person',
      description: '',
      esf: false,
      startDate: null,
      endDate: null,
      organiserMemberId: null,
      targetGroupIds: [],
      responsibleUserIds: [],
      plannedParticipants: null,
      notes: '',
    });
  } finally {
    await database.close();
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function registerCounts() {
  const database = await openDatabase(target);
  try {
    const n = async (
      table:
        'participations' | 'persons' | 'participation_income' | 'import_batches' | 'anonymous_participations',
    ) =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      participations: await n('participations'),
      persons: await n('persons'),
      income: await n('participation_income'),
      batches: await n('import_batches'),
      anonymous: await n('anonymous_participations'),
    };
  } finally {
    await database.close();
  }
}

function runImport(file: string, killOnWrite: boolean) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/server/cli/main.ts',
      '--format',
      'json',
      'participants',
      'import',
      '--association',
      'dodbyn',
      '--file',
      file,
      '--progress',
    ],
    {
      cwd: root,
      env: { ...process.env, ...childEnv, SECRET_KEY, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let killedAt = null as { done: number; total: number } | null;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!killOnWrite || killedAt) return;
    for (const line of stderr.split('\n')) {
      const m = /^\{"progress":.*\}$/.exec(line.trim());
      const p = m
        ? (JSON.parse(m[0]) as { progress: { phase: string; done: number; total: number } }).progress
        : null;
      // Mid-way: the first chunk of participations is written, the transaction is open.
      if (p?.phase === 'write' && p.done > 0 && p.done < p.total) {
        killedAt = p;
        child.kill('SIGKILL');
        return;
      }
    }
  });
  return new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
    killedAt: typeof killedAt;
  }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, killedAt })));
}

it('an import killed while writing leaves nothing behind; the same file then imports', async () => {
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    insats: 'Stora insatsen',
    personnummer: person(i % 2 ? 'man' : 'kvinna', 1960),
    startdatum: '2024-01-15',
    kommun: i % 10 ? '0999' : 'annan',
    försörjning_start: i % 3 ? 'sjukpenning:50|försörjningsstöd:50' : 'a-kassa',
    samtycke_datum: '2024-01-15',
  }));
  const file = path.join(dir, 'stor.csv');
  writeFileSync(
    file,
    csv([...rows, { insats: 'Stora insatsen', anonym: 'ja', kön: 'man', startdatum: '2024-02-01' }]),
  );

  const killed = await runImport(file, true);
  expect(killed.killedAt, killed.stderr).not.toBeNull();
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.stdout).toBe('');
  expect(await registerCounts()).toEqual({
    participations: 0,
    persons: 0,
    income: 0,
    batches: 0,
    anonymous: 0,
  });

  // The database (and, embedded, its data directory with the dead process's lock) is usable.
  const again = await runImport(file, false);
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout)).toEqual({ imported: ROWS, anonymous: 1, updated: 0, skipped: 0 });
  expect(await registerCounts()).toMatchObject({
    participations: ROWS,
    persons: ROWS,
    batches: 1,
    anonymous: 1,
  });
}, 180_000);
