/**
 * Shared pieces of the participant-register suites: synthetic personnummer, request bodies, a
 * snapshot of every register table (to prove a rejected request wrote nothing) and scans for
 * personnummer in the database and in responses.
 */
import { expect } from 'vitest';
import { sql } from 'kysely';
import { syntheticPersonnummer } from '../src/server/db/seed/demo-participants.js';
import type { ApiClient, TestApp } from './helpers.js';

export type Sex = 'kvinna' | 'man';

/**
 * A synthetic personnummer (serial 980–999, valid check digit). `index` varies the serial, but only
 * ten numbers per birth date and sex are distinct: use `uniquePnr` for many people.
 */
export function pnr(birthDate: string, index: number, sex: Sex): string {
  return syntheticPersonnummer(birthDate, index, sex);
}

const perYear = new Map<number, number>();

/**
 * A synthetic number no other call in this test file returns: each call takes the next birth day
 * of `year` (365 people a year before the serial changes), with the serial's parity giving `sex`.
 */
export function uniquePnr(sex: Sex, year = 1990): string {
  const k = perYear.get(year) ?? 0;
  perYear.set(year, k + 1);
  const birth = new Date(Date.UTC(year, 0, 1 + (k % 365))).toISOString().slice(0, 10);
  return syntheticPersonnummer(birth, 2 * Math.floor(k / 365), sex);
}

/** Every written form of a number: 12 digits, 10 digits, and both with a hyphen. */
export function forms(digits: string): string[] {
  return [
    digits,
    digits.slice(2),
    `${digits.slice(0, 8)}-${digits.slice(8)}`,
    `${digits.slice(2, 8)}-${digits.slice(8)}`,
  ];
}

export const INCOME = [{ source: 'sickness_benefit', extentPct: 100 }];
export const EXIT = {
  exitReason: 'work',
  occupationAfter: 'work',
  incomeAtExit: [{ source: 'salary', extentPct: 100 }],
} as const;

/** A valid entry body; the insats, number and date are the caller's. */
export function entryBody(
  interventionId: string,
  personnummer: string,
  entryDate: string,
  extra: object = {},
) {
  return {
    interventionId,
    personnummer,
    entryDate,
    municipalityCode: '0101',
    incomeAtEntry: INCOME,
    consentDate: entryDate,
    consentRef: 'Blankett 1',
    ...extra,
  };
}

/** Creates an individual, person-level insats through the API and returns its id. */
export async function createInsats(
  client: ApiClient,
  slug: string,
  name: string,
  extra: object = {},
): Promise<string> {
  const res = await client.post(`/api/associations/${slug}/interventions`, {
    name,
    direction: 'individual',
    followUp: 'person',
    ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`create insats ${name}: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** Registers an entry through the API and returns the participation. */
export async function enter(
  client: ApiClient,
  slug: string,
  interventionId: string,
  personnummer: string,
  entryDate: string,
  extra: object = {},
): Promise<{ id: string; isReturner: boolean }> {
  const res = await client.post(
    `/api/associations/${slug}/participations`,
    entryBody(interventionId, personnummer, entryDate, extra),
  );
  if (res.statusCode !== 201) throw new Error(`entry: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; isReturner: boolean };
}

export async function exit(
  client: ApiClient,
  slug: string,
  participationId: string,
  exitDate: string,
  extra: object = {},
) {
  const res = await client.post(`/api/associations/${slug}/participations/${participationId}/exit`, {
    ...EXIT,
    exitDate,
    ...extra,
  });
  if (res.statusCode !== 200) throw new Error(`exit: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string };
}

/** Tables of the register and of the audit log: everything a register request can write. */
export const REGISTER_TABLES = [
  'interventions',
  'intervention_status_history',
  'intervention_target_groups',
  'intervention_users',
  'target_groups',
  'persons',
  'participations',
  'participation_income',
  'participation_target_groups',
  'participation_history',
  'anonymous_participations',
  'referrals',
  'audit_log',
] as const;

export type RegisterSnapshot = Record<(typeof REGISTER_TABLES)[number], string[]>;

export async function registerSnapshot(t: TestApp): Promise<RegisterSnapshot> {
  const out = {} as RegisterSnapshot;
  for (const table of REGISTER_TABLES) {
    const { rows } = await sql<{
      r: string;
    }>`SELECT to_jsonb(t)::text AS r FROM ${sql.table(table)} t`.execute(t.database.db);
    out[table] = rows.map((row) => row.r).sort();
  }
  return out;
}

/** Runs `fn` and asserts that no register table (nor the audit log) changed. */
export async function expectRegisterUnchanged<T>(t: TestApp, fn: () => Promise<T>): Promise<T> {
  const before = await registerSnapshot(t);
  const result = await fn();
  const after = await registerSnapshot(t);
  const count = (s: RegisterSnapshot) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length]));
  expect(count(after)).toEqual(count(before));
  expect(after).toEqual(before);
  return result;
}

/** Every row of every table in the database as JSON text, one entry per table. */
export async function wholeDatabaseText(t: TestApp): Promise<Record<string, string>> {
  const { rows: tables } = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(t.database.db);
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const { rows } = await sql<{
      r: string;
    }>`SELECT to_jsonb(t)::text AS r FROM ${sql.table(name)} t`.execute(t.database.db);
    out[name] = rows.map((r) => r.r).join('\n');
  }
  return out;
}

/** Tables (and the form found) where any of the numbers appears in plain text. */
export async function plainTextOccurrences(t: TestApp, numbers: string[]): Promise<string[]> {
  const db = await wholeDatabaseText(t);
  const found: string[] = [];
  for (const [table, text] of Object.entries(db))
    for (const n of numbers) for (const f of forms(n)) if (text.includes(f)) found.push(`${table}: ${f}`);
  return found;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Anything shaped like a personnummer (8 digits, optional separator, 4 digits) in a response body.
 * UUIDs are removed first: their hex groups can be all digits by chance.
 */
export function personnummerLike(body: string): string[] {
  return body.replace(UUID, '<uuid>').match(/\d{8}[-+]?\d{4}|\d{6}[-+]\d{4}/g) ?? [];
}
