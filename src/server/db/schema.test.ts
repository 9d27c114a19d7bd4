/**
 * The Kysely types in types.ts are written by hand. This test reads them and compares them with the
 * migrated database, so a migration and its types cannot drift apart unnoticed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDb } from '../../../tests/helpers.js';
import type { Database } from './index.js';

interface DeclaredColumn {
  /** The type of the column as selected (first argument of ColumnType/Generated, or the plain type). */
  selectType: string;
}

/** `export interface Name { … }` bodies of types.ts, keyed by interface name. */
function interfaces(source: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of source.matchAll(/export interface (\w+) \{([^}]*)\}/g)) out.set(m[1]!, m[2]!);
  return out;
}

function fields(body: string): Map<string, string> {
  const out = new Map<string, string>();
  const withoutComments = body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const m of withoutComments.matchAll(/^\s*(\w+)\s*:\s*(.+?);\s*$/gm)) out.set(m[1]!, m[2]!.trim());
  return out;
}

/** The select-side type: `Generated<T>` → T, `ColumnType<S, I, U>` → S, `Timestamp` → Date. */
function selectType(type: string): string {
  const generated = /^Generated<(.+)>$/.exec(type);
  if (generated) return selectType(generated[1]!);
  const columnType = /^ColumnType<(.+?),/.exec(type);
  if (columnType) return columnType[1]!.trim();
  if (type === 'Timestamp') return 'Date';
  return type;
}

function declaredSchema(): Map<string, Map<string, DeclaredColumn>> {
  const ifaces = interfaces(TYPES_SOURCE);
  const db = ifaces.get('DB');
  if (!db) throw new Error('types.ts has no DB interface');
  const out = new Map<string, Map<string, DeclaredColumn>>();
  for (const [table, ifaceName] of fields(db)) {
    const body = ifaces.get(ifaceName);
    if (!body) throw new Error(`types.ts: DB.${table} names ${ifaceName}, which is not declared`);
    out.set(table, new Map([...fields(body)].map(([col, type]) => [col, { selectType: selectType(type) }])));
  }
  return out;
}

/** PostgreSQL data types each TypeScript select type may stand for. */
const COMPATIBLE: Record<string, string[]> = {
  string: ['text', 'uuid', 'character', 'character varying', 'bigint', 'numeric'],
  number: ['integer', 'smallint'],
  boolean: ['boolean'],
  Date: ['timestamp with time zone'],
  /** 'YYYY-MM-DD': index.ts keeps `date` columns as strings. */
  DateString: ['date'],
  unknown: ['jsonb', 'json'],
};

const TYPES_SOURCE = readFileSync(new URL('./types.ts', import.meta.url), 'utf8');
/** `type X = Y;` aliases declared in types.ts. */
const LOCAL_ALIASES = new Map(
  [...TYPES_SOURCE.matchAll(/^type (\w+) = (.+);$/gm)].map((m) => [m[1]!, m[2]!.trim()]),
);
/** Names imported from src/shared: the string-literal unions (enums) shared with the client. */
const SHARED_ENUMS = new Set(
  [...TYPES_SOURCE.matchAll(/import type \{([^}]*)\} from '\.\.\/\.\.\/shared\/[^']+';/g)].flatMap((m) =>
    m[1]!
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  ),
);

/** The PostgreSQL types a TypeScript type may map to, or null when the test cannot tell. */
function family(type: string): string[] | null {
  if (COMPATIBLE[type]) return COMPATIBLE[type];
  if (/^'[^']*'$/.test(type)) return ['text'];
  const alias = LOCAL_ALIASES.get(type);
  if (alias) return family(selectType(alias));
  if (SHARED_ENUMS.has(type)) return ['text'];
  return null;
}

let database: Database;
let actual: Map<string, Map<string, { dataType: string; nullable: boolean }>>;

beforeAll(async () => {
  database = await createTestDb();
  const { rows } = await sql<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>`
    SELECT table_name, column_name, data_type, is_nullable
    FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_migration%'
  `.execute(database.db);
  actual = new Map();
  for (const r of rows) {
    if (!actual.has(r.table_name)) actual.set(r.table_name, new Map());
    actual
      .get(r.table_name)!
      .set(r.column_name, { dataType: r.data_type, nullable: r.is_nullable === 'YES' });
  }
});
afterAll(() => database.close());

describe('Kysely types against the migrated database', () => {
  it('parses a DB interface with every table', () => {
    // Guards the parser itself: an empty parse would make the tests below pass vacuously.
    const declared = declaredSchema();
    expect(declared.size).toBeGreaterThanOrEqual(9);
    expect([...declared.get('members')!.keys()]).toEqual(
      expect.arrayContaining(['association_id', 'id', 'type', 'name', 'municipality_code', 'created_at']),
    );
  });

  it('every declared table and column exists in information_schema', () => {
    const missing: string[] = [];
    for (const [table, cols] of declaredSchema()) {
      for (const col of cols.keys()) if (!actual.get(table)?.has(col)) missing.push(`${table}.${col}`);
    }
    expect(missing).toEqual([]);
  });

  it('every table and column of the database is declared', () => {
    const declared = declaredSchema();
    const undeclared: string[] = [];
    for (const [table, cols] of actual) {
      for (const col of cols.keys()) if (!declared.get(table)?.has(col)) undeclared.push(`${table}.${col}`);
    }
    expect(undeclared).toEqual([]);
  });

  it('nullability and type family agree', () => {
    const mismatches: string[] = [];
    for (const [table, cols] of declaredSchema()) {
      for (const [col, { selectType: type }] of cols) {
        const db = actual.get(table)?.get(col);
        if (!db) continue;
        const parts = type.split('|').map((p) => p.trim());
        const declaredNullable = parts.includes('null');
        const base = parts.filter((p) => p !== 'null');
        // `unknown` (jsonb) says nothing about null; everything else must match exactly.
        if (type !== 'unknown' && declaredNullable !== db.nullable)
          mismatches.push(`${table}.${col}: declared ${type}, database nullable=${db.nullable}`);
        for (const b of base) {
          const allowed = family(b);
          if (!allowed) mismatches.push(`${table}.${col}: no mapping for TypeScript type ${b}`);
          else if (!allowed.includes(db.dataType))
            mismatches.push(`${table}.${col}: declared ${b}, database ${db.dataType}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
