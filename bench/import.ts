/**
 * Benchmark: importing 100 000 participant rows (CSV) on embedded PGlite and on a PostgreSQL
 * server. Target (issue 3): under 15 s and under 500 MB RSS on both.
 *
 *   npm run -s build && node dist/node/bench/import.js [--rows 100000] [--only pglite|postgres]
 *
 * The compiled script (as `npm start` runs the server: plain Node.js) is what is measured;
 * `npx tsx bench/import.ts` runs the sources, whose loader adds about 90 MB to every process.
 *
 * Each measurement runs in a fresh child process against a fresh database, set up beforehand by
 * another child (a new PGlite data dir costs ~1 GB and seconds to initialise; that is not the
 * import). The child reports the import's wall time and its peak RSS (VmHWM). PostgreSQL:
 * BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres (a database
 * samverka_bench_<pid> is created and dropped).
 *
 * Diagnostics: BENCH_SHARED_BUFFERS (e.g. 48MB) overrides the embedded database's buffer pool;
 * BENCH_MEMORY=1 logs heap and RSS at each progress step; BENCH_NODE_ARGS passes
 * flags to the children (e.g. `--cpu-prof`); BENCH_DRY_RUN=1 (with the `--import` child) only reads
 * and checks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../src/server/db/index.js';
import { migrateToLatest } from '../src/server/db/migrate.js';
import { createPnrCipher } from '../src/server/crypto/pnr.js';
import { createAssociation } from '../src/server/modules/associations/service.js';
import { addMember } from '../src/server/modules/members/service.js';
import { createIntervention } from '../src/server/modules/interventions/service.js';
import { importParticipations } from '../src/server/modules/imports/service.js';
import { HEADERS } from '../src/server/modules/imports/columns.js';
import { syntheticPersonnummer } from '../src/server/db/seed/demo-participants.js';
import type { Scope } from '../src/server/auth/access.js';
import { childArgs } from './node-args.js';

const self = fileURLToPath(import.meta.url);
const SLUG = 'benchbygd';
const INSATSER = [
  'Unga vuxna-plattformen',
  'Vuxenplattformen',
  'Primärvårdsteamet',
  'Jobbspåret',
  'Steg framåt',
];
const MUNICIPALITIES = [
  ['0484', 'Eskilstuna kommun'],
  ['0486', 'Strängnäs kommun'],
  ['0488', 'Trosa kommun'],
  ['0482', 'Flens kommun'],
];
const pnrCipher = createPnrCipher(Buffer.alloc(32, 11));

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** `rows` realistic rows: 3 % anonymous, ~60 % exited, some people with a second participation. */
export function generateCsv(rows: number): string {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const lines = [HEADERS.join(';')];
  const incomeStart = [
    'sjukpenning',
    'försörjningsstöd',
    'aktivitetsersättning',
    'sjukersättning:50|försörjningsstöd:50',
    'a-kassa',
    'ingen offentlig försörjning',
    'rehabiliteringspenning:75|lön:25',
  ];
  const incomeEnd = [
    'lön',
    'studiemedel',
    'försörjningsstöd',
    'a-kassa:50|lön:50',
    'sjukpenning',
    'ingen offentlig försörjning',
  ];
  const outcomes = [
    ['arbete', 'arbete', 'lön'],
    ['studier', 'studier', 'studiemedel'],
    ['arbetssökande', 'arbetssökande', 'a-kassa'],
    ['avslutad enligt plan', 'övrigt', ''],
    ['ohälsa', 'övrigt', 'sjukpenning'],
    ['avbrott på egen begäran', 'övrigt', ''],
  ] as const;
  let k = 0;
  while (lines.length <= rows) {
    const insats = pick(INSATSER);
    const start = addDays('2019-01-01', Math.floor(r() * 2400));
    if (r() < 0.03) {
      lines.push(
        HEADERS.map(
          (h) =>
            ({ insats, anonym: 'ja', kön: r() < 0.55 ? 'kvinna' : 'man', startdatum: start })[h as string] ??
            '',
        ).join(';'),
      );
      continue;
    }
    const sex = r() < 0.55 ? 'kvinna' : 'man';
    const n = k++;
    const birth = addDays('1962-01-01', n % 16000);
    const digits = syntheticPersonnummer(birth, 2 * Math.floor(n / 16000), sex);
    const pnr = `${digits.slice(0, 8)}-${digits.slice(8)}`;
    const periods = r() < 0.1 && lines.length < rows ? 2 : 1;
    let from = start;
    for (let p = 0; p < periods; p++) {
      const exited = p < periods - 1 || r() < 0.6;
      const end = exited ? addDays(from, 30 + Math.floor(r() * 300)) : '';
      const o = pick(outcomes);
      const income = pick(incomeEnd);
      const values: Record<string, string> = {
        insats,
        personnummer: pnr,
        anonym: 'nej',
        kön: sex,
        startdatum: from,
        slutdatum: end > '2026-11-01' ? '' : end,
        kommun: r() < 0.05 ? 'annan' : pick(MUNICIPALITIES)[r() < 0.5 ? 0 : 1]!,
        försörjning_start: pick(incomeStart),
        målgrupp:
          r() < 0.4
            ? 'Unga 16–29 med aktivitetsersättning'
            : r() < 0.3
              ? 'Personer med psykisk ohälsa|Sjukskrivna i behov av samordnade insatser'
              : '',
        samtycke_datum: from,
        utbildningsnivå: pick(['gymnasial', 'förgymnasial', 'eftergymnasial < 3 år', '']),
        månader_offentlig_försörjning: String(Math.floor(r() * 120)),
      };
      if (values.slutdatum) {
        values.avslutsanledning = o[0];
        values.sysselsättning_efter = o[1];
        values.försörjning_slut = o[2] || income;
      }
      lines.push(HEADERS.map((h) => values[h] ?? '').join(';'));
      if (!end || end > '2026-11-01') break;
      from = addDays(end, 20 + Math.floor(r() * 200));
      if (from > '2026-11-01') break;
    }
  }
  return lines.slice(0, rows + 1).join('\r\n') + '\r\n';
}

type Backend = 'pglite' | 'postgres';

function target(backend: Backend, where: string) {
  // One server connection, so the CPU time of its backend process is the database's share.
  return backend === 'pglite'
    ? { dataDir: where, sharedBuffers: process.env.BENCH_SHARED_BUFFERS }
    : { databaseUrl: where, poolSize: 1 };
}

/** CPU seconds (user + system) of a local process, from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Child 1: a fresh, migrated database with the association, its municipalities and insatser. */
async function setup(backend: Backend, where: string) {
  const database = await openDatabase(target(backend, where));
  await migrateToLatest(database.db);
  const a = await createAssociation(database.db, null, {
    slug: SLUG,
    name: 'Samordningsförbundet Benchbygd',
    orgNumber: null,
  });
  const scope: Scope = { associationId: a.id, slug: SLUG, role: 'association_admin', userId: null };
  await addMember(database.db, scope, { type: 'region', name: 'Region Sörmland' });
  for (const [code, name] of MUNICIPALITIES)
    await addMember(database.db, scope, { type: 'municipality', name: name!, municipalityCode: code! });
  for (const name of INSATSER)
    await createIntervention(database.db, scope, {
      name,
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
  await database.close();
}

function vmHwmMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/** Child 2: the import itself, timed, with the peak RSS of the whole process. */
async function runImport(backend: Backend, where: string, file: string) {
  const started = performance.now();
  const database = await openDatabase(target(backend, where));
  const a = await database.db
    .selectFrom('associations')
    .select('id')
    .where('slug', '=', SLUG)
    .executeTakeFirstOrThrow();
  const scope: Scope = { associationId: a.id, slug: SLUG, role: 'association_admin', userId: null };
  const opened = performance.now();
  const rssBefore = vmHwmMb();
  const backendPid =
    backend === 'postgres'
      ? (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(database.db)).rows[0]!.pid
      : null;
  const backendCpu0 = backendPid ? processCpuSeconds(backendPid) : 0;
  const bytes = readFileSync(file);
  const phases: Record<string, number> = {};
  const cpuPhases: Record<string, number> = {};
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await importParticipations({ db: database.db, pnr: pnrCipher }, scope, bytes, {
    fileName: path.basename(file),
    dryRun: !!process.env.BENCH_DRY_RUN,
    force: !!process.env.BENCH_DRY_RUN,
    onProgress: (p) => {
      phases[p.phase] = Math.round(performance.now() - t0);
      const c = process.cpuUsage(cpu0);
      cpuPhases[p.phase] = Math.round((c.user + c.system) / 1000);
      if (process.env.BENCH_MEMORY) {
        const m = process.memoryUsage();
        console.error(
          p.phase,
          p.done,
          `rss=${Math.round(m.rss / 1e6)} heap=${Math.round(m.heapUsed / 1e6)}/${Math.round(m.heapTotal / 1e6)} ext=${Math.round(m.external / 1e6)} ab=${Math.round(m.arrayBuffers / 1e6)}`,
        );
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const databaseCpu = backendPid ? processCpuSeconds(backendPid) - backendCpu0 : null;
  if (!result.ok) throw new Error(`import rejected: ${JSON.stringify(result.errors.slice(0, 5))}`);
  const stored = await database.db
    .selectFrom('participations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  await database.close();
  process.stdout.write(
    JSON.stringify({
      backend,
      seconds: Number(seconds.toFixed(2)),
      openSeconds: Number(((opened - started) / 1000).toFixed(2)),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      serverCpuSeconds: databaseCpu === null ? null : Number(databaseCpu.toFixed(2)),
      phasesMs: phases,
      cpuPhasesMs: cpuPhases,
      rssBeforeMb: Math.round(rssBefore),
      peakRssMb: Math.round(vmHwmMb()),
      fileMb: Number((bytes.length / 1024 / 1024).toFixed(1)),
      counts: {
        imported: result.imported,
        anonymous: result.anonymous,
        updated: result.updated,
        skipped: result.skipped,
      },
      storedParticipations: Number(stored.n),
    }) + '\n',
  );
}

function child(args: string[]): string {
  const r = spawnSync(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...childArgs(import.meta.url, 'import'),
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 },
  );
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed with ${r.status}`);
  return r.stdout;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--setup') return setup(argv[1] as Backend, argv[2]!);
  if (argv[0] === '--import') return runImport(argv[1] as Backend, argv[2]!, argv[3]!);

  const rows = Number(argv[argv.indexOf('--rows') + 1] || 0) || 100_000;
  const only = argv.includes('--only') ? (argv[argv.indexOf('--only') + 1] as Backend) : null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'samverka-bench-import-'));
  const file = path.join(dir, `deltagare-${rows}.csv`);
  const t = performance.now();
  writeFileSync(file, generateCsv(rows));
  console.log(
    `generated ${rows} rows (${(readFileSync(file).length / 1024 / 1024).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const results: unknown[] = [];
  try {
    if (!only || only === 'pglite') {
      const dataDir = path.join(dir, 'data');
      child(['--setup', 'pglite', dataDir]);
      results.push(JSON.parse(child(['--import', 'pglite', dataDir, file])));
    }
    if (!only || only === 'postgres') {
      const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
      const name = `samverka_bench_${process.pid}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      try {
        child(['--setup', 'postgres', u.toString()]);
        results.push(JSON.parse(child(['--import', 'postgres', u.toString(), file])));
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const r of results) console.log(JSON.stringify(r));
}

if (process.argv[1] && path.resolve(process.argv[1]) === self)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
