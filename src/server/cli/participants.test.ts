/**
 * The CLI's insats and participant commands as IT staff run them: a real child process on the
 * configured database (embedded data directory, or a fresh PostgreSQL database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createServerDatabaseUrl } from '../../../tests/helpers.js';
import { csv, person } from '../../../tests/imports.js';
import { openDatabase } from '../db/index.js';

const root = path.resolve(import.meta.dirname, '../../..');
// The key of tests/helpers.ts' testPnrCipher, so numbers written by the CLI are readable in tests.
const SECRET_KEY = Buffer.alloc(32, 7).toString('base64');
let dbEnv: Record<string, string>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'samverka-cli-participants-'));
  dbEnv =
    process.env.TEST_DB === 'postgres'
      ? { DATABASE_URL: await createServerDatabaseUrl(), DATA_DIR: dir }
      : { DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
  const a = cli(['association', 'create', '--slug', 'clibygd', '--name', 'Samordningsförbundet Clibygd']);
  expect(a.stderr).toBe('');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli/main.ts', '--format', 'json', ...args],
    {
      cwd: root,
      env: { ...process.env, ...dbEnv, SECRET_KEY, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Row counts, read with one opening of the database. */
async function counts(): Promise<{
  participations: number;
  import_batches: number;
  anonymous_participations: number;
}> {
  const database = await openDatabase({
    databaseUrl: dbEnv.DATABASE_URL || undefined,
    dataDir: dbEnv.DATA_DIR,
  });
  try {
    const n = async (table: 'participations' | 'import_batches' | 'anonymous_participations') =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      participations: await n('participations'),
      import_batches: await n('import_batches'),
      anonymous_participations: await n('anonymous_participations'),
    };
  } finally {
    await database.close();
  }
}

const row = (over: Record<string, string> = {}) => ({
  insats: 'Cliplattformen',
  personnummer: person(),
  startdatum: '2024-02-01',
  kommun: 'annan',
  försörjning_start: 'sjukpenning',
  samtycke_datum: '2024-02-01',
  ...over,
});

describe('cli: insats create', { timeout: 120_000 }, () => {
  it('creates insatser with the default follow-up method for their direction', () => {
    const ind = cli([
      'insats',
      'create',
      '--association',
      'clibygd',
      '--name',
      'Cliplattformen',
      '--direction',
      'individual',
      '--start',
      '2024-01-01',
    ]);
    expect(ind.stderr).toBe('');
    expect(ind.status).toBe(0);
    expect(JSON.parse(ind.stdout)).toMatchObject({
      name: 'Cliplattformen',
      direction: 'individual',
      followUp: 'person',
      startDate: '2024-01-01',
    });
    const str = cli([
      'insats',
      'create',
      '--association',
      'clibygd',
      '--name',
      'Frukostföreläsningar',
      '--direction',
      'structural',
    ]);
    expect(str.status).toBe(0);
    expect(JSON.parse(str.stdout)).toMatchObject({ direction: 'structural', followUp: 'count' });
  });

  it('rejects bad input with exit 1 (input) or 2 (usage) and stores nothing', () => {
    const structuralPerson = cli([
      'insats',
      'create',
      '--association',
      'clibygd',
      '--name',
      'X-insats',
      '--direction',
      'structural',
      '--follow-up',
      'person',
    ]);
    expect(structuralPerson.status).toBe(1);
    expect(JSON.parse(structuralPerson.stderr).error.issues[0]).toMatchObject({
      path: 'followUp',
      code: 'structural_person',
    });
    const badDate = cli([
      'insats',
      'create',
      '--association',
      'clibygd',
      '--name',
      'X-insats',
      '--direction',
      'individual',
      '--start',
      '2024-02-30',
    ]);
    expect(badDate.status).toBe(1);
    const duplicate = cli([
      'insats',
      'create',
      '--association',
      'clibygd',
      '--name',
      'cliplattformen',
      '--direction',
      'individual',
    ]);
    expect(duplicate.status).toBe(1);
    expect(JSON.parse(duplicate.stderr).error.code).toBe('CONFLICT');
    const unknown = cli([
      'insats',
      'create',
      '--association',
      'saknas',
      '--name',
      'X-insats',
      '--direction',
      'individual',
    ]);
    expect(JSON.parse(unknown.stderr).error.issues[0]).toMatchObject({
      path: 'association',
      code: 'not_found',
    });
    expect(
      cli(['insats', 'create', '--association', 'clibygd', '--name', 'X-insats', '--direction', 'diagonal'])
        .status,
    ).toBe(2);
  });
});

describe('cli: participants import and export', { timeout: 120_000 }, () => {
  it('imports a file: counts on stdout, exit 0; a dry run stores nothing', async () => {
    const f = file(
      'deltagare.csv',
      csv([
        row(),
        row({
          slutdatum: '2024-06-30',
          avslutsanledning: 'studier',
          sysselsättning_efter: 'studier',
          försörjning_slut: 'studiemedel',
        }),
        { insats: 'Cliplattformen', anonym: 'ja', kön: 'man', startdatum: '2024-03-01' },
      ]),
    );
    const dry = cli(['participants', 'import', '--association', 'clibygd', '--file', f, '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ imported: 2, anonymous: 1, updated: 0, skipped: 0 });
    expect((await counts()).participations).toBe(0);

    const real = cli(['participants', 'import', '--association', 'clibygd', '--file', f]);
    expect(real.stderr).toBe('');
    expect(real.status).toBe(0);
    expect(real.stdout).toBe('{"imported":2,"anonymous":1,"updated":0,"skipped":0}\n');
    expect((await counts()).participations).toBe(2);

    // The same file again is refused (exit 1, error on stderr) unless forced.
    const again = cli(['participants', 'import', '--association', 'clibygd', '--file', f]);
    expect(again.status).toBe(1);
    expect(JSON.parse(again.stderr).error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('redan importerad'),
    });
    const forced = cli(['participants', 'import', '--association', 'clibygd', '--file', f, '--force']);
    expect(JSON.parse(forced.stdout)).toEqual({ imported: 0, anonymous: 1, updated: 0, skipped: 2 });
    expect((await counts()).anonymous_participations).toBe(2);
  });

  it('any invalid row: exit 1, the errors on stdout, nothing stored', async () => {
    const before = await counts();
    const f = file(
      'fel.csv',
      csv([row(), row({ personnummer: '19900101-0018' }), row({ insats: 'Frukostföreläsningar' })]),
    );
    const r = cli(['participants', 'import', '--association', 'clibygd', '--file', f]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      errors: [
        {
          row: 3,
          column: 'personnummer',
          code: 'personnummer_luhn',
          message: 'Ogiltigt personnummer (kontrollsiffran stämmer inte)',
        },
        {
          row: 4,
          column: 'insats',
          code: 'structural_insats',
          message: 'Insatsen är strukturövergripande och har inga deltagare',
        },
      ],
      errorCount: 2,
    });
    expect(await counts()).toEqual(before);

    const missing = cli([
      'participants',
      'import',
      '--association',
      'clibygd',
      '--file',
      path.join(dir, 'finns-inte.csv'),
    ]);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stderr).error.issues[0]).toMatchObject({ path: 'file', code: 'not_found' });
  });

  it('exports to CSV and XLSX (owner-only files) that import again', async () => {
    const out = path.join(dir, 'export.csv');
    const r = cli(['participants', 'export', '--association', 'clibygd', '--file', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'csv', participations: 2, anonymous: 2 });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const lines = readFileSync(out, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(1 + 2 + 2);
    expect(lines[0]).toMatch(/^insats;personnummer;anonym;kön;startdatum/);

    const x = path.join(dir, 'export.xlsx');
    const rx = cli(['participants', 'export', '--association', 'clibygd', '--file', x]);
    expect(rx.status).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(x);
    expect(wb.worksheets[0]!.rowCount).toBe(5);

    // Re-importing the export: every identified row is already stored.
    const back = cli(['participants', 'import', '--association', 'clibygd', '--file', out, '--dry-run']);
    expect(JSON.parse(back.stdout)).toEqual({ imported: 0, anonymous: 2, updated: 0, skipped: 2 });
  });
});
