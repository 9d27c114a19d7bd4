import type { Kysely } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { DB } from './db/types.js';
import type { DatabaseKind } from './db/index.js';
import type { Env } from './env.js';
import type { SessionUser } from './auth/sessions.js';
import type { PnrCipher } from './crypto/pnr.js';
import { AppError } from './errors.js';
import { ErrorCode } from '../shared/errors.js';

/** What every route gets: the database and the validated configuration. No other globals. */
export interface AppContext {
  db: Kysely<DB>;
  dbKind: DatabaseKind;
  env: Env;
  version: string;
  /** Encrypts and hashes personnummer; the only holder of the key. */
  pnr: PnrCipher;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
  }
}

/** The signed-in user, or 401. Accounts with a one-time password may only change it. */
export function currentUser(
  request: FastifyRequest,
  opts: { allowPasswordChange?: boolean } = {},
): SessionUser {
  const user = request.user;
  if (!user) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Not signed in');
  if (user.mustChangePassword && !opts.allowPasswordChange)
    throw new AppError(ErrorCode.PASSWORD_CHANGE_REQUIRED, 'Change your one-time password first');
  return user;
}
