import { loadEnv, EnvError } from './env.js';
import { startServer } from './server.js';
import { DEMO_PASSWORD, DEMO_USERS } from './db/seed/demo.js';
import { DataDirLockedError } from './db/index.js';

async function main() {
  const env = loadEnv();
  const server = await startServer(env);
  console.log(
    `\nSamverka ${server.database.kind === 'pglite' ? `(embedded database in ${env.DATA_DIR})` : '(PostgreSQL)'}`,
  );
  console.log(`Open ${server.url}\n`);
  if (server.database.kind === 'pglite' || server.seeded) {
    console.log(`Demo logins (password: ${DEMO_PASSWORD}):`);
    for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(18)} ${u.email}`);
    console.log('');
  }
  const stop = (signal: string) => {
    console.log(`${signal}: shutting down…`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof EnvError || err instanceof DataDirLockedError) console.error(err.message);
  else console.error('Samverka could not start:', err);
  process.exit(1);
});
