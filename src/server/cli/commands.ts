import { type Command, CommanderError, Option } from 'commander';
import type { z } from 'zod';
import { loadEnv, EnvError } from '../env.js';
import { openDatabase, DataDirLockedError, type Database } from '../db/index.js';
import { migrateToLatest } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { toFieldIssues, type ZodishIssue } from '../../shared/validation.js';
import { ErrorCode } from '../../shared/errors.js';
import { associationCreateSchema, emailSchema, passwordSchema } from '../../shared/schemas.js';
import { ROLES } from '../../shared/roles.js';
import { createAssociation } from '../modules/associations/service.js';
import { findAssociationBySlug } from '../modules/associations/repo.js';
import { createUser, createSystemAdmin } from '../modules/users/service.js';
import { registerReportCommands } from './report-commands.js';

type Format = 'text' | 'json';

interface Output {
  format: Format;
  result(json: unknown, text: string): void;
}

/** zod failure → the AppError the API would give, so CLI and API report the same field and code. */
function validate<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new AppError(ErrorCode.VALIDATION, 'Invalid input', toFieldIssues(r.error.issues as ZodishIssue[]));
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2 });
  try {
    await migrateToLatest(database.db);
    return await fn(database);
  } finally {
    await database.close();
  }
}

function register(program: Command, out: () => Output) {
  const association = program.command('association').description('Manage associations');
  association
    .command('create')
    .description('Create an association with its Försäkringskassan and Arbetsförmedlingen members')
    .requiredOption('--slug <slug>', 'short name used in URLs, e.g. exempelbygden')
    .requiredOption('--name <name>', 'full name')
    .option('--org-number <nr>', 'organisation number, 10 digits')
    .action(async (o: { slug: string; name: string; orgNumber?: string }) => {
      const input = validate(associationCreateSchema, {
        slug: o.slug,
        name: o.name,
        orgNumber: o.orgNumber ?? null,
      });
      const a = await withDatabase(({ db }) => createAssociation(db, null, input));
      out().result(a, `Created association ${a.slug} (${a.name}), id ${a.id}`);
    });

  const user = program.command('user').description('Manage users');
  user
    .command('create')
    .description('Create a user (or add an existing one to an association); prints a one-time password')
    .option('--association <slug>', 'association (not for system_admin)')
    .requiredOption('--email <email>', 'e-mail address, used to log in')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('--name <name>', 'display name (default: the e-mail address)')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(
      async (o: {
        association?: string;
        email: string;
        role: (typeof ROLES)[number];
        name?: string;
        passwordStdin?: boolean;
      }) => {
        const email = validate(emailSchema, o.email);
        const password = o.passwordStdin ? validate(passwordSchema, await readStdin()) : undefined;
        const name = o.name ?? email;
        const result = await withDatabase(async ({ db }) => {
          if (o.role === 'system_admin') {
            if (o.association)
              throw AppError.field(
                'association',
                'not_allowed',
                'A system_admin is instance-wide; omit --association',
              );
            return createSystemAdmin(db, { email, name, password });
          }
          if (!o.association)
            throw AppError.field('association', 'required', '--association is required for this role');
          const a = await findAssociationBySlug(db, o.association);
          if (!a)
            throw AppError.field('association', 'not_found', `No association with slug ${o.association}`);
          return createUser(
            db,
            { associationId: a.id, slug: a.slug, role: 'system_admin', userId: null },
            { email, name, role: o.role, password },
          );
        });
        const lines = [`User ${result.user.email} (${o.role})`];
        if (result.oneTimePassword)
          lines.push(`One-time password: ${result.oneTimePassword}`, 'It must be changed at first login.');
        out().result({ user: result.user, oneTimePassword: result.oneTimePassword }, lines.join('\n'));
      },
    );
}

/** Runs one CLI invocation; returns the exit code. Exported for tests. */
export async function runCli(program: Command, argv: string[]): Promise<number> {
  const out = (): Output => {
    const format = program.opts<{ format: Format }>().format;
    return {
      format,
      result: (json, text) =>
        process.stdout.write(format === 'json' ? `${JSON.stringify(json)}\n` : `${text}\n`),
    };
  };
  register(program, out);
  registerReportCommands(program, { out, withDatabase, validate });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const format = program.opts<{ format: Format }>().format;
    let code = 1;
    let body: { code: string; message: string; issues?: unknown };
    if (err instanceof AppError)
      body = { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) };
    else if (err instanceof EnvError || err instanceof DataDirLockedError) {
      code = 3;
      body = { code: 'ENVIRONMENT', message: err.message };
    } else throw err;
    if (format === 'json') process.stderr.write(`${JSON.stringify({ error: body })}\n`);
    else {
      process.stderr.write(`Error: ${body.message}\n`);
      for (const i of (body.issues as { path: string; message: string }[] | undefined) ?? [])
        process.stderr.write(`  ${i.path}: ${i.message}\n`);
    }
    return code;
  }
}
