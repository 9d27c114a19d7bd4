/**
 * Database factory: one Kysely instance over pg.Pool, backed either by a PostgreSQL server
 * (DATABASE_URL) or by embedded PGlite in a data directory. Same dialect, same migrations.
 */
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import type { DB } from './types.js';
import { WriteWatch, writeWatchOf } from './write-watch.js';

// `date` columns stay 'YYYY-MM-DD' strings: pg would otherwise build a local-midnight Date,
// one day off under TZ=Europe/Stockholm. bigint (int8) stays a string; mappers convert.
pg.types.setTypeParser(1082, (v: string) => v);

export type DatabaseKind = 'pglite' | 'postgresql';

export interface Database {
  db: Kysely<DB>;
  kind: DatabaseKind;
  close(): Promise<void>;
  /** Embedded only: a snapshot of the data directory (tests, same-version backups). */
  dumpDataDir?: () => Promise<Blob>;
}

/** A WriteWatch on the database that carries its kind (see databaseKindOf). */
function watchOf(kind: DatabaseKind): WriteWatch {
  const watch = new WriteWatch();
  watch.attachments.set('databaseKind', kind);
  return watch;
}

/**
 * The kind of database a Kysely instance, or a transaction on it, was opened on by openDatabase;
 * null for any other instance. For code whose statements differ by backend (the reports set
 * PostgreSQL's JIT off, which PGlite does not have).
 */
export function databaseKindOf<T>(db: Kysely<T>): DatabaseKind | null {
  const watch = writeWatchOf(db as unknown as Kysely<unknown>);
  return (watch?.attachments.get('databaseKind') as DatabaseKind | undefined) ?? null;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Embedded data directory; ignored when databaseUrl is set. */
  dataDir?: string;
  /** Embedded: start from a dumped data dir (tests). */
  loadDataDir?: Blob;
  /** Embedded: skip the lock file (in-memory test databases). */
  inMemory?: boolean;
  poolSize?: number;
  /** Embedded: PostgreSQL's shared_buffers, e.g. '16MB' (EMBEDDED_SHARED_BUFFERS). */
  sharedBuffers?: string | undefined;
}

/**
 * PGlite's own default is 128MB, all of it touched at start, in the one process that also serves
 * HTTP. 16MB holds the hot indexes of a förbund of 20,000 persons (the report index and the
 * persons' index are a few MB); the rest is read from the operating system's page cache. It
 * keeps a 100,000-row import under 500 MB (docs/performance.md).
 */
export const DEFAULT_EMBEDDED_SHARED_BUFFERS = '16MB';

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // Fail fast with a clear message when the server is unreachable.
    const client = await pool.connect();
    client.release();
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [watchOf('postgresql')] });
    return { db, kind: 'postgresql', close: () => db.destroy() };
  }

  let release = () => {};
  let pglite: PGlite;
  const startParams = [
    ...PGlite.defaultStartParams,
    '-c',
    `shared_buffers=${opts.sharedBuffers ?? DEFAULT_EMBEDDED_SHARED_BUFFERS}`,
    // A new WAL segment is created without writing 16 MB of zeros first (PostgreSQL's option for
    // file systems where that buys nothing; PGlite runs without fsync anyway). A 100,000-row
    // import creates about 14 segments (docs/performance.md).
    '-c',
    'wal_init_zero=off',
  ];
  if (opts.inMemory) {
    pglite = new PGlite({ loadDataDir: opts.loadDataDir, startParams });
  } else {
    const dir = path.resolve(opts.dataDir ?? './data');
    const pgdir = path.join(dir, 'pgdata');
    mkdirSync(pgdir, { recursive: true });
    release = acquireLock(path.join(dir, 'samverka.lock'));
    pglite = new PGlite({ dataDir: pgdir, loadDataDir: opts.loadDataDir, startParams });
  }
  await pglite.waitReady;
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [watchOf('pglite')] });
  return {
    db,
    kind: 'pglite',
    dumpDataDir: () => pglite.dumpDataDir('none'),
    close: async () => {
      await db.destroy();
      await pglite.close();
      release();
    },
  };
}

export class DataDirLockedError extends Error {}

/**
 * PGlite does not lock its data directory, and two processes writing it corrupt it.
 * An exclusive lock file holding our pid guards it; a lock left by a dead process is taken over.
 */
function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (existsSync(file) && readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          // The lock is gone already: nothing to release.
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `The data directory is in use by process ${pid} (${file}). Stop it first, or use another DATA_DIR.`,
        );
      }
      unlinkSync(file); // stale lock from a process that died
    }
  }
  throw new DataDirLockedError(`Could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
