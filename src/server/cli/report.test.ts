/**
 * `report outcomes` as IT staff run it: a real child process on a database holding the
 * hand-computed report fixture (tests/report-fixture.ts; expectations as in reports.test.ts).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAssociationFixture, createServerDatabaseUrl, type TestApp } from '../../../tests/helpers.js';
import { buildReportFixture } from '../../../tests/report-fixture.js';
import { openDatabase, type Database } from '../db/index.js';

const root = path.resolve(import.meta.dirname, '../../..');
let dbEnv: Record<string, string>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'samverka-cli-report-'));
  let database: Database;
  if (process.env.TEST_DB === 'postgres') {
    const url = await createServerDatabaseUrl();
    dbEnv = { DATABASE_URL: url, DATA_DIR: dir };
    database = await openDatabase({ databaseUrl: url });
  } else {
    dbEnv = { DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
    // Start the data directory from the run's migrated dump rather than migrating it again.
    database = await openDatabase({
      dataDir: dbEnv.DATA_DIR,
      loadDataDir: new Blob([readFileSync(inject('pgliteDump'))]),
    });
  }
  try {
    // The fixture builders only use the database.
    const t = { database } as TestApp;
    await buildReportFixture(t, await createAssociationFixture(t, 'rapport', 1));
  } finally {
    await database.close();
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], format: 'json' | 'text' = 'json') {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli/main.ts', '--format', format, ...args],
    {
      cwd: root,
      env: { ...process.env, ...dbEnv, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Each call is a child process (tsx, then the database) of a few seconds on a loaded machine. */
const SLOW = 120_000;
const YEAR = ['report', 'outcomes', '--association', 'rapport', '--from', '2025-01-01', '--to', '2025-12-31'];
const KEYS = [
  'entries',
  'exits',
  'exitsExcludingErrors',
  'toWorkOrStudies',
  'shareToWorkOrStudies',
  'returners',
  'medianDaysInInsats',
];

describe('cli report outcomes', () => {
  it(
    'prints the unprotected figures as the system sees them, total at the top level and by sex',
    () => {
      const r = cli(YEAR);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({
        association: 'rapport',
        insats: null,
        period: { from: '2025-01-01', to: '2025-12-31' },
        protected: false,
        entries: 16,
        exits: 10,
        exitsExcludingErrors: 10,
        toWorkOrStudies: 4,
        shareToWorkOrStudies: 0.4,
        returners: 1,
        medianDaysInInsats: 135,
        suppressed: false,
      });
      expect(out.bySex.kvinna).toMatchObject({
        entries: 10,
        exits: 6,
        exitsExcludingErrors: 6,
        toWorkOrStudies: 3,
        shareToWorkOrStudies: 0.5,
        returners: 1,
      });
      expect(out.bySex.man).toMatchObject({
        entries: 6,
        exits: 4,
        exitsExcludingErrors: 4,
        toWorkOrStudies: 1,
        shareToWorkOrStudies: 0.25,
        returners: 0,
      });
      for (const g of [out, out.bySex.kvinna, out.bySex.man])
        for (const k of KEYS) expect(g).toHaveProperty(k);
    },
    SLOW,
  );

  it(
    'suppresses small counts with --public: null values and "suppressed": true',
    () => {
      const r = cli([...YEAR, '--public']);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.protected).toBe(true);
      expect(out).toMatchObject({
        toWorkOrStudies: null,
        shareToWorkOrStudies: null,
        returners: null,
        suppressed: true,
      });
      expect(out.suppressedFields).toEqual(
        expect.arrayContaining(['toWorkOrStudies', 'shareToWorkOrStudies']),
      );
      expect(out.bySex.man).toMatchObject({ exits: null, suppressed: true });
      // Never a count of 1–4, anywhere.
      for (const g of [out, out.bySex.kvinna, out.bySex.man])
        for (const k of KEYS.filter((k) => !k.startsWith('share') && k !== 'medianDaysInInsats'))
          if (g[k] !== null) expect(g[k] === 0 || g[k] >= 5).toBe(true);
    },
    SLOW,
  );

  it(
    'narrows to one insats by name',
    () => {
      const one = JSON.parse(cli([...YEAR, '--insats', 'rapportinsatsen']).stdout);
      expect(one).toMatchObject({
        insats: 'Rapportinsatsen',
        entries: 16,
        toWorkOrStudies: 4,
        shareToWorkOrStudies: 0.4,
      });
      const other = JSON.parse(cli([...YEAR, '--insats', 'Annan insats']).stdout);
      expect(other).toMatchObject({
        insats: 'Annan insats',
        entries: 0,
        exits: 0,
        shareToWorkOrStudies: null,
        suppressed: false,
      });
    },
    SLOW,
  );

  it(
    'prints a readable table in text format',
    () => {
      const r = cli(YEAR, 'text');
      expect(r.status).toBe(0);
      const text = r.stdout.replace(/\u00a0/g, ' ');
      expect(text).toContain('rapport · 1 januari–31 december 2025');
      expect(text).toMatch(/Andel till arbete eller studier\s+40 %\s+50 %\s+25 %/);
    },
    SLOW,
  );

  it(
    'refuses an unknown insats or association and invalid dates with a clear JSON error (exit 1)',
    () => {
      const insats = cli([...YEAR, '--insats', 'Finns inte']);
      expect(insats.status).toBe(1);
      expect(insats.stdout).toBe('');
      expect(JSON.parse(insats.stderr).error.issues[0]).toMatchObject({ path: 'insats', code: 'not_found' });

      const assoc = cli([
        'report',
        'outcomes',
        '--association',
        'saknas',
        '--from',
        '2025-01-01',
        '--to',
        '2025-12-31',
      ]);
      expect(assoc.status).toBe(1);
      expect(JSON.parse(assoc.stderr).error.issues[0]).toMatchObject({
        path: 'association',
        code: 'not_found',
      });

      const date = cli([
        'report',
        'outcomes',
        '--association',
        'rapport',
        '--from',
        '2025-02-30',
        '--to',
        '2025-12-31',
      ]);
      expect(date.status).toBe(1);
      expect(JSON.parse(date.stderr).error.issues[0]).toMatchObject({ path: 'from' });

      const reversed = cli([
        'report',
        'outcomes',
        '--association',
        'rapport',
        '--from',
        '2025-12-31',
        '--to',
        '2025-01-01',
      ]);
      expect(reversed.status).toBe(1);
      expect(JSON.parse(reversed.stderr).error.issues[0]).toMatchObject({ path: 'to', code: 'before_start' });

      expect(cli(['report', 'outcomes', '--association', 'rapport']).status).toBe(2);
    },
    SLOW,
  );
});
