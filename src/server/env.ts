/**
 * The one place configuration is read. Every variable is validated at boot; a bad value stops
 * start-up with a message naming the variable.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** postgres://… to use a PostgreSQL server; unset = embedded PGlite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Embedded database only: PostgreSQL's shared_buffers (default 16MB, see db/index.ts). */
  EMBEDDED_SHARED_BUFFERS: z
    .string()
    .regex(/^[1-9][0-9]*(kB|MB|GB)$/, 'must be a size such as 16MB')
    .optional(),
  /**
   * Base64 of 32 random bytes: the master key that encrypts personnummer at rest. Unset = a key
   * file generated in DATA_DIR (mode 0600). Back it up: without it the numbers cannot be read.
   */
  SECRET_KEY: z
    .string()
    .refine(
      (v) => Buffer.from(v, 'base64').length === 32,
      'must be base64 of exactly 32 bytes (openssl rand -base64 32)',
    )
    .optional(),
  /** Seed the demo association on an empty database. Default: on for embedded, off for a server. */
  SEED_DEMO: bool.optional(),
  /** Idle minutes before a session ends. */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** Hours after which a session ends regardless of activity. */
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** Set when served behind https (or a TLS-terminating proxy): cookies get the Secure flag. */
  COOKIE_SECURE: bool.default(false),
  /** Trust X-Forwarded-* from a reverse proxy (for client IP and protocol). */
  TRUST_PROXY: bool.default(false),
  /** Maximum JSON body in bytes. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Failed logins before back-off starts for one e-mail address. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Computed reports (dashboard, outcome reports, the comparison) kept in memory, keyed by the
   * data version of their associations: a write to the register or the goals makes the next read
   * compute afresh. 0 turns the cache off.
   */
  REPORT_CACHE_ENTRIES: z.coerce.number().int().min(0).max(100_000).default(500),
  /** Upper bound of the report cache, in MB of the results' JSON. */
  REPORT_CACHE_MB: z.coerce.number().int().min(1).max(4096).default(64),
  /**
   * Seconds a resolved session (and the caller's role per association) is reused without asking
   * the database. Logout, password changes, role and membership changes made by this process take
   * effect at once; changes made by another process sharing the database, within this bound.
   * Default: 5 on the embedded database (one process), 0 (off) on a PostgreSQL server.
   */
  SESSION_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).optional(),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Treat empty strings as unset, as shells and .env files often produce them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
