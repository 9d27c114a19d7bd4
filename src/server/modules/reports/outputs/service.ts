/**
 * Report files (PDF, XLSX): gathers a report's figures with the viewer's protection (the same
 * service calls as the JSON API, so a file never shows more than the API would) and the names
 * a reader needs, into one ReportDocument that both writers render.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { Scope } from '../../../auth/access.js';
import { AppError } from '../../../errors.js';
import type { Breakdown, Period, ReportFilter } from '../../../../shared/report-schemas.js';
import { getOutcomeReport, getReport } from '../service.js';
import { describeFilter, fileSlug, formatPeriod, municipalityLabel, type FilterNames } from './format.js';
import type { ReportDocument } from './tables.js';
import { renderReportPdf } from './pdf.js';
import { renderReportXlsx } from './xlsx.js';

export type ReportFileFormat = 'pdf' | 'xlsx';

export const REPORT_CONTENT_TYPES: Record<ReportFileFormat, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

async function loadNames(
  db: Kysely<DB>,
  associationId: string,
): Promise<FilterNames & { association: string }> {
  const [association, interventions, members, targetGroups] = await Promise.all([
    db.selectFrom('associations').select('name').where('id', '=', associationId).executeTakeFirst(),
    db
      .selectFrom('interventions')
      .select(['id', 'name'])
      .where('association_id', '=', associationId)
      .execute(),
    db
      .selectFrom('members')
      .select(['id', 'name', 'municipality_code'])
      .where('association_id', '=', associationId)
      .execute(),
    db
      .selectFrom('target_groups')
      .select(['id', 'name'])
      .where('association_id', '=', associationId)
      .execute(),
  ]);
  if (!association) throw AppError.notFound('Association');
  return {
    association: association.name,
    interventions: new Map(interventions.map((i) => [i.id, i.name])),
    members: new Map(members.map((m) => [m.id, m.name])),
    targetGroups: new Map(targetGroups.map((g) => [g.id, g.name])),
    municipalities: new Map(
      members.filter((m) => m.municipality_code).map((m) => [m.municipality_code!.trim(), m.name]),
    ),
  };
}

function breakdownLabels(names: FilterNames, dimension: string | undefined): Map<string, string> {
  if (dimension === 'intervention') return names.interventions;
  if (dimension === 'municipality') {
    const codes = new Map<string, string>();
    for (const code of names.municipalities.keys()) codes.set(code, municipalityLabel(code, names));
    codes.set('other', municipalityLabel('other', names));
    return codes;
  }
  return new Map();
}

export interface OutcomeFileRequest {
  period: Period;
  filter: ReportFilter;
  breakdown?: Exclude<Breakdown, 'sex'> | undefined;
  public?: boolean | undefined;
}

/**
 * Live figures for a period and filter, as a file. The breakdown table is by age band unless
 * another breakdown is asked for; one breakdown per file, because two differently protected
 * breakdowns of the same figures could together reveal a hidden cell.
 */
export async function outcomeDocument(
  db: Kysely<DB>,
  scope: Scope,
  req: OutcomeFileRequest,
): Promise<ReportDocument> {
  const breakdown = req.breakdown ?? 'ageBand';
  const figures = await getOutcomeReport(db, scope, { ...req, breakdown });
  const names = await loadNames(db, scope.associationId);
  return {
    associationName: names.association,
    associationSlug: scope.slug,
    title: `Uppföljning av deltagare ${formatPeriod(req.period)}`,
    period: req.period,
    filter: req.filter,
    filterText: describeFilter(req.filter, names),
    status: 'live',
    finalisedAt: null,
    analysis: null,
    figures,
    breakdownLabels: breakdownLabels(names, breakdown),
    generatedAt: new Date(),
  };
}

/** A report document (with its analysis; frozen figures when final), as a file. */
export async function reportDocument(
  db: Kysely<DB>,
  scope: Scope,
  id: string,
  opts: { public?: boolean | undefined },
): Promise<ReportDocument> {
  const r = await getReport(db, scope, id, opts);
  const names = await loadNames(db, scope.associationId);
  const filter: ReportFilter = r.interventionId ? { interventionIds: [r.interventionId] } : {};
  return {
    associationName: names.association,
    associationSlug: scope.slug,
    title: r.title,
    period: { from: r.from, to: r.to },
    filter,
    filterText: describeFilter(filter, names),
    status: r.status === 'final' ? 'final' : 'draft',
    finalisedAt: r.finalisedAt,
    analysis: r.analysis,
    figures: r.figures,
    breakdownLabels: breakdownLabels(names, r.figures.breakdown?.dimension),
    generatedAt: new Date(),
  };
}

export interface RenderedFile {
  body: Buffer;
  fileName: string;
  contentType: string;
}

export async function renderReportFile(doc: ReportDocument, format: ReportFileFormat): Promise<RenderedFile> {
  const body = format === 'pdf' ? await renderReportPdf(doc) : await renderReportXlsx(doc);
  const name =
    doc.status === 'live'
      ? `utfall-${doc.associationSlug}-${doc.period.from}-${doc.period.to}`
      : `rapport-${doc.associationSlug}-${fileSlug(doc.title)}`;
  return { body, fileName: `${name}.${format}`, contentType: REPORT_CONTENT_TYPES[format] };
}
