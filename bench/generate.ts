/**
 * Synthetic register data for the benchmarks, loaded fast with COPY.
 *
 *   npx tsx bench/generate.ts --target postgres [--scale 1] [--profile national|single|export]
 *                             [--database-url postgres://postgres@127.0.0.1:5432/samverka_bench]
 *   npx tsx bench/generate.ts --target pglite --profile single [--data-dir .tmp/bench-pglite]
 *
 * Profiles (sizes are multiplied by --scale):
 *   national  80 associations, 1,000,000 persons, about 3,000,000 participations; the association
 *             `bench-stor` has 20,000 persons (the dashboard target's size).
 *   single    only `bench-stor` with 20,000 persons (for the embedded database).
 *   export    one association `bench-export` with about 1,000,000 participations and real encrypted
 *             personnummer (the export decrypts them), for the export benchmark.
 *
 * Distributions: sex 55 % kvinna; age at first entry 16–64 skewed young; 1–10 participations per
 * person (mean ≈ 3) over 2012–2026; durations 30–700 days (median ≈ 200); about 35 % of exits to
 * work or studies; income sources per domain.md §4 with a second source for a fifth; ~5 %
 * returners (entry within 365 days of an earlier exit); 1 % of exits felregistrering; a few
 * anonymous counts per insats and year; 4–12 insatser per association.
 *
 * Persons get fake pnr_hash/pnr_enc strings (the benchmarks measure reports, not crypto) except in
 * the export profile. Rows are generated as CSV and streamed with COPY FROM STDIN (PostgreSQL, via
 * pg-copy-streams) or COPY FROM '/dev/blob' in chunks (PGlite). Foreign-key triggers are off during
 * the load (session_replication_role = replica); the generator writes consistent rows, and CHECK
 * constraints and unique indexes still apply.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from '../src/server/db/types.js';
import { migrateToLatest } from '../src/server/db/migrate.js';
import { hashPassword } from '../src/server/auth/password.js';
import { createPnrCipher } from '../src/server/crypto/pnr.js';
import { personnummerCheckDigit } from '../src/shared/personnummer.js';
import type { IncomeSource } from '../src/shared/participants.js';
import {
  entryIncomeSummary,
  exitIncomeSummary,
  type IncomeLine,
} from '../src/server/modules/participants/income-summary.js';

pg.types.setTypeParser(1082, (v: string) => v);

export const BENCH_PASSWORD = 'Bench-Losenord-123';
export const BIG_SLUG = 'bench-stor';
export const EXPORT_SLUG = 'bench-export';
/** The key the export profile encrypts personnummer with; run.ts starts the server with it. */
export const BENCH_SECRET_KEY = Buffer.alloc(32, 42).toString('base64');
export const DEFAULT_PG_BASE = 'postgres://postgres@127.0.0.1:5432';
const TODAY = '2026-11-28';

export type Profile = 'national' | 'single' | 'export';
export interface GenerateOptions {
  target: 'postgres' | 'pglite';
  profile: Profile;
  scale: number;
  databaseUrl?: string;
  dataDir?: string;
  seed?: number;
  log?: (msg: string) => void;
}
export interface GenerateResult {
  associations: number;
  persons: number;
  participations: number;
  income: number;
  anonymous: number;
  seconds: number;
  bigAssociation: { slug: string; persons: number; participations: number };
}

// ---------- randomness and dates ----------

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rand = () => number;
function weighted<T>(r: Rand, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1]![0];
}

const DAY0 = Date.UTC(1940, 0, 1) / 86_400_000;
const dayCache: string[] = [];
/** Day number (days since 1970-01-01) → 'YYYY-MM-DD', cached: formatting dates dominates otherwise. */
function ymd(day: number): string {
  const i = day - DAY0;
  return (dayCache[i] ??= new Date(day * 86_400_000).toISOString().slice(0, 10));
}
const dayOf = (s: string) => Date.parse(`${s}T00:00:00Z`) / 86_400_000;
const yearOf = (day: number) => Number(ymd(day).slice(0, 4));

/**
 * The k-th synthetic number of a birth year and sex, all distinct: day of year, then the ten
 * serials 980–999 of that sex (the tax agency's test range), then the same as samordningsnummer
 * (day + 60): 7,300 per year and sex. A full year moves to the year before.
 */
export function uniquePnr(used: Map<string, number>, birthYear: number, sex: 'kvinna' | 'man'): string {
  for (let y = birthYear; ; y--) {
    const key = `${y}:${sex}`;
    const k = used.get(key) ?? 0;
    if (k >= 7300) continue;
    used.set(key, k + 1);
    const [, mm, dd] = ymd(dayOf(`${y}-01-01`) + (k % 365)).split('-');
    const serial = 980 + 2 * (Math.floor(k / 365) % 10) + (sex === 'man' ? 1 : 0);
    const day = Number(dd) + (k >= 3650 ? 60 : 0);
    const first11 = `${y}${mm}${String(day).padStart(2, '0')}${serial}`;
    return `${first11}${personnummerCheckDigit(first11)}`;
  }
}

// ---------- distributions (domain.md §4, §5) ----------

const ENTRY_INCOME: readonly (readonly [string, number])[] = [
  ['social_assistance', 24],
  ['sickness_benefit', 14],
  ['activity_compensation', 12],
  ['activity_support', 12],
  ['sickness_compensation', 8],
  ['unemployment_insurance', 6],
  ['establishment_benefit', 4],
  ['rehabilitation_benefit', 3],
  ['none', 5],
  ['salary', 3],
  ['student_aid', 2],
  ['other', 2],
  ['unknown', 5],
];
const SECOND_INCOME = ['salary', 'social_assistance', 'activity_support', 'sickness_benefit', 'other'];
const OCCUPATION: readonly (readonly [string, number])[] = [
  ['work', 24],
  ['studies', 11],
  ['job_seeking', 30],
  ['other', 35],
];
const OTHER_EXIT_REASONS = ['other_actor', 'health', 'moved', 'own_request', 'completed', 'other'];
const EDUCATION: readonly (readonly [string | null, number])[] = [
  ['primary', 30],
  ['secondary', 40],
  ['post_secondary_short', 8],
  ['post_secondary_long', 7],
  ['unknown', 10],
  [null, 5],
];
const INSATS_NAMES = [
  'Unga vuxna-plattformen',
  'Vuxenplattformen',
  'Primärvårdsteamet',
  'Jobbspåret',
  'Steg framåt',
  'Arbetsträning i samverkan',
  'Hälsospåret',
  'IPS-teamet',
  'Studiemotivation',
  'Individstöd Nord',
  'Individstöd Syd',
  'Kvinnors väg till arbete',
];
const TARGET_GROUPS = [
  'Unga 16–29 med aktivitetsersättning',
  'Långvarigt bidrags- och/eller ersättningsberoende',
  'Sjukskrivna utan anställning',
  'Nyanlända',
];

/** Age at first entry: 16–64, skewed young (half under 30). */
function ageAtEntry(r: Rand): number {
  const x = r();
  if (x < 0.5) return 16 + Math.floor(r() * 14);
  if (x < 0.8) return 30 + Math.floor(r() * 20);
  return 50 + Math.floor(r() * 15);
}
/** Days in insats: 30–700, log-uniform-ish around a median of ~200. */
function duration(r: Rand): number {
  return Math.min(
    700,
    Math.max(30, Math.round(Math.exp(Math.log(30) + (r() + r()) * 0.5 * Math.log(700 / 30)) * 1.35)),
  );
}
/** Participations of one person: 1–10, mean ≈ 3 before truncation at today. */
function participationCount(r: Rand): number {
  let n = 1;
  while (n < 10 && r() < 0.8) n++;
  return n;
}

// ---------- CSV sinks ----------

function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  return /[",\n\r]/.test(v) || v === '' ? `"${v.replace(/"/g, '""')}"` : v;
}

interface Sink {
  row(fields: (string | number | boolean | null)[]): Promise<void> | void;
  end(): Promise<void>;
  count: number;
}

interface Loader {
  sink(table: string, columns: string[]): Promise<Sink>;
  db: Kysely<DB>;
  close(): Promise<void>;
}

async function postgresLoader(url: string): Promise<Loader> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const clients: pg.PoolClient[] = [];
  return {
    db,
    async sink(table, columns) {
      const client = await pool.connect();
      clients.push(client);
      await client.query('SET session_replication_role = replica');
      const stream = client.query(
        copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv)`),
      ) as Writable;
      const done = new Promise<void>((resolve, reject) => {
        stream.on('finish', resolve);
        stream.on('error', reject);
      });
      let buf: string[] = [];
      const flush = () => {
        const ok = stream.write(buf.join(''));
        buf = [];
        return ok ? undefined : new Promise<void>((resolve) => stream.once('drain', resolve));
      };
      const sink: Sink = {
        count: 0,
        row(fields) {
          sink.count++;
          buf.push(fields.map(csvField).join(',') + '\n');
          if (buf.length >= 2000) return flush();
        },
        async end() {
          if (buf.length) await flush();
          stream.end();
          await done;
          await client.query('SET session_replication_role = DEFAULT');
          client.release();
        },
      };
      return sink;
    },
    close: () => db.destroy(),
  };
}

async function pgliteLoader(pglite: PGlite): Promise<Loader> {
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  // One connection: COPY chunks go one table at a time through PGlite's own query API.
  let chain = Promise.resolve();
  const CHUNK = 20_000;
  return {
    db,
    async sink(table, columns) {
      let buf: string[] = [];
      const flush = () => {
        const blob = new Blob([buf.join('')]);
        buf = [];
        chain = chain.then(async () => {
          await pglite.exec('SET session_replication_role = replica');
          await pglite.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
            blob,
          });
          await pglite.exec('SET session_replication_role = DEFAULT');
        });
        return chain;
      };
      const sink: Sink = {
        count: 0,
        row(fields) {
          sink.count++;
          buf.push(fields.map(csvField).join(',') + '\n');
          if (buf.length >= CHUNK) return flush();
        },
        async end() {
          if (buf.length) await flush();
          await chain;
        },
      };
      return sink;
    },
    close: () => db.destroy(),
  };
}

// ---------- reference data ----------

interface AssociationPlan {
  slug: string;
  name: string;
  persons: number;
}

function planAssociations(profile: Profile, scale: number, r: Rand): AssociationPlan[] {
  if (profile === 'single')
    return [{ slug: BIG_SLUG, name: 'Samordningsförbundet Bench Stor', persons: Math.round(20_000 * scale) }];
  if (profile === 'export')
    // ~2.9 participations per person after truncation: persons for about 1,000,000 rows.
    return [
      { slug: EXPORT_SLUG, name: 'Samordningsförbundet Bench Export', persons: Math.round(351_000 * scale) },
    ];
  const total = Math.round(1_000_000 * scale);
  const big = Math.round(20_000 * scale);
  // 79 others share the rest, sized 0.3–1.5× the mean (a few small förbund, some large).
  const weights = Array.from({ length: 79 }, () => 0.3 + r() * 1.2);
  const sum = weights.reduce((a, b) => a + b, 0);
  const plans: AssociationPlan[] = [
    { slug: BIG_SLUG, name: 'Samordningsförbundet Bench Stor', persons: big },
  ];
  weights.forEach((w, i) =>
    plans.push({
      slug: `bench-${String(i + 1).padStart(2, '0')}`,
      name: `Samordningsförbundet Bench ${i + 1}`,
      persons: Math.max(50, Math.round(((total - big) * w) / sum)),
    }),
  );
  return plans;
}

interface AssocRefs {
  id: string;
  slug: string;
  municipalities: string[];
  memberIds: string[];
  interventions: string[];
  targetGroups: string[];
}

/** Associations, members, target groups, insatser, users and goals: few rows, plain inserts. */
async function createReferenceData(db: Kysely<DB>, plans: AssociationPlan[], r: Rand): Promise<AssocRefs[]> {
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const refs: AssocRefs[] = [];
  await db
    .insertInto('users')
    .values({
      email: 'bench-admin@example.org',
      name: 'Bench systemadmin',
      password_hash: passwordHash,
      is_system_admin: true,
    })
    .execute();
  for (const [k, plan] of plans.entries()) {
    const a = await db
      .insertInto('associations')
      .values({ slug: plan.slug, name: plan.name })
      .returning('id')
      .executeTakeFirstOrThrow();
    const nMunicipalities = 2 + Math.floor(r() * 5);
    const municipalities = Array.from({ length: nMunicipalities }, (_, j) =>
      String(1000 + ((k * 7 + j) % 9000)).padStart(4, '0'),
    );
    const members = await db
      .insertInto('members')
      .values([
        { association_id: a.id, type: 'fk' as const, name: 'Försäkringskassan', municipality_code: null },
        { association_id: a.id, type: 'af' as const, name: 'Arbetsförmedlingen', municipality_code: null },
        { association_id: a.id, type: 'region' as const, name: `Region ${k}`, municipality_code: null },
        ...municipalities.map((code) => ({
          association_id: a.id,
          type: 'municipality' as const,
          name: `Kommun ${code}`,
          municipality_code: code,
        })),
      ])
      .returning('id')
      .execute();
    const groups = await db
      .insertInto('target_groups')
      .values(TARGET_GROUPS.map((name) => ({ association_id: a.id, name })))
      .returning('id')
      .execute();
    const nInsatser = plan.slug === BIG_SLUG ? 10 : 4 + Math.floor(r() * 9);
    const interventions = await db
      .insertInto('interventions')
      .values(
        INSATS_NAMES.slice(0, nInsatser).map((name, j) => ({
          association_id: a.id,
          name,
          direction: 'individual',
          follow_up: 'person',
          status: 'running',
          start_date: '2012-01-01',
          organiser_member_id: members[j % members.length]!.id,
          planned_participants: 50 + Math.floor(r() * 200),
        })),
      )
      .returning('id')
      .execute();
    // A structural insats too: reports must skip it gracefully.
    await db
      .insertInto('interventions')
      .values({
        association_id: a.id,
        name: 'Kunskapsdialoger',
        direction: 'structural',
        follow_up: 'count',
        status: 'running',
      })
      .execute();
    const user = await db
      .insertInto('users')
      .values({
        email: `admin@${plan.slug}.example.org`,
        name: `Admin ${plan.slug}`,
        password_hash: passwordHash,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('memberships')
      .values({ association_id: a.id, user_id: user.id, role: 'association_admin' })
      .execute();
    // The seeds' goals (004 §8, 000): 40 % to work or studies per tertial, at least the national
    // average per year, and 40 people into the insatser per year.
    await db
      .insertInto('goals')
      .values([
        {
          association_id: a.id,
          name: '40 % till arbete eller studier',
          definition: JSON.stringify({ kind: 'register', figure: 'shareToWorkOrStudies', filter: {} }),
          period_type: 'tertial',
          comparator: '>=',
          target: 0.4,
          valid_from_year: 2016,
        },
        {
          association_id: a.id,
          name: 'Minst rikssnittet till arbete eller studier',
          definition: JSON.stringify({ kind: 'register', figure: 'shareToWorkOrStudies', filter: {} }),
          period_type: 'year',
          comparator: '>=',
          target: 0.3,
          reference: JSON.stringify({
            label: 'Rikssnitt',
            values: { '2024': 0.34, '2025': 0.34, '2026': 0.34 },
          }),
          valid_from_year: 2016,
        },
        {
          association_id: a.id,
          name: '40 personer i insatserna',
          definition: JSON.stringify({ kind: 'register', figure: 'entries', filter: {} }),
          period_type: 'year',
          comparator: '>=',
          target: 40,
          valid_from_year: 2016,
        },
      ])
      .execute();
    refs.push({
      id: a.id,
      slug: plan.slug,
      municipalities,
      memberIds: members.map((m) => m.id),
      interventions: interventions.map((i) => i.id),
      targetGroups: groups.map((g) => g.id),
    });
  }
  return refs;
}

// ---------- the bulk rows ----------

const PERSON_COLS = ['association_id', 'id', 'pnr_hash', 'pnr_enc', 'sex', 'birth_year'];
const PARTICIPATION_COLS = [
  'association_id',
  'id',
  'intervention_id',
  'person_id',
  'entry_date',
  'exit_date',
  'municipality_code',
  'support_months',
  'education_level',
  'referring_member_id',
  'consent_date',
  'consent_ref',
  'exit_reason',
  'occupation_after',
  'is_returner',
  'sex',
  // The stored income summary (migration 0007), from the same lines as participation_income.
  'entry_income_group',
  'public_support_at_entry',
  'exit_income_group',
  'self_supporting_at_exit',
];
const INCOME_COLS = ['association_id', 'participation_id', 'phase', 'source', 'extent_pct'];
const TG_COLS = ['association_id', 'participation_id', 'target_group_id'];
const ANON_COLS = ['association_id', 'intervention_id', 'year', 'exit_year', 'sex', 'count', 'source'];

export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const started = performance.now();
  const r = rng(opts.seed ?? 20261128);
  let loader: Loader;
  let pglite: PGlite | undefined;
  if (opts.target === 'postgres') {
    const url = opts.databaseUrl ?? `${DEFAULT_PG_BASE}/samverka_bench`;
    const u = new URL(url);
    const name = u.pathname.slice(1);
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
    const adminUrl = new URL(url);
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    loader = await postgresLoader(url);
  } else {
    const dir = path.resolve(opts.dataDir ?? '.tmp/bench-pglite');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'pgdata'), { recursive: true });
    pglite = new PGlite({ dataDir: path.join(dir, 'pgdata') });
    await pglite.waitReady;
    loader = await pgliteLoader(pglite);
  }
  const { db } = loader;
  await migrateToLatest(db);
  log(`migrated (${((performance.now() - started) / 1000).toFixed(1)} s)`);

  const plans = planAssociations(opts.profile, opts.scale, r);
  const refs = await createReferenceData(db, plans, r);
  log(`${refs.length} associations with members, insatser, users and goals`);

  const cipher = opts.profile === 'export' ? createPnrCipher(Buffer.from(BENCH_SECRET_KEY, 'base64')) : null;
  const persons = await loader.sink('persons', PERSON_COLS);
  const parts = await loader.sink('participations', PARTICIPATION_COLS);
  const income = await loader.sink('participation_income', INCOME_COLS);
  const tgs = await loader.sink('participation_target_groups', TG_COLS);
  const anon = await loader.sink('anonymous_participations', ANON_COLS);

  const today = dayOf(TODAY);
  const firstDay = dayOf('2012-01-01');
  const span = dayOf('2026-10-31') - firstDay;
  let hashCounter = 0;
  let bigParticipations = 0;
  const fakeEnc = 'v1.' + Buffer.alloc(40, 7).toString('base64');

  for (const [k, plan] of plans.entries()) {
    const a = refs[k]!;
    const usedPerYear = new Map<string, number>();
    const before = parts.count;
    for (let n = 0; n < plan.persons; n++) {
      const personId = randomUUID();
      const sex = r() < 0.55 ? 'kvinna' : 'man';
      // The first entry falls anywhere in 2012–2026, weighted towards recent years.
      let entry = firstDay + Math.floor(r() * span);
      const age = ageAtEntry(r);
      const birthYear = yearOf(entry) - age;
      let pnrHash: string;
      let pnrEnc: string;
      if (cipher) {
        const digits = uniquePnr(usedPerYear, birthYear, sex);
        pnrHash = cipher.lookupHash(a.id, digits);
        pnrEnc = cipher.encrypt(digits);
      } else {
        pnrHash = `bench${(hashCounter++).toString(36)}`;
        pnrEnc = fakeEnc;
      }
      const pw = persons.row([a.id, personId, pnrHash, pnrEnc, sex, birthYear]);
      if (pw) await pw;

      const count = participationCount(r);
      let lastExit: number | null = null;
      const municipality =
        r() < 0.05 ? 'other' : a.municipalities[Math.floor(r() * a.municipalities.length)]!;
      for (let j = 0; j < count && entry <= today; j++) {
        const id = randomUUID();
        const intervention = a.interventions[Math.floor(r() * a.interventions.length)]!;
        const days = duration(r);
        let exit: number | null = entry + days;
        if (exit > today) exit = null;
        let exitReason: string | null = null;
        let occupation: string | null = null;
        if (exit !== null) {
          if (r() < 0.01) exitReason = 'registration_error';
          else {
            occupation = weighted(r, OCCUPATION);
            exitReason =
              occupation === 'other'
                ? OTHER_EXIT_REASONS[Math.floor(r() * OTHER_EXIT_REASONS.length)]!
                : occupation === 'job_seeking' && r() < 0.3
                  ? 'completed'
                  : occupation;
          }
        }
        const returner = lastExit !== null && entry - lastExit <= 365;
        const entryDate = ymd(entry);
        const row: (string | number | boolean | null)[] = [
          a.id,
          id,
          intervention,
          personId,
          entryDate,
          exit === null ? null : ymd(exit),
          municipality,
          r() < 0.8 ? Math.floor(r() * 120) : null,
          weighted(r, EDUCATION),
          r() < 0.7 ? a.memberIds[Math.floor(r() * a.memberIds.length)]! : null,
          entryDate,
          'Samtycke',
          exitReason,
          occupation,
          returner,
          sex,
        ];
        // Income at entry: one main source, a second one for a fifth of participants.
        const entryLines: IncomeLine[] = [];
        const exitLines: IncomeLine[] = [];
        const line = (source: string, extentPct: number) => ({ source: source as IncomeSource, extentPct });
        const main = weighted(r, ENTRY_INCOME);
        if (r() < 0.2) {
          let second = SECOND_INCOME[Math.floor(r() * SECOND_INCOME.length)]!;
          if (second === main) second = main === 'salary' ? 'other' : 'salary';
          const share = r() < 0.5 ? 50 : 75;
          entryLines.push(line(main, share), line(second, 100 - share));
        } else entryLines.push(line(main, 100));
        if (exit !== null && exitReason !== 'registration_error') {
          const out =
            occupation === 'work'
              ? 'salary'
              : occupation === 'studies'
                ? 'student_aid'
                : occupation === 'job_seeking'
                  ? (['activity_support', 'unemployment_insurance', 'social_assistance'] as const)[
                      Math.floor(r() * 3)
                    ]!
                  : r() < 0.6
                    ? main
                    : 'unknown';
          if (occupation === 'work' && r() < 0.25 && main !== 'salary')
            exitLines.push(line('salary', 50), line(main, 50));
          else exitLines.push(line(out, 100));
        }
        const inSummary = entryIncomeSummary(entryLines);
        const outSummary = exitIncomeSummary(exitLines);
        row.push(
          inSummary.entry_income_group,
          inSummary.public_support_at_entry,
          outSummary.exit_income_group,
          outSummary.self_supporting_at_exit,
        );
        const w = parts.row(row);
        if (w) await w;
        for (const l of entryLines) await income.row([a.id, id, 'entry', l.source, l.extentPct]);
        for (const l of exitLines) await income.row([a.id, id, 'exit', l.source, l.extentPct]);
        if (r() < 0.3) await tgs.row([a.id, id, a.targetGroups[Math.floor(r() * a.targetGroups.length)]!]);
        if (exit === null) break; // ongoing: no later participation
        lastExit = exit;
        // Next entry: ~7.5 % within the return window (≈5 % of all entries are returns).
        entry = exit + (r() < 0.075 ? 14 + Math.floor(r() * 350) : 366 + Math.floor(r() * 300));
      }
    }
    if (k === 0) bigParticipations = parts.count - before;
    // A few anonymous counts per insats and year (no consent / protected identity).
    for (const intervention of a.interventions)
      for (let year = 2016; year <= 2026; year++)
        if (r() < 0.5)
          await anon.row([
            a.id,
            intervention,
            year,
            r() < 0.6 && year < 2026 ? year + (r() < 0.5 ? 0 : 1) : null,
            r() < 0.55 ? 'kvinna' : 'man',
            1 + Math.floor(r() * 4),
            'registered',
          ]);
    if ((k + 1) % 10 === 0 || k === plans.length - 1)
      log(
        `${k + 1}/${plans.length} associations, ${persons.count} persons, ${parts.count} participations (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
  await Promise.all([persons.end(), parts.end(), income.end(), tgs.end(), anon.end()]);
  log(`loaded; analyzing (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  await sql`VACUUM ANALYZE`.execute(db);
  const result: GenerateResult = {
    associations: refs.length,
    persons: persons.count,
    participations: parts.count,
    income: income.count,
    anonymous: anon.count,
    seconds: (performance.now() - started) / 1000,
    bigAssociation: { slug: plans[0]!.slug, persons: plans[0]!.persons, participations: bigParticipations },
  };
  await loader.close();
  if (pglite) await pglite.close();
  log(`done in ${result.seconds.toFixed(1)} s: ${JSON.stringify(result)}`);
  return result;
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = arg('target', 'postgres') as 'postgres' | 'pglite';
  const profile = arg('profile', target === 'pglite' ? 'single' : 'national') as Profile;
  const res = await generate({
    target,
    profile,
    scale: Number(arg('scale', '1')),
    databaseUrl: arg('database-url'),
    dataDir: arg('data-dir'),
  });
  console.log(JSON.stringify(res));
}
