/**
 * The report endpoints, through the app's one API client (`request`), and their query keys. Every
 * key sits under ['a', slug] so a write can refresh everything of the association.
 */
import { request } from '../../api';
import type {
  AssociationComparison,
  BreakdownDimension,
  Dashboard,
  Goal,
  GoalInput,
  InterventionOption,
  OutcomeReport,
  ReportCreate,
  ReportDocument,
  ReportSummary,
  TargetGroupOption,
} from './model';

const enc = encodeURIComponent;
const base = (slug: string) => `/api/associations/${enc(slug)}`;

/** Period, filters and breakdown of a live outcome query, as the URL and the API name them. */
export interface OutcomeQuery {
  from: string;
  to: string;
  intervention?: string;
  direction?: string;
  sex?: string;
  ageBand?: string;
  /** Age at entry, from and to inclusive (whole years, as typed). */
  ageFrom?: string;
  ageTo?: string;
  municipalityCode?: string;
  targetGroupId?: string;
  breakdown?: BreakdownDimension;
}

/** The filters of an outcome query, by their names in the page's address. */
export const OUTCOME_FILTERS = [
  'intervention',
  'direction',
  'sex',
  'ageBand',
  'ageFrom',
  'ageTo',
  'municipalityCode',
  'targetGroupId',
] as const;

/** The query string of /reports/outcomes (and its .pdf/.xlsx): only the filters that are set. */
export function outcomeSearch(q: OutcomeQuery): string {
  const params = new URLSearchParams({ from: q.from, to: q.to });
  if (q.intervention) params.set('interventions', q.intervention);
  for (const key of [...OUTCOME_FILTERS.filter((f) => f !== 'intervention'), 'breakdown'] as const) {
    const v = q[key];
    if (v) params.set(key, v);
  }
  return params.toString();
}

export const reportsApi = {
  dashboard: (slug: string, year: number) =>
    request<Dashboard>('GET', `${base(slug)}/dashboard?year=${year}`),
  outcomes: (slug: string, q: OutcomeQuery) =>
    request<OutcomeReport>('GET', `${base(slug)}/reports/outcomes?${outcomeSearch(q)}`),

  goals: (slug: string) => request<Goal[]>('GET', `${base(slug)}/goals`),
  addGoal: (slug: string, body: GoalInput) => request<Goal>('POST', `${base(slug)}/goals`, body),
  editGoal: (slug: string, id: string, body: GoalInput) =>
    request<Goal>('PUT', `${base(slug)}/goals/${enc(id)}`, body),
  removeGoal: (slug: string, id: string) => request<void>('DELETE', `${base(slug)}/goals/${enc(id)}`),

  reports: (slug: string) => request<ReportSummary[]>('GET', `${base(slug)}/reports`),
  createReport: (slug: string, body: ReportCreate) =>
    request<ReportSummary>('POST', `${base(slug)}/reports`, body),
  report: (slug: string, id: string) => request<ReportDocument>('GET', `${base(slug)}/reports/${enc(id)}`),
  saveReportText: (slug: string, id: string, body: { title: string; analysis: string }) =>
    request<ReportDocument>('PUT', `${base(slug)}/reports/${enc(id)}`, body),
  finaliseReport: (slug: string, id: string) =>
    request<ReportDocument>('POST', `${base(slug)}/reports/${enc(id)}/finalise`),

  compare: (from: string, to: string) =>
    request<AssociationComparison>('GET', `/api/reports/compare?from=${enc(from)}&to=${enc(to)}`),

  interventions: (slug: string) => request<InterventionOption[]>('GET', `${base(slug)}/interventions`),
  targetGroups: (slug: string) => request<TargetGroupOption[]>('GET', `${base(slug)}/target-groups`),
};

/** Addresses of the report files; plain links, so the browser downloads them with the session cookie. */
export const reportFiles = {
  report: (slug: string, id: string, format: 'pdf' | 'xlsx') => `${base(slug)}/reports/${enc(id)}/${format}`,
  outcomes: (slug: string, q: OutcomeQuery, format: 'pdf' | 'xlsx') =>
    `${base(slug)}/reports/outcomes.${format}?${outcomeSearch(q)}`,
  national: (slug: string, year: number, format: 'csv' | 'xlsx') =>
    `${base(slug)}/exports/national?year=${year}&format=${format}`,
};

export const reportKeys = {
  dashboard: (slug: string, year: number) => ['a', slug, 'dashboard', year] as const,
  outcomes: (slug: string, q: OutcomeQuery) => ['a', slug, 'outcomes', outcomeSearch(q)] as const,
  goals: (slug: string) => ['a', slug, 'goals'] as const,
  reports: (slug: string) => ['a', slug, 'reports'] as const,
  report: (slug: string, id: string) => ['a', slug, 'reports', id] as const,
  interventions: (slug: string) => ['a', slug, 'report-options', 'interventions'] as const,
  targetGroups: (slug: string) => ['a', slug, 'report-options', 'target-groups'] as const,
  compare: (from: string, to: string) => ['compare', from, to] as const,
};
