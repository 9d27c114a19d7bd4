/** Which tables a query writes, as the write watch reads them from Kysely's operation nodes. */
import { describe, expect, it } from 'vitest';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type RawBuilder,
  type RootOperationNode,
} from 'kysely';
import type { DB } from './types.js';
import { writtenTables, WriteWatch, writeWatchOf } from './write-watch.js';

// Builds queries without a database.
const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
const node = (q: { toOperationNode(): unknown }) => q.toOperationNode() as RootOperationNode;
const raw = (q: RawBuilder<unknown>) => q.toOperationNode();

describe('writtenTables', () => {
  it('names the target of builder writes, and nothing for reads', () => {
    expect(writtenTables(node(db.selectFrom('users').selectAll()))).toEqual([]);
    expect(writtenTables(node(db.insertInto('sessions').values({} as never)))).toEqual(['sessions']);
    expect(writtenTables(node(db.updateTable('users as u').set({ name: 'x' })))).toEqual(['users']);
    expect(writtenTables(node(db.deleteFrom('memberships').where('role', '=', 'board')))).toEqual([
      'memberships',
    ]);
  });

  it('sees writes in a CTE of a read', () => {
    const q = db
      .with('gone', (w) => w.deleteFrom('sessions').returning('user_id'))
      .selectFrom('gone')
      .selectAll();
    expect(writtenTables(node(q))).toEqual(['sessions']);
  });

  it('reads the target of raw SQL writes, and reports an unreadable one as *', () => {
    expect(writtenTables(raw(sql`UPDATE users SET name = ${'x'}`))).toEqual(['users']);
    expect(writtenTables(raw(sql`delete from "sessions" where id = ${'a'}`))).toEqual(['sessions']);
    expect(writtenTables(raw(sql`INSERT INTO ${sql.table('memberships')} VALUES (1)`))).toEqual([
      'memberships',
    ]);
    expect(writtenTables(raw(sql`UPDATE ${sql.raw('users')} SET x = 1`))).toEqual(['users']);
    expect(writtenTables(raw(sql`DELETE FROM ${sql.id('sessions')}`))).toEqual(['sessions']);
    expect(writtenTables(raw(sql`DELETE FROM ${'sessions'}`))).toEqual(['*']);
    // A nested query inside raw SQL.
    const inner = db.deleteFrom('users').where('name', '=', 'x');
    expect(writtenTables(raw(sql`WITH d AS (${inner}) SELECT 1`))).toEqual(['users']);
    expect(writtenTables(raw(sql`SELECT * FROM users WHERE id = ${'x'}`))).toEqual([]);
  });
});

describe('WriteWatch', () => {
  it('tells its listeners before the query runs, and is found from a transaction too', () => {
    const watch = new WriteWatch();
    const watched = db.withPlugin(watch);
    const seen: string[] = [];
    const stop = watch.subscribe((t) => seen.push(t));
    watched.updateTable('users').set({ name: 'x' }).compile();
    watched.selectFrom('users').selectAll().compile();
    expect(seen).toEqual(['users']);
    stop();
    watched.deleteFrom('sessions').compile();
    expect(seen).toEqual(['users']);
    expect(writeWatchOf(watched as Kysely<unknown>)).toBe(watch);
    expect(writeWatchOf(db as Kysely<unknown>)).toBeNull();
  });
});
