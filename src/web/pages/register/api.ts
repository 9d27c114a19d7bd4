/**
 * The register's API calls (insatser, target groups, participations, referrals, imports), through
 * the app's one fetch wrapper. The import upload is the exception: it goes through XMLHttpRequest,
 * the only browser API that reports upload progress.
 */
import type { FieldIssue } from '../../../shared/errors';
import type { z } from 'zod';
import type {
  EntryCorrection,
  EntryInput,
  ExitInput,
  InterventionCreate,
  InterventionUpdate,
  ParticipationFilter,
  referralCreateSchema,
  referralDecisionSchema,
} from '../../../shared/register-schemas';
import type { InterventionStatus } from '../../../shared/participants';
import { ApiError, request } from '../../api';
import type {
  AnonymousCount,
  DecisionResult,
  ImportBatch,
  ImportResult,
  Intervention,
  InterventionDetail,
  ParticipationDetail,
  ParticipationPage,
  Referral,
  RowError,
  TargetGroup,
} from './types';

export type ReferralCreate = z.input<typeof referralCreateSchema>;
export type ReferralDecision = z.input<typeof referralDecisionSchema>;

const enc = encodeURIComponent;
export const base = (slug: string) => `/api/associations/${enc(slug)}`;

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const registerApi = {
  interventions: (slug: string) => request<Intervention[]>('GET', `${base(slug)}/interventions`),
  intervention: (slug: string, id: string) =>
    request<InterventionDetail>('GET', `${base(slug)}/interventions/${enc(id)}`),
  createIntervention: (slug: string, body: Partial<InterventionCreate>) =>
    request<InterventionDetail>('POST', `${base(slug)}/interventions`, body),
  updateIntervention: (slug: string, id: string, body: InterventionUpdate) =>
    request<InterventionDetail>('PUT', `${base(slug)}/interventions/${enc(id)}`, body),
  changeStatus: (slug: string, id: string, status: InterventionStatus, date: string) =>
    request<InterventionDetail>('POST', `${base(slug)}/interventions/${enc(id)}/status`, { status, date }),
  setCoordinators: (slug: string, id: string, userIds: string[]) =>
    request<InterventionDetail>('PUT', `${base(slug)}/interventions/${enc(id)}/coordinators`, { userIds }),

  targetGroups: (slug: string) => request<TargetGroup[]>('GET', `${base(slug)}/target-groups`),
  addTargetGroup: (slug: string, body: { name: string; active: boolean }) =>
    request<TargetGroup>('POST', `${base(slug)}/target-groups`, body),
  saveTargetGroup: (slug: string, id: string, body: { name: string; active: boolean }) =>
    request<TargetGroup>('PUT', `${base(slug)}/target-groups/${enc(id)}`, body),

  participations: (slug: string, interventionId: string, f: Partial<ParticipationFilter>) =>
    request<ParticipationPage>(
      'GET',
      `${base(slug)}/interventions/${enc(interventionId)}/participations${query({ ...f })}`,
    ),
  participation: (slug: string, id: string, identify = false) =>
    request<ParticipationDetail>(
      'GET',
      `${base(slug)}/participations/${enc(id)}${identify ? '?identify=true' : ''}`,
    ),
  registerEntry: (slug: string, body: EntryInput) =>
    request<ParticipationDetail>('POST', `${base(slug)}/participations`, body),
  registerExit: (slug: string, id: string, body: ExitInput) =>
    request<ParticipationDetail>('POST', `${base(slug)}/participations/${enc(id)}/exit`, body),
  correctEntry: (slug: string, id: string, body: EntryCorrection) =>
    request<ParticipationDetail>('PUT', `${base(slug)}/participations/${enc(id)}/entry`, body),
  correctExit: (slug: string, id: string, body: ExitInput) =>
    request<ParticipationDetail>('PUT', `${base(slug)}/participations/${enc(id)}/exit`, body),
  anonymise: (slug: string, id: string, reason: 'consent_withdrawn' | 'protected_identity') =>
    request<{ anonymised: number; removed: number }>(
      'POST',
      `${base(slug)}/participations/${enc(id)}/anonymise`,
      { reason },
    ),

  anonymousCounts: (slug: string, interventionId: string) =>
    request<AnonymousCount[]>(
      'GET',
      `${base(slug)}/interventions/${enc(interventionId)}/anonymous-participations`,
    ),
  addAnonymousCount: (
    slug: string,
    body: { interventionId: string; year: number; sex: 'kvinna' | 'man'; count: number },
  ) => request<{ id: string }>('POST', `${base(slug)}/anonymous-participations`, body),

  referrals: (slug: string, f: { interventionId?: string; status?: string }) =>
    request<Referral[]>('GET', `${base(slug)}/referrals${query(f)}`),
  createReferral: (slug: string, body: ReferralCreate) =>
    request<{ id: string }>('POST', `${base(slug)}/referrals`, body),
  decideReferral: (slug: string, id: string, body: ReferralDecision) =>
    request<DecisionResult>('POST', `${base(slug)}/referrals/${enc(id)}/decision`, body),

  importBatches: (slug: string) => request<ImportBatch[]>('GET', `${base(slug)}/imports`),
  undoImport: (slug: string, id: string) =>
    request<{ id: string; undoneAt: string }>('POST', `${base(slug)}/imports/${enc(id)}/undo`),
};

/** Where a spreadsheet comes from: the export (participations) and the import template. */
export const downloads = {
  template: (slug: string, format: 'csv' | 'xlsx') => `${base(slug)}/imports/template?format=${format}`,
  export: (slug: string, format: 'csv' | 'xlsx', interventionId?: string) =>
    `${base(slug)}/participations/export${query({ format, interventionId })}`,
};

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** An import refused row by row: nothing was stored. */
export class ImportRejected extends Error {
  constructor(
    readonly errors: RowError[],
    readonly errorCount: number,
  ) {
    super('import rejected');
    this.name = 'ImportRejected';
  }
}

export interface UploadOptions {
  dryRun: boolean;
  force: boolean;
  csrfToken: string;
  /** Share of the file sent, 0–1. */
  onProgress: (sent: number) => void;
  signal?: AbortSignal;
}

/**
 * Sends the file as the raw request body. Resolves with the counts; rejects with ImportRejected
 * (row errors) or ApiError (anything else, e.g. the file was already imported).
 */
export function uploadImport(slug: string, file: File, opts: UploadOptions): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const url = `${base(slug)}/imports${query({
      fileName: file.name,
      dryRun: String(opts.dryRun),
      force: String(opts.force),
    })}`;
    xhr.open('POST', url);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('x-csrf-token', opts.csrfToken);
    // The server picks the parser from the content, but accepts only these types.
    xhr.setRequestHeader('content-type', /\.xlsx$/i.test(file.name) ? XLSX_TYPE : 'text/csv');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) opts.onProgress(e.loaded / e.total);
    };
    xhr.upload.onload = () => opts.onProgress(1);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK'));
    xhr.onabort = () => reject(new ApiError(0, 'NETWORK'));
    opts.signal?.addEventListener('abort', () => xhr.abort());
    xhr.onload = () => {
      let json: unknown;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(json as ImportResult);
      const body = json as {
        error?: { code?: string; issues?: FieldIssue[] };
        errors?: RowError[];
        errorCount?: number;
      } | null;
      if (body?.errors) return reject(new ImportRejected(body.errors, body.errorCount ?? body.errors.length));
      reject(new ApiError(xhr.status, body?.error?.code ?? 'INTERNAL', body?.error?.issues ?? []));
    };
    xhr.send(file);
  });
}
