/**
 * `report outcomes`: the outcome figures of an association (or one insats) for a period, as the
 * system sees them (unprotected), or with `--public` as anyone without person-level rights sees
 * them (small counts suppressed). JSON: the total's figures at the top level and `bySex.kvinna` /
 * `bySex.man` with the same keys; shares are fractions 0–1; a suppressed value is null and its
 * object has `"suppressed": true`.
 */
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../db/index.js';
import type { DB } from '../db/types.js';
import type { Scope } from '../auth/access.js';
import { AppError } from '../errors.js';
import { periodSchema } from '../../shared/report-schemas.js';
import { findAssociationBySlug } from '../modules/associations/repo.js';
import type { Figures } from '../modules/reports/engine.js';

/** The report modules, loaded when the command runs: other commands need not compile them. */
const reportModules = () =>
  Promise.all([import('../modules/reports/service.js'), import('../modules/reports/outputs/format.js')]);
type Format = Awaited<ReturnType<typeof reportModules>>[1];

interface Output {
  format: 'text' | 'json';
  result(json: unknown, text: string): void;
}

export interface ReportCommandDeps {
  out: () => Output;
  withDatabase: <T>(fn: (db: Database) => Promise<T>) => Promise<T>;
  validate: <T extends z.ZodType>(schema: T, input: unknown) => z.infer<T>;
}

/** The system inside one association: an admin scope without a user (person-level rights). */
async function systemScope(db: Kysely<DB>, slug: string): Promise<Scope> {
  const a = await findAssociationBySlug(db, slug);
  if (!a) throw AppError.field('association', 'not_found', `No association with slug ${slug}`);
  return { associationId: a.id, slug: a.slug, role: 'association_admin', userId: null };
}

async function interventionByName(db: Kysely<DB>, associationId: string, name: string) {
  const row = await db
    .selectFrom('interventions')
    .select(['id', 'name'])
    .where('association_id', '=', associationId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
    .executeTakeFirst();
  if (!row) throw AppError.field('insats', 'not_found', `No insats named "${name}" in this association`);
  return row;
}

const TEXT_LINES: [string, keyof Figures, 'count' | 'share' | 'days'][] = [
  ['Nya deltaganden', 'entries', 'count'],
  ['Avslutade deltaganden', 'exits', 'count'],
  ['Avslutade (identifierade, utan felregistreringar)', 'exitsExcludingErrors', 'count'],
  ['Till arbete eller studier', 'toWorkOrStudies', 'count'],
  ['Andel till arbete eller studier', 'shareToWorkOrStudies', 'share'],
  ['Återkommande', 'returners', 'count'],
  ['Mediantid i insats (dagar)', 'medianDaysInInsats', 'days'],
];

function textTable(r: { total: Figures; bySex: Record<'kvinna' | 'man', Figures> }, fmt: Format): string[] {
  const show = (f: Figures, field: keyof Figures, kind: string) => {
    const v = f[field] as number | null;
    if (v === null) return f.suppressedFields.includes(field) ? fmt.SUPPRESSED_MARK : fmt.NOT_APPLICABLE_MARK;
    return kind === 'share' ? fmt.formatShare(v) : fmt.formatCount(v);
  };
  const rows = TEXT_LINES.map(([label, field, kind]) => [
    label,
    show(r.total, field, kind),
    show(r.bySex.kvinna, field, kind),
    show(r.bySex.man, field, kind),
  ]);
  const all = [['', 'Totalt', 'Kvinnor', 'Män'], ...rows];
  const w = [0, 1, 2, 3].map((i) => Math.max(...all.map((row) => row[i]!.length)));
  return all.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(w[0]!) : c.padStart(w[i]!))).join('  '));
}

export function registerReportCommands(program: Command, deps: ReportCommandDeps) {
  const report = program.command('report').description('Reports');
  report
    .command('outcomes')
    .description(
      'Outcome figures for a period: entries, exits, share to work or studies, returners, time in insats, by sex',
    )
    .requiredOption('--association <slug>', 'association')
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last day of the period, YYYY-MM-DD')
    .option('--insats <name>', 'only this insats (its name)')
    .option('--public', 'suppress small counts (1–4) as for the board and public outputs')
    .action(
      async (o: { association: string; from: string; to: string; insats?: string; public?: boolean }) => {
        const period = deps.validate(periodSchema, { from: o.from, to: o.to });
        const [{ getOutcomeReport }, fmt] = await reportModules();
        const result = await deps.withDatabase(async ({ db }) => {
          const scope = await systemScope(db, o.association);
          const insats = o.insats ? await interventionByName(db, scope.associationId, o.insats) : null;
          const r = await getOutcomeReport(db, scope, {
            period,
            filter: insats ? { interventionIds: [insats.id] } : {},
            public: !!o.public,
          });
          return { scope, insats, r };
        });
        const { r, insats, scope } = result;
        const json = {
          association: scope.slug,
          insats: insats?.name ?? null,
          period,
          protected: r.protected,
          ...r.total,
          bySex: r.bySex,
        };
        const text = [
          `${scope.slug}${insats ? ` · ${insats.name}` : ''} · ${fmt.formatPeriod(period)}${r.protected ? ' · små tal (1–4) visas inte' : ''}`,
          ...textTable(r, fmt),
        ].join('\n');
        deps.out().result(json, text);
      },
    );
}
