/**
 * The real server in a child process for the load and export benchmarks, so that autocannon and
 * the download run in another process and the server's peak RSS is its own. Configured by the
 * environment like `npm start` (DATABASE_URL or DATA_DIR, SECRET_KEY); prints {"url":…} when ready.
 */
import { loadEnv } from '../src/server/env.js';
import { startServer } from '../src/server/server.js';

const env = loadEnv({
  ...process.env,
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  SEED_DEMO: 'false',
  NODE_ENV: 'production',
});
const server = await startServer(env);
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
