/** Starting and stopping the whole server; used by main.ts and by the browser tests. */
import type { FastifyInstance } from 'fastify';
import { openDatabase, type Database } from './db/index.js';
import { migrateToLatest } from './db/migrate.js';
import { isDatabaseEmpty, seedDemo } from './db/seed/demo.js';
import { buildApp } from './app.js';
import type { Env } from './env.js';
import { VERSION } from './version.js';
import { createPnrCipher, loadMasterKey } from './crypto/pnr.js';
import { seedDemoParticipants } from './db/seed/demo-participants.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  seeded: boolean;
  close(): Promise<void>;
}

export async function startServer(env: Env): Promise<RunningServer> {
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    sharedBuffers: env.EMBEDDED_SHARED_BUFFERS,
  });
  try {
    await migrateToLatest(database.db);
    const seedWanted = env.SEED_DEMO ?? database.kind === 'pglite';
    const seeded = seedWanted && (await isDatabaseEmpty(database.db));
    if (seeded) await seedDemo(database.db);
    const pnr = createPnrCipher(loadMasterKey(env.SECRET_KEY, env.DATA_DIR));
    if (seeded) await seedDemoParticipants(database.db, pnr);
    const app = await buildApp({ db: database.db, dbKind: database.kind, env, version: VERSION, pnr });
    await app.listen({ port: env.PORT, host: env.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    const host = env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;
    let closing: Promise<void> | undefined;
    return {
      app,
      database,
      url: `http://${host}:${port}`,
      seeded,
      close: () => {
        closing ??= app.close().then(() => database.close());
        return closing;
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
