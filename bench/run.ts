/**
 * The report benchmark (issue 4) and the entry-registration benchmark (issue 3). `npm run bench`.
 *
 *   npm run bench -- [--scale 1] [--only postgres|pglite] [--skip-generate] [--skip-export]
 *                   [--database samverka_bench] [--reports-only] [--export-only] [--registration-only]
 *                   [--export-max-seconds 900] [--iterations 25] [--duration 10] [--registrations 2000]
 *                   [--load-only] [--files-only] [--pglite-dir .tmp/bench-pglite]
 *
 * `npm run bench` compiles the server and the benchmarks (scripts/build-server.mjs) and runs them
 * with plain Node.js, as `npm start` runs the server; `npx tsx bench/run.ts` runs the sources.
 *
 * For every report (outcome report, its age-band breakdown, the dashboard, the national
 * comparison) the endpoint is timed against the best hand-written single SQL statement for the
 * same numbers (bench/sql.ts), interleaved, on the same database in the same run; the numbers are
 * checked to be equal first. The engine's individual queries are timed against hand-written ones
 * too (core figures, income matrix, monthly volumes), to show where time goes. Then: autocannon
 * load tests against a server in a child process, sequential p95 of the dashboard and the
 * comparison, 2,000 entry registrations through the API, and the 1,000,000-row export (CSV and
 * XLSX) with the server's peak RSS. On PGlite, the report files (tagged PDF, XLSX) of the big
 * association are timed against the JSON of the same figures (--files-only runs just these).
 *
 * PostgreSQL: the national set (bench/generate.ts, scaled by --scale) in database samverka_bench,
 * the export set in samverka_bench_export (BENCH_PG_BASE, default postgres://postgres@127.0.0.1:5432).
 * PGlite: one association with 20,000 persons in .tmp/bench-pglite (--pglite-dir).
 *
 * The report cache (REPORT_CACHE_ENTRIES) and the session cache (SESSION_CACHE_SECONDS) are off
 * for the ratios: the endpoint is compared with its SQL computing every time. The load tests and
 * sequential timings run twice, "cold" with both caches off (every request asks the database) and
 * "warm" with the defaults (`http`); --load-only runs just these.
 * Results: bench/results/<backend>.json and bench/results/summary.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/server/db/index.js';
import { buildApp } from '../src/server/app.js';
import { loadEnv } from '../src/server/env.js';
import { migrateToLatest } from '../src/server/db/migrate.js';
import { createPnrCipher } from '../src/server/crypto/pnr.js';
import { todaySweden } from '../src/shared/dates.js';
import { periodsOfYear } from '../src/shared/report-schemas.js';
import { coreFigures, incomeMatrix, monthlyVolumes } from '../src/server/modules/reports/queries.js';
import { syntheticPersonnummer } from '../src/server/db/seed/demo-participants.js';
import {
  BENCH_PASSWORD,
  BENCH_SECRET_KEY,
  BIG_SLUG,
  DEFAULT_PG_BASE,
  EXPORT_SLUG,
  generate,
} from './generate.js';
import * as hand from './sql.js';
import { PROJECT_ROOT } from '../src/server/paths.js';
import { childArgs } from './node-args.js';

const ROOT = PROJECT_ROOT;
const RESULTS = path.join(ROOT, 'bench/results');
const PGLITE_DIR = path.resolve(ROOT, arg('pglite-dir', '.tmp/bench-pglite')!);

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return v === undefined || v.startsWith('--') ? 'true' : v;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const SCALE = Number(arg('scale', '1'));
const ONLY = arg('only');
const ITER = Number(arg('iterations', '25'));
const DURATION = Number(arg('duration', '10'));
const REGISTRATIONS = Number(arg('registrations', '2000'));
const PG_BASE = process.env.BENCH_PG_BASE ?? DEFAULT_PG_BASE;
/** The national set's database (another name keeps a second size side by side). */
const DATABASE = arg('database', 'samverka_bench')!;
if (!/^[a-z0-9_]+$/.test(DATABASE)) throw new Error('--database: lower-case letters, digits and _ only');
const log = (m: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

// ---------- statistics ----------

function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
function stats(xs: number[]) {
  return {
    n: xs.length,
    median: round(quantile(xs, 0.5)),
    p95: round(quantile(xs, 0.95)),
    min: round(Math.min(...xs)),
    max: round(Math.max(...xs)),
  };
}
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

// ---------- in-process app ----------

interface Session {
  cookie: string;
  csrf: string;
}
async function login(app: FastifyInstance, email: string): Promise<Session> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password: BENCH_PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  return {
    cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '),
    csrf: (res.json() as { csrfToken: string }).csrfToken,
  };
}
async function get(app: FastifyInstance, s: Session, url: string) {
  const res = await app.inject({ method: 'GET', url, headers: { cookie: s.cookie } });
  if (res.statusCode !== 200)
    throw Object.assign(new Error(`GET ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`), {
      status: res.statusCode,
    });
  return res;
}

/** Interleaved timing of the endpoint and its hand-written SQL; the ratio of medians. */
async function versus(
  name: string,
  endpoint: () => Promise<unknown>,
  best: () => Promise<unknown>,
  maxIterations = ITER,
) {
  let warm = 0;
  for (let i = 0; i < 3; i++) warm = (await time(endpoint)) + (await time(best));
  // Slow reports get fewer rounds: about 40 s per figure, at least 5.
  const iterations = Math.max(5, Math.min(maxIterations, Math.floor(40_000 / warm)));
  const te: number[] = [];
  const ts: number[] = [];
  for (let i = 0; i < iterations; i++) {
    if (i % 2) {
      te.push(await time(endpoint));
      ts.push(await time(best));
    } else {
      ts.push(await time(best));
      te.push(await time(endpoint));
    }
  }
  const r = {
    name,
    endpointMs: stats(te),
    sqlMs: stats(ts),
    ratio: round(quantile(te, 0.5) / quantile(ts, 0.5)),
    // Other processes on the machine (shared with concurrent test runs) distort absolute times.
    loadAverage1m: round(os.loadavg()[0]!),
  };
  log(`${name}: endpoint ${r.endpointMs.median} ms, SQL ${r.sqlMs.median} ms, ratio ${r.ratio}`);
  return r;
}

// ---------- equality of the numbers ----------

type Json = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function checkCore(where: string, fig: Json, core: Json | undefined, anon: Json | undefined, out: string[]) {
  const pairs: [string, unknown][] = [
    ['identifiedEntries', core?.entries ?? 0],
    ['exitsExcludingErrors', core?.exits ?? 0],
    ['toWorkOrStudies', core?.to_work_or_studies ?? 0],
    ['ongoingAtEnd', core?.ongoing_at_end ?? 0],
    ['participations', core?.participations ?? 0],
    ['uniquePersons', core?.unique_persons ?? 0],
    ['returners', core?.returners ?? 0],
    ['medianDaysInInsats', core?.median_days ?? null],
    ['anonymousEntries', anon?.entries ?? 0],
    ['anonymousExits', anon?.exits ?? 0],
  ];
  for (const [k, v] of pairs)
    if (num(fig[k]) !== num(v)) out.push(`${where}.${k}: endpoint ${String(fig[k])} ≠ SQL ${String(v)}`);
}
function checkOutcome(
  where: string,
  report: Json,
  h: { core: unknown[]; matrix: unknown[]; anon: unknown[] },
  out: string[],
) {
  const core = h.core as Json[];
  const anon = h.anon as Json[];
  const find = (rows: Json[], dim: string, sex: string | null) =>
    rows.find((r) => (r.dim ?? 'total') === dim && (r.sex ?? null) === sex);
  checkCore(
    `${where}.total`,
    report.total as Json,
    find(core, 'total', null),
    find(anon, 'total', null),
    out,
  );
  for (const s of ['kvinna', 'man'])
    checkCore(
      `${where}.${s}`,
      (report.bySex as Record<string, Json>)[s]!,
      find(core, 'total', s),
      find(anon, 'total', s),
      out,
    );
  const breakdown = report.breakdown as { rows: (Json & { key: string })[] } | null;
  for (const row of breakdown?.rows ?? [])
    checkCore(`${where}.${row.key}`, row.total as Json, find(core, row.key, null), undefined, out);
  const cells = (report.incomeMatrix as { total: Json[] }).total;
  for (const c of cells) {
    const m = (h.matrix as Json[]).find(
      (r) => r.sex === null && r.entry_group === c.entryGroup && r.exit_group === c.exitGroup,
    );
    if (num(c.count) !== num(m?.n ?? 0))
      out.push(
        `${where}.matrix.${String(c.entryGroup)}.${String(c.exitGroup)}: ${String(c.count)} ≠ ${String(m?.n ?? 0)}`,
      );
  }
}

// ---------- child server, autocannon, downloads ----------

interface Child {
  url: string;
  pid: number;
  proc: ChildProcess;
  stop(): Promise<void>;
}
async function startChild(env: Record<string, string>): Promise<Child> {
  const proc = spawn(process.execPath, childArgs(import.meta.url, 'server'), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; pid: number });
    });
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url: url.url,
    pid: url.pid,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
/** Peak resident set size of a process, from /proc (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 1) : NaN;
}

async function httpLogin(base: string, email: string): Promise<Session> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** autocannon for a bounded time; p95 from every response's latency. */
function load(base: string, url: string, s: Session | null, connections: number, duration = DURATION) {
  return new Promise<Json>((resolve, reject) => {
    const latencies: number[] = [];
    let non2xx = 0;
    const inst = autocannon(
      { url: `${base}${url}`, connections, duration, headers: s ? { cookie: s.cookie } : {} },
      (err, res) => {
        if (err) return reject(err);
        const r = {
          url,
          loadAverage1m: round(os.loadavg()[0]!),
          connections,
          durationS: duration,
          requests: res.requests.total,
          reqPerSec: round(res.requests.total / duration, 1),
          latencyMs: {
            p50: round(quantile(latencies, 0.5)),
            p95: round(quantile(latencies, 0.95)),
            p99: round(quantile(latencies, 0.99)),
          },
          non2xx: non2xx + res.non2xx,
          errors: res.errors,
        };
        log(
          `load ${url} c=${connections}: ${r.reqPerSec} req/s, p95 ${r.latencyMs.p95} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`,
        );
        resolve(r);
      },
    );
    inst.on('response', (_c: unknown, status: number, _b: unknown, ms: number) => {
      latencies.push(ms);
      if (status >= 300) non2xx++;
    });
  });
}

/** Sequential requests over HTTP: latency percentiles as one user sees them. */
async function sequential(base: string, url: string, s: Session, n: number) {
  const xs: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n + 2; i++) {
    // At most ~40 s per endpoint, at least 10 measured requests.
    if (xs.length >= 10 && performance.now() - started > 40_000) break;
    const t = performance.now();
    const res = await fetch(`${base}${url}`, { headers: { cookie: s.cookie } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    if (i >= 2) xs.push(performance.now() - t);
  }
  const r = { url, ...stats(xs) };
  log(`sequential ${url}: median ${r.median} ms, p95 ${r.p95} ms`);
  return r;
}

/**
 * Streams a download to nowhere, counting bytes and lines; the server's peak RSS is read from
 * /proc. Stops after `maxSeconds`, a safety limit well above the 60 s target (a broken export is
 * reported as stopped instead of hanging the run).
 */
async function download(base: string, url: string, s: Session, maxSeconds: number) {
  const t = performance.now();
  const r = await new Promise<{ bytes: number; lines: number; complete: boolean }>((resolve, reject) => {
    const req = http.get(`${base}${url}`, { headers: { cookie: s.cookie } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
      let bytes = 0;
      let lines = 0;
      const timer = setTimeout(() => {
        res.destroy();
        resolve({ bytes, lines, complete: false });
      }, maxSeconds * 1000);
      res.on('data', (d: Buffer) => {
        bytes += d.length;
        for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ bytes, lines, complete: true });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.on('error', reject);
  });
  return {
    seconds: round((performance.now() - t) / 1000, 1),
    megabytes: round(r.bytes / 1e6, 1),
    lines: r.lines,
    complete: r.complete,
  };
}

// ---------- the benchmark on one database ----------

interface Ctx {
  backend: 'postgres' | 'pglite';
  database: Database;
  app: FastifyInstance;
  admin: Session;
  sysadmin: Session;
  associationId: string;
}

/** Caches off: every request is computed from the database (the ratios, the "cold" load tests). */
const COLD: Record<string, string> = { REPORT_CACHE_ENTRIES: '0', SESSION_CACHE_SECONDS: '0' };

async function openInProcess(
  backend: 'postgres' | 'pglite',
  url?: string,
  envExtra: Record<string, string> = {},
): Promise<Ctx> {
  const database = await openDatabase(
    backend === 'postgres' ? { databaseUrl: url, poolSize: 10 } : { dataDir: PGLITE_DIR },
  );
  // Data generated before a later migration (the server migrates on start too). A migration that
  // rewrites every participation (the backfills of 0007 and 0010) leaves the visibility map
  // cleared, so index-only scans would read the table too: vacuum, as the generator does.
  const applied = async () =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(database.db)).rows[0]!
      .n;
  const before = await applied().catch(() => 0);
  await migrateToLatest(database.db);
  if ((await applied()) > before) {
    log('migrated; vacuuming');
    await sql`VACUUM (ANALYZE) participations, persons`.execute(database.db);
  }
  const env = loadEnv({ NODE_ENV: 'production', LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...envExtra });
  const app = await buildApp({
    db: database.db,
    dbKind: database.kind,
    env,
    version: 'bench',
    pnr: createPnrCipher(Buffer.from(BENCH_SECRET_KEY, 'base64')),
  });
  await app.ready();
  const a = await database.db
    .selectFrom('associations')
    .select('id')
    .where('slug', '=', BIG_SLUG)
    .executeTakeFirstOrThrow();
  return {
    backend,
    database,
    app,
    admin: await login(app, `admin@${BIG_SLUG}.example.org`),
    sysadmin: await login(app, 'bench-admin@example.org'),
    associationId: a.id,
  };
}

async function reportRatios(c: Ctx) {
  const { app, admin, associationId } = c;
  const db = c.database.db;
  const today = todaySweden();
  const year = Number(today.slice(0, 4));
  const from = `${year - 1}-01-01`;
  const to = `${year - 1}-12-31`;
  const mismatches: string[] = [];
  const figures: Json[] = [];
  const queryLevel: Json[] = [];
  const base = `/api/associations/${BIG_SLUG}`;

  // Outcome report: core figures + income matrix + anonymous volumes.
  const outcomesUrl = `${base}/reports/outcomes?from=${from}&to=${to}`;
  checkOutcome(
    'outcomes',
    (await get(app, admin, outcomesUrl)).json(),
    await hand.handOutcome(db, associationId, from, to),
    mismatches,
  );
  figures.push(
    await versus(
      'outcome report (core figures, income matrix, anonymous)',
      () => get(app, admin, outcomesUrl),
      () => hand.handOutcome(db, associationId, from, to),
    ),
  );
  // Breakdown by age band.
  const ageUrl = `${outcomesUrl}&breakdown=ageBand`;
  checkOutcome(
    'ageBand',
    (await get(app, admin, ageUrl)).json(),
    await hand.handOutcome(db, associationId, from, to, true),
    mismatches,
  );
  figures.push(
    await versus(
      'outcome report by age band',
      () => get(app, admin, ageUrl),
      () => hand.handOutcome(db, associationId, from, to, true),
    ),
  );

  // Dashboard: the year so far, volumes by month, goals with their periods and trend.
  const yearFrom = `${year}-01-01`;
  const goalPeriods = [
    ...periodsOfYear('tertial', year).filter((p) => p.from <= today),
    ...[year - 2, year - 1, year].flatMap((y) => periodsOfYear('year', y)),
  ];
  const dashUrl = `${base}/dashboard?year=${year}`;
  const dash = (await get(app, admin, dashUrl)).json() as Json;
  const hd = await hand.handDashboard(db, associationId, yearFrom, today, goalPeriods);
  checkOutcome('dashboard', dash.figures as Json, hd as never, mismatches);
  for (const v of dash.volumes as Json[]) {
    const h = (hd.volumes as Json[]).find((r) => r.month === v.month && r.sex === null);
    for (const [k, hk] of [
      ['entries', 'entries'],
      ['exits', 'exits'],
      ['ongoingAtEnd', 'ongoing_at_end'],
    ] as const)
      if (num(v[k]) !== num(h?.[hk] ?? 0))
        mismatches.push(`dashboard.volumes.${String(v.month)}.${k}: ${String(v[k])} ≠ ${String(h?.[hk])}`);
  }
  for (const g of dash.goals as {
    goal: { definition: { figure: string } };
    periods: Json[];
    trend: Json[];
  }[]) {
    for (const p of [
      ...g.periods,
      ...g.trend.map((t): Json => ({ ...t, from: `${String(t.year)}-01-01`, to: `${String(t.year)}-12-31` })),
    ]) {
      const i = goalPeriods.findIndex((q) => q.from === p.from && q.to === p.to);
      const G = hd.goals;
      const value =
        g.goal.definition.figure === 'entries'
          ? G[`e${i}`]! + G[`ae${i}`]!
          : G[`x${i}`]
            ? G[`w${i}`]! / G[`x${i}`]!
            : null;
      if (i < 0 || (value === null ? p.value !== null : Math.abs(Number(p.value) - value) > 1e-9))
        mismatches.push(
          `dashboard.goal.${g.goal.definition.figure}.${String(p.from)}–${String(p.to)}: ${String(p.value)} ≠ ${String(value)}`,
        );
    }
  }
  figures.push(
    await versus(
      'dashboard (year so far, monthly volumes, 3 goals with periods and trend)',
      () => get(app, admin, dashUrl),
      () => hand.handDashboard(db, associationId, yearFrom, today, goalPeriods),
    ),
  );

  // National comparison (system_admin): per association, always suppressed.
  const compareUrl = `/api/reports/compare?from=${from}&to=${to}`;
  let compare: Json;
  try {
    const cmp = (await get(app, c.sysadmin, compareUrl)).json() as {
      associations: (Json & { id: string; total: Json })[];
    };
    const hc = await hand.handCompare(db, from, to);
    let compared = 0;
    for (const assoc of cmp.associations) {
      const core = (hc.core as Json[]).find((r) => r.dim === assoc.id && r.sex === null);
      const anon = (hc.anon as Json[]).find((r) => r.dim === assoc.id && r.sex === null);
      const local: string[] = [];
      checkCore(`compare.${String(assoc.slug)}`, assoc.total, core, anon, local);
      // The comparison is always protected: a suppressed (null) value is not a mismatch.
      mismatches.push(...local.filter((m) => !m.includes('endpoint null')));
      compared++;
    }
    log(`comparison: ${compared} associations checked`);
    compare = await versus(
      'national comparison',
      () => get(app, c.sysadmin, compareUrl),
      () => hand.handCompare(db, from, to),
      Math.min(ITER, 10),
    );
  } catch (err) {
    const status = (err as { status?: number }).status;
    log(
      `national comparison endpoint: ${status ?? String(err)}; timing the hand-written SQL and the engine's per-association query only`,
    );
    const scopeAll = {
      associationIds: (await db.selectFrom('associations').select('id').execute()).map((a) => a.id),
    };
    const sqlOnly: number[] = [];
    const engineQuery: number[] = [];
    for (let i = 0; i < 6; i++) {
      sqlOnly.push(await time(() => hand.handCompare(db, from, to)));
      engineQuery.push(await time(() => coreFigures(db, scopeAll, { from, to }, {}, 'association')));
    }
    compare = {
      name: 'national comparison',
      endpoint: `missing (GET ${compareUrl} answered ${status ?? 'error'})`,
      sqlMs: stats(sqlOnly.slice(1)),
      engineCoreFiguresByAssociationMs: stats(engineQuery.slice(1)),
    };
  }
  figures.push(compare);

  // Query level: the engine's queries against hand-written ones for the same figure.
  const scope = { associationIds: [associationId] };
  const period = { from, to };
  queryLevel.push(
    await versus(
      'query: core figures',
      () => coreFigures(db, scope, period, {}, 'total'),
      () => hand.handCore(db, associationId, from, to),
    ),
  );
  queryLevel.push(
    await versus(
      'query: income matrix',
      () => incomeMatrix(db, scope, period, {}),
      () => hand.handIncome(db, associationId, from, to),
    ),
  );
  queryLevel.push(
    await versus(
      'query: monthly volumes',
      () => monthlyVolumes(db, scope, period, {}),
      () => hand.handMonthly(db, associationId, from, to),
    ),
  );
  queryLevel.push(
    await versus(
      'query: core figures by age band',
      () => coreFigures(db, scope, period, {}, 'ageBand'),
      () => hand.handCore(db, associationId, from, to, true),
    ),
  );
  if (mismatches.length) log(`MISMATCHES:\n  ${mismatches.slice(0, 20).join('\n  ')}`);
  else log('endpoint figures equal the hand-written SQL');
  return { period: { from, to, dashboardYear: year, today }, figures, queryLevel, mismatches };
}

/** Sequential entry registrations through the API: new synthetic persons in the big association. */
async function registrations(c: Ctx, n: number) {
  const db = c.database.db;
  const interventions = await db
    .selectFrom('interventions')
    .select('id')
    .where('association_id', '=', c.associationId)
    .where('follow_up', '=', 'person')
    .execute();
  const muni = await db
    .selectFrom('members')
    .select('municipality_code')
    .where('association_id', '=', c.associationId)
    .where('type', '=', 'municipality')
    .executeTakeFirstOrThrow();
  const today = todaySweden();
  // Numbers no earlier run used: start after the registrations this benchmark already made.
  const earlier = await db
    .selectFrom('participations')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('association_id', '=', c.associationId)
    .where('consent_ref', '=', 'Bench')
    .executeTakeFirstOrThrow();
  const xs: number[] = [];
  let failures = 0;
  for (let i = 0; i < n + 20; i++) {
    // Distinct synthetic numbers per run: birth days from 1975 on, serial parity by sex.
    const k = 40_000 + earlier.n + i; // runs before this scheme used k < 37,020
    const birth = new Date(Date.UTC(1975, 0, 1 + (k % 9000))).toISOString().slice(0, 10);
    const sex = i % 2 ? 'man' : 'kvinna';
    const body = {
      interventionId: interventions[i % interventions.length]!.id,
      personnummer: syntheticPersonnummer(birth, 2 * Math.floor(k / 9000) + (i % 2), sex),
      entryDate: today,
      municipalityCode: muni.municipality_code!.trim(),
      incomeAtEntry: [{ source: 'social_assistance', extentPct: 100 }],
      consentDate: today,
      consentRef: 'Bench',
    };
    const t = performance.now();
    const res = await c.app.inject({
      method: 'POST',
      url: `/api/associations/${BIG_SLUG}/participations`,
      headers: { cookie: c.admin.cookie, 'x-csrf-token': c.admin.csrf },
      payload: body,
    });
    const ms = performance.now() - t;
    if (res.statusCode !== 201) {
      failures++;
      if (failures <= 3) log(`registration ${i}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      continue;
    }
    if (i >= 20) xs.push(ms);
  }
  const r = { registrations: xs.length, failures, ms: stats(xs), p99: round(quantile(xs, 0.99)) };
  log(`registrations: ${r.registrations} ok, p50 ${r.ms.median} ms, p95 ${r.ms.p95} ms`);
  return r;
}

/** The load tests with the caches off ("cold") and with the defaults ("warm"). */
async function loadTestsColdAndWarm(childEnv: Record<string, string>, backend: 'postgres' | 'pglite') {
  log('load tests, cold (report and session caches off)');
  const cold = await loadTests({ ...childEnv, ...COLD }, backend);
  log('load tests, warm (default caches)');
  const warm = await loadTests(childEnv, backend);
  return { cold, warm };
}

async function loadTests(childEnv: Record<string, string>, backend: 'postgres' | 'pglite') {
  const child = await startChild(childEnv);
  try {
    const admin = await httpLogin(child.url, `admin@${BIG_SLUG}.example.org`);
    const sysadmin = await httpLogin(child.url, 'bench-admin@example.org');
    const year = Number(todaySweden().slice(0, 4));
    const outcomes = `/api/associations/${BIG_SLUG}/reports/outcomes?from=${year - 1}-01-01&to=${year - 1}-12-31`;
    const dashboard = `/api/associations/${BIG_SLUG}/dashboard?year=${year}`;
    const out: Json = {
      sequential: {
        dashboard: await sequential(child.url, dashboard, admin, 30),
        outcomes: await sequential(child.url, outcomes, admin, 30),
      },
      load: [
        await load(child.url, '/api/health', null, 10),
        await load(child.url, '/api/session', admin, 10),
        await load(child.url, `/api/associations/${BIG_SLUG}/goals`, admin, 10),
        await load(child.url, dashboard, admin, 4),
        await load(child.url, outcomes, admin, 4),
      ],
    };
    if (backend === 'postgres') {
      const compare = `/api/reports/compare?from=${year - 1}-01-01&to=${year - 1}-12-31`;
      const probe = await fetch(`${child.url}${compare}`, { headers: { cookie: sysadmin.cookie } });
      await probe.arrayBuffer();
      if (probe.status === 200) {
        (out.sequential as Json).compare = await sequential(child.url, compare, sysadmin, 15);
        (out.load as Json[]).push(await load(child.url, compare, sysadmin, 2));
      } else (out.sequential as Json).compare = { url: compare, missing: `answered ${probe.status}` };
    }
    out.serverPeakRssMb = peakRssMb(child.pid);
    return out;
  } finally {
    await child.stop();
  }
}

async function exportBench(url: string) {
  const out: Json[] = [];
  const db = await openDatabase({ databaseUrl: url });
  // Every row the export writes: one per participation, one per anonymously counted person.
  const n = await db.db
    .selectFrom('participations')
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  const anonymous = await db.db
    .selectFrom('anonymous_participations')
    .select(sql<number>`coalesce(sum(count), 0)::int`.as('n'))
    .executeTakeFirstOrThrow();
  await db.close();
  const rows = n.n + anonymous.n;
  for (const format of ['csv', 'xlsx'] as const) {
    const child = await startChild({ DATABASE_URL: url, SECRET_KEY: BENCH_SECRET_KEY });
    try {
      const s = await httpLogin(child.url, `admin@${EXPORT_SLUG}.example.org`);
      const baseline = peakRssMb(child.pid);
      const loadAtStart = os.loadavg().map((x) => round(x));
      const r = await download(
        child.url,
        `/api/associations/${EXPORT_SLUG}/participations/export?format=${format}`,
        s,
        Number(arg('export-max-seconds', '900')),
      );
      const res = {
        format,
        participations: n.n,
        // An XLSX is compressed: its rows are the ones the database holds; the CSV's are counted.
        rows: format === 'csv' ? r.lines - 1 : rows,
        expectedRows: rows,
        rowsPerSecond: r.complete ? Math.round(rows / r.seconds) : null,
        ...r,
        serverPeakRssMb: peakRssMb(child.pid),
        serverRssBeforeMb: baseline,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: os.loadavg().map((x) => round(x)),
      };
      log(
        `export ${format}: ${res.complete ? 'complete' : 'STOPPED'} after ${res.seconds} s, ${res.rows} rows` +
          `${res.rowsPerSecond ? ` (${res.rowsPerSecond} rows/s)` : ''}, ${res.megabytes} MB, peak RSS ${res.serverPeakRssMb} MB` +
          ` (${res.serverRssBeforeMb} MB before), load ${res.loadAverageAtStart.join(' ')} → ${res.loadAverageAtEnd.join(' ')}`,
      );
      out.push(res);
    } catch (err) {
      log(`export ${format} failed: ${String(err)}`);
      out.push({ format, error: String(err) });
    } finally {
      await child.stop();
    }
  }
  return out;
}

// ---------- main ----------

function machine() {
  return {
    loadAverageAtStart: os.loadavg().map((x) => round(x)),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
  };
}

async function benchPostgres() {
  const url = `${PG_BASE}/${DATABASE}`;
  const exportUrl = `${PG_BASE}/samverka_bench_export`;
  const result: Json = { backend: 'postgres', date: todaySweden(), machine: machine(), scale: SCALE };
  const file = path.join(
    RESULTS,
    `postgres${DATABASE === 'samverka_bench' ? '' : `-${DATABASE}`}${flag('export-only') ? '-export' : ''}.json`,
  );
  const save = () => writeFileSync(file, JSON.stringify(result, null, 2));
  if (flag('registration-only')) {
    const c = await openInProcess('postgres', url);
    try {
      result.registration = await registrations(c, REGISTRATIONS);
    } finally {
      await c.app.close();
      await c.database.close();
    }
    writeFileSync(file.replace(/\.json$/, '-registration.json'), JSON.stringify(result, null, 2));
    return result;
  }
  if (flag('export-only')) {
    result.export = await exportBench(exportUrl);
    save();
    return result;
  }
  if (!flag('skip-generate')) {
    result.generate = await generate({
      target: 'postgres',
      profile: 'national',
      scale: SCALE,
      databaseUrl: url,
      log,
    });
    if (!flag('skip-export'))
      result.generateExport = await generate({
        target: 'postgres',
        profile: 'export',
        scale: SCALE,
        databaseUrl: exportUrl,
        log,
      });
  }
  if (flag('load-only')) {
    ({ warm: result.http, cold: result.httpCold } = await loadTestsColdAndWarm(
      { DATABASE_URL: url, SECRET_KEY: BENCH_SECRET_KEY },
      'postgres',
    ));
    writeFileSync(file.replace(/\.json$/, '-load.json'), JSON.stringify(result, null, 2));
    return result;
  }
  const c = await openInProcess('postgres', url, COLD);
  const v = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(c.database.db);
  result.database = `PostgreSQL ${v.rows[0]!.v}`;
  result.sizes = (
    await sql<Json>`SELECT (SELECT count(*) FROM associations)::int AS associations, (SELECT count(*) FROM persons)::int AS persons,
      (SELECT count(*) FROM participations)::int AS participations, (SELECT count(*) FROM participation_income)::int AS income_rows,
      (SELECT count(*) FROM participations p JOIN associations a ON a.id = p.association_id WHERE a.slug = ${BIG_SLUG})::int AS big_association_participations,
      (SELECT count(*) FROM persons p JOIN associations a ON a.id = p.association_id WHERE a.slug = ${BIG_SLUG})::int AS big_association_persons`.execute(
      c.database.db,
    )
  ).rows[0];
  try {
    result.reports = await reportRatios(c);
    save();
  } finally {
    await c.app.close();
    await c.database.close();
  }
  if (flag('reports-only')) return result;
  ({ warm: result.http, cold: result.httpCold } = await loadTestsColdAndWarm(
    { DATABASE_URL: url, SECRET_KEY: BENCH_SECRET_KEY },
    'postgres',
  ));
  save();
  const c2 = await openInProcess('postgres', url);
  try {
    result.registration = await registrations(c2, REGISTRATIONS);
    save();
  } finally {
    await c2.app.close();
    await c2.database.close();
  }
  if (!flag('skip-export')) {
    result.export = await exportBench(exportUrl);
    save();
  }
  return result;
}

async function benchPglite() {
  const result: Json = { backend: 'pglite', date: todaySweden(), machine: machine(), scale: SCALE };
  const save = () => writeFileSync(path.join(RESULTS, 'pglite.json'), JSON.stringify(result, null, 2));
  if (!flag('skip-generate') || !existsSync(path.join(PGLITE_DIR, 'pgdata')))
    result.generate = await generate({
      target: 'pglite',
      profile: 'single',
      scale: SCALE,
      dataDir: PGLITE_DIR,
      log,
    });
  if (flag('registration-only')) {
    const c = await openInProcess('pglite');
    try {
      result.registration = await registrations(c, REGISTRATIONS);
    } finally {
      await c.app.close();
      await c.database.close();
    }
    writeFileSync(path.join(RESULTS, 'pglite-registration.json'), JSON.stringify(result, null, 2));
    return result;
  }
  if (flag('load-only')) {
    ({ warm: result.http, cold: result.httpCold } = await loadTestsColdAndWarm(
      { DATA_DIR: PGLITE_DIR, SECRET_KEY: BENCH_SECRET_KEY },
      'pglite',
    ));
    writeFileSync(path.join(RESULTS, 'pglite-load.json'), JSON.stringify(result, null, 2));
    return result;
  }
  if (flag('files-only')) {
    const c = await openInProcess('pglite', undefined, COLD);
    try {
      result.files = await reportFiles(c);
    } finally {
      await c.app.close();
      await c.database.close();
    }
    writeFileSync(path.join(RESULTS, 'pglite-files.json'), JSON.stringify(result, null, 2));
    return result;
  }
  const c = await openInProcess('pglite', undefined, COLD);
  const v = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(c.database.db);
  result.database = `PGlite (PostgreSQL ${v.rows[0]!.v}), embedded`;
  result.sizes = (
    await sql<Json>`SELECT (SELECT count(*) FROM persons)::int AS persons, (SELECT count(*) FROM participations)::int AS participations,
      (SELECT count(*) FROM participation_income)::int AS income_rows`.execute(c.database.db)
  ).rows[0];
  try {
    result.reports = await reportRatios(c);
    result.files = await reportFiles(c);
    save();
  } finally {
    await c.app.close();
    await c.database.close();
  }
  if (flag('reports-only')) return result;
  ({ warm: result.http, cold: result.httpCold } = await loadTestsColdAndWarm(
    { DATA_DIR: PGLITE_DIR, SECRET_KEY: BENCH_SECRET_KEY },
    'pglite',
  ));
  save();
  const c2 = await openInProcess('pglite');
  try {
    result.registration = await registrations(c2, REGISTRATIONS);
    save();
  } finally {
    await c2.app.close();
    await c2.database.close();
  }
  return result;
}

/**
 * Report files (issue 4): last year's live figures of the big association as a tagged PDF (age
 * bands; insatser) and as XLSX, end to end through the API with the caches off, interleaved with
 * the JSON of the same figures. File minus JSON is the time spent making the file. The peak RSS
 * is this process's (the app runs in it).
 */
async function reportFiles(c: Ctx): Promise<Json> {
  const year = Number(todaySweden().slice(0, 4)) - 1;
  const q = `from=${year}-01-01&to=${year}-12-31`;
  const base = `/api/associations/${BIG_SLUG}/reports/outcomes`;
  const urls: Record<string, string> = {
    json: `${base}?${q}&breakdown=ageBand`,
    pdfAgeBands: `${base}.pdf?${q}&breakdown=ageBand`,
    pdfInsatser: `${base}.pdf?${q}&breakdown=intervention`,
    xlsxAgeBands: `${base}.xlsx?${q}&breakdown=ageBand`,
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(urls).map((k) => [k, []]));
  const bytes: Record<string, number> = {};
  for (const [k, url] of Object.entries(urls)) bytes[k] = (await get(c.app, c.admin, url)).rawPayload.length;
  for (let i = 0; i < ITER; i++)
    for (const [k, url] of Object.entries(urls)) times[k]!.push(await time(() => get(c.app, c.admin, url)));
  const out: Json = {
    iterations: ITER,
    bytes,
    ms: Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, stats(xs)])),
    fileMinusJsonMedianMs: Object.fromEntries(
      Object.keys(urls)
        .filter((k) => k !== 'json')
        .map((k) => [k, round(quantile(times[k]!, 0.5) - quantile(times.json!, 0.5))]),
    ),
    processPeakRssMb: peakRssMb(process.pid),
  };
  log(`report files: ${JSON.stringify(out.ms)}`);
  return out;
}

/** The load tests and sequential timings, warm (default caches) and cold (caches off). */
function httpSummary(r: Json): string[] {
  const lines: string[] = [];
  for (const [label, key] of [
    ['warm: default caches', 'http'],
    ['cold: report and session caches off', 'httpCold'],
  ] as const) {
    const h = r[key] as
      { sequential: Record<string, Json>; load: Json[]; serverPeakRssMb: number } | undefined;
    if (!h) continue;
    lines.push(
      `| load test (${label}) | connections | req/s | p50 ms | p95 ms | non-2xx | load avg |`,
      '|---|---|---|---|---|---|---|',
    );
    for (const l of h.load) {
      const lat = l.latencyMs as Json;
      lines.push(
        `| ${String(l.url)} | ${String(l.connections)} | ${String(l.reqPerSec)} | ${String(lat.p50)} | ${String(lat.p95)} | ${String(l.non2xx)} | ${String(l.loadAverage1m)} |`,
      );
    }
    lines.push('', `| sequential, one user (${label}) | median ms | p95 ms |`, '|---|---|---|');
    for (const [k, s] of Object.entries(h.sequential))
      lines.push(`| ${k} | ${String(s.median ?? '–')} | ${String(s.p95 ?? s.missing)} |`);
    lines.push('');
  }
  return lines;
}

function summary(results: Json[]): string {
  const lines = [`# Benchmark results (${todaySweden()})`, ''];
  for (const r of results) {
    lines.push(
      `## ${String(r.database ?? r.backend)} — scale ${String(r.scale)}`,
      '',
      '```json',
      JSON.stringify(r.sizes),
      '```',
      '',
    );
    const rep = r.reports as { figures: Json[]; queryLevel: Json[]; mismatches: string[] } | undefined;
    if (!rep) {
      if (r.export) lines.push(`Export: ${JSON.stringify(r.export)}`, '');
      if (r.files) lines.push(`Report files: ${JSON.stringify(r.files)}`, '');
      lines.push(...httpSummary(r));
      continue;
    }
    lines.push('| report | endpoint median (p95) ms | best SQL median ms | ratio |', '|---|---|---|---|');
    for (const f of [...rep.figures, ...rep.queryLevel]) {
      const e = f.endpointMs as Json | undefined;
      const s = f.sqlMs as Json;
      lines.push(
        `| ${String(f.name)} | ${e ? `${String(e.median)} (${String(e.p95)})` : String(f.endpoint)} | ${String(s.median)} | ${String(f.ratio ?? '–')} |`,
      );
    }
    lines.push('', `Mismatches: ${rep.mismatches.length ? rep.mismatches.join('; ') : 'none'}`, '');
    lines.push(...httpSummary(r));
    const reg = r.registration as Json;
    lines.push('', `Entry registration: ${JSON.stringify(reg)}`, '');
    if (r.files) lines.push(`Report files: ${JSON.stringify(r.files)}`, '');
    if (r.export) lines.push(`Export: ${JSON.stringify(r.export)}`, '');
  }
  return lines.join('\n');
}

mkdirSync(RESULTS, { recursive: true });
const all: Json[] = [];
if (ONLY !== 'pglite') {
  all.push(await benchPostgres());
}
if (ONLY !== 'postgres') {
  all.push(await benchPglite());
}
const md = summary(all);
writeFileSync(path.join(RESULTS, `summary-${ONLY ?? 'all'}.md`), md);
console.log(md);
process.exit(0);
