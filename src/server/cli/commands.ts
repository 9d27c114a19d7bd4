import { type Command, CommanderError, Option } from 'commander';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
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
import type { Scope } from '../auth/access.js';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { createPnrCipher, loadMasterKey } from '../crypto/pnr.js';
import { interventionCreateSchema, dateSchema } from '../../shared/register-schemas.js';
import { DIRECTIONS, FOLLOW_UPS } from '../../shared/participants.js';
import { createIntervention } from '../modules/interventions/service.js';
import { importParticipations } from '../modules/imports/service.js';
import { exportParticipations, pipeExport } from '../modules/imports/export.js';

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
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    poolSize: 2,
    sharedBuffers: env.EMBEDDED_SHARED_BUFFERS,
  });
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

/**
 * The CLI acts as the system inside one association: an association_admin scope without a user,
 * so the services' permission and insats-scope checks run exactly as for a signed-in admin.
 */
async function systemScope(db: Kysely<DB>, slug: string): Promise<Scope> {
  const a = await findAssociationBySlug(db, slug);
  if (!a) throw AppError.field('association', 'not_found', `No association with slug ${slug}`);
  return { associationId: a.id, slug: a.slug, role: 'association_admin', userId: null };
}

function registerParticipantCommands(program: Command, out: () => Output) {
  program
    .command('insats')
    .description('Manage insatser')
    .command('create')
    .description('Create an insats (direction, follow-up method and ESF flag are locked once created)')
    .requiredOption('--association <slug>', 'association')
    .requiredOption('--name <name>', 'name, unique in the association')
    .addOption(
      new Option('--direction <direction>', 'individual or structural')
        .choices([...DIRECTIONS])
        .makeOptionMandatory(),
    )
    .option('--start <date>', 'start date YYYY-MM-DD')
    .addOption(
      new Option(
        '--follow-up <method>',
        'person level or head count (default: person for individual, count for structural)',
      ).choices([...FOLLOW_UPS]),
    )
    .action(
      async (o: {
        association: string;
        name: string;
        direction: (typeof DIRECTIONS)[number];
        start?: string;
        followUp?: (typeof FOLLOW_UPS)[number];
      }) => {
        if (o.start !== undefined) validate(dateSchema, o.start);
        const input = validate(interventionCreateSchema, {
          name: o.name,
          direction: o.direction,
          followUp: o.followUp ?? (o.direction === 'individual' ? 'person' : 'count'),
          startDate: o.start ?? null,
        });
        const created = await withDatabase(async ({ db }) =>
          createIntervention(db, await systemScope(db, o.association), input),
        );
        out().result(
          created,
          `Created insats ${created!.name} (${created!.direction}, ${created!.followUp}), id ${created!.id}`,
        );
      },
    );

  const participants = program.command('participants').description('Import and export participants');
  participants
    .command('import')
    .description('Import participants from CSV or XLSX; all or nothing (see docs/user/import.md)')
    .requiredOption('--association <slug>', 'association')
    .requiredOption('--file <path>', 'the CSV or XLSX file')
    .option('--dry-run', 'validate and count only; store nothing')
    .option('--force', 'import even if the same file was imported before')
    .option('--progress', 'report progress on stderr, one JSON object per line')
    .action(
      async (o: {
        association: string;
        file: string;
        dryRun?: boolean;
        force?: boolean;
        progress?: boolean;
      }) => {
        let bytes: Buffer;
        try {
          bytes = readFileSync(o.file);
        } catch (err) {
          throw AppError.field(
            'file',
            'not_found',
            `Cannot read ${o.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
          );
        }
        const result = await withDatabase(async ({ db }) => {
          const env = loadEnv();
          const pnr = createPnrCipher(loadMasterKey(env.SECRET_KEY, env.DATA_DIR));
          return importParticipations({ db, pnr }, await systemScope(db, o.association), bytes, {
            fileName: path.basename(o.file),
            dryRun: !!o.dryRun,
            force: !!o.force,
            onProgress: o.progress
              ? (p) => process.stderr.write(`${JSON.stringify({ progress: p })}\n`)
              : undefined,
          });
        });
        const format = out().format;
        if (!result.ok) {
          // Row errors are the command's answer: stdout, exit code 1.
          if (format === 'json')
            process.stdout.write(
              `${JSON.stringify({ errors: result.errors, errorCount: result.errorCount })}\n`,
            );
          else {
            process.stdout.write(`${result.errorCount} fel; ingenting importerades.\n`);
            for (const e of result.errors)
              process.stdout.write(`  rad ${e.row}, ${e.column}: ${e.message}\n`);
          }
          throw new RowErrorsReported();
        }
        const counts = {
          imported: result.imported,
          anonymous: result.anonymous,
          updated: result.updated,
          skipped: result.skipped,
        };
        out().result(
          counts,
          `${result.dryRun ? 'Provkörning, inget sparat: ' : ''}${counts.imported} nya, ${counts.anonymous} anonyma, ${counts.updated} uppdaterade, ${counts.skipped} redan registrerade` +
            (result.batchId ? ` (import ${result.batchId})` : ''),
        );
      },
    );

  participants
    .command('export')
    .description(
      'Export every participation of the association, in the import format (full personnummer; audited)',
    )
    .requiredOption('--association <slug>', 'association')
    .requiredOption('--file <path>', 'output file (.csv or .xlsx)')
    .addOption(
      new Option('--format-file <format>', 'file format (default: from the extension)').choices([
        'csv',
        'xlsx',
      ]),
    )
    .action(async (o: { association: string; file: string; formatFile?: 'csv' | 'xlsx' }) => {
      const format = o.formatFile ?? (path.extname(o.file).toLowerCase() === '.csv' ? 'csv' : 'xlsx');
      const counts = await withDatabase(async ({ db, kind }) => {
        const env = loadEnv();
        const pnr = createPnrCipher(loadMasterKey(env.SECRET_KEY, env.DATA_DIR));
        const scope = await systemScope(db, o.association);
        const r = await exportParticipations({ db, pnr, dbKind: kind }, scope, { format });
        // Owner-only: the file holds personnummer in full.
        await pipeExport(r, createWriteStream(o.file, { mode: 0o600 }));
        return { file: o.file, format, participations: r.participations, anonymous: r.anonymous };
      });
      out().result(
        counts,
        `Exported ${counts.participations} participations and ${counts.anonymous} anonymous participants to ${counts.file}`,
      );
    });
}

/** Row errors were printed as the command's output; only the exit code remains to set. */
class RowErrorsReported extends Error {}

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
  registerParticipantCommands(program, out);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof RowErrorsReported) return 1;
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
