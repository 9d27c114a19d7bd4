/**
 * Assertions shared by the API suites: the error body every 4xx carries, and a snapshot of the
 * database used to prove that a rejected request changed nothing.
 */
import { expect } from 'vitest';
import { sql } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { loadEnv } from '../src/server/env.js';
import type { ErrorCode } from '../src/shared/errors.js';
import { testPnrCipher, type TestApp } from './helpers.js';

/** Every table a request can change. Sessions are compared without their sliding `last_seen_at`. */
const SNAPSHOT_QUERIES = {
  associations: 'SELECT to_jsonb(t) AS r FROM associations t',
  members: 'SELECT to_jsonb(t) AS r FROM members t',
  contribution_years: 'SELECT to_jsonb(t) AS r FROM contribution_years t',
  contribution_shares: 'SELECT to_jsonb(t) AS r FROM contribution_shares t',
  users: 'SELECT to_jsonb(t) AS r FROM users t',
  memberships: 'SELECT to_jsonb(t) AS r FROM memberships t',
  sessions: "SELECT to_jsonb(t) - 'last_seen_at' AS r FROM sessions t",
  login_throttle: 'SELECT to_jsonb(t) AS r FROM login_throttle t',
  audit_log: 'SELECT to_jsonb(t) AS r FROM audit_log t',
} as const;

export type DbSnapshot = Record<keyof typeof SNAPSHOT_QUERIES, string[]>;

/** Every row of every table, as sorted JSON text: equal snapshots mean nothing was written. */
export async function dbSnapshot(t: TestApp): Promise<DbSnapshot> {
  const out = {} as DbSnapshot;
  for (const [table, query] of Object.entries(SNAPSHOT_QUERIES) as [keyof DbSnapshot, string][]) {
    const { rows } = await sql<{ r: unknown }>`${sql.raw(query)}`.execute(t.database.db);
    out[table] = rows.map((row) => JSON.stringify(row.r)).sort();
  }
  return out;
}

/** Row counts per table, for messages that stay readable when a snapshot differs. */
export function counts(s: DbSnapshot): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length]));
}

/** Runs `fn` and asserts that the database is exactly as before. */
export async function expectNoChange<T>(t: TestApp, fn: () => Promise<T>): Promise<T> {
  const before = await dbSnapshot(t);
  const result = await fn();
  const after = await dbSnapshot(t);
  expect(counts(after)).toEqual(counts(before));
  expect(after).toEqual(before);
  return result;
}

export interface ExpectedIssue {
  path: string;
  code?: string;
}

/**
 * Asserts a stable error body: status, code, and (when given) that each expected field issue is
 * present with its path and reason code.
 */
export function expectError(
  res: LightMyRequestResponse,
  status: number,
  code: ErrorCode,
  issues: ExpectedIssue[] = [],
): void {
  expect({ status: res.statusCode, body: res.json() }).toMatchObject({ status, body: { error: { code } } });
  const got = (res.json() as { error: { issues?: ExpectedIssue[] } }).error.issues ?? [];
  for (const issue of issues) expect(got).toContainEqual(expect.objectContaining(issue));
}

/** A second app on the same database with other settings (cookie flags, timeouts, limits). */
export async function appWithEnv(t: TestApp, overrides: Record<string, string>): Promise<FastifyInstance> {
  const env = loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...overrides });
  const app = await buildApp({
    db: t.database.db,
    dbKind: t.database.kind,
    env,
    version: 'test',
    pnr: testPnrCipher,
  });
  await app.ready();
  return app;
}

/** The backend name /api/health must report for the project this suite runs in. */
export function expectedDatabaseKind(): 'pglite' | 'postgresql' {
  return process.env.TEST_DB === 'postgres' ? 'postgresql' : 'pglite';
}
