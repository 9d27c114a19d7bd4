/**
 * The one way the web app talks to the server: JSON over same-origin fetch with the session cookie,
 * the session's CSRF token echoed in `x-csrf-token` on every state-changing request, and errors
 * turned into ApiError carrying the server's stable code and field issues.
 */
import type { FieldIssue } from '../shared/errors';
import type { AssociationUpdate, ContributionInput, MemberInput, UserUpdate } from '../shared/schemas';
import type {
  Association,
  AssociationRole,
  AuditPage,
  ContributionYear,
  CreatedUser,
  Member,
  AssociationUser,
  Overview,
  Session,
} from './types';

/**
 * An error response from the API. `code` is the server's ErrorCode, or `NETWORK` when no answer came.
 * `issues` name the fields at fault with a stable reason code each.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly issues: FieldIssue[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${code}`);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let errorListener: ((err: ApiError) => void) | null = null;

/**
 * Registers the one listener told of every error response (except the session probe's own 401),
 * whether it came from a query or a form submit: the app uses it to notice an ended session.
 */
export function onApiError(listener: (err: ApiError) => void): void {
  errorListener = listener;
}

/** Remembers the session's CSRF token (from GET /api/session or the login response). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface ErrorPayload {
  error?: { code?: string; issues?: FieldIssue[]; retryAfterSeconds?: number };
}

export async function request<T>(method: Method, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!res.ok) {
    const body = (json as ErrorPayload | null)?.error;
    const err = new ApiError(
      res.status,
      body?.code ?? 'INTERNAL',
      body?.issues ?? [],
      body?.retryAfterSeconds,
    );
    if (url !== '/api/session') errorListener?.(err);
    throw err;
  }
  return json as T;
}

const enc = encodeURIComponent;
const base = (slug: string) => `/api/associations/${enc(slug)}`;

export const api = {
  /** The signed-in user, or null when there is no session. */
  async session(): Promise<Session | null> {
    try {
      const s = await request<Session>('GET', '/api/session');
      setCsrfToken(s.csrfToken);
      return s;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setCsrfToken(null);
        return null;
      }
      throw err;
    }
  },
  async login(email: string, password: string): Promise<void> {
    const r = await request<{ csrfToken: string }>('POST', '/api/auth/login', { email, password });
    setCsrfToken(r.csrfToken);
  },
  async logout(): Promise<void> {
    await request<void>('POST', '/api/auth/logout');
    setCsrfToken(null);
  },
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('POST', '/api/auth/password', { currentPassword, newPassword }),

  overview: (slug: string, year: number) => request<Overview>('GET', `${base(slug)}/overview?year=${year}`),
  updateAssociation: (slug: string, body: AssociationUpdate) => request<Association>('PUT', base(slug), body),

  members: (slug: string) => request<Member[]>('GET', `${base(slug)}/members`),
  addMember: (slug: string, body: MemberInput) => request<Member>('POST', `${base(slug)}/members`, body),
  editMember: (slug: string, id: string, body: MemberInput) =>
    request<Member>('PUT', `${base(slug)}/members/${enc(id)}`, body),
  removeMember: (slug: string, id: string) => request<void>('DELETE', `${base(slug)}/members/${enc(id)}`),

  contributions: (slug: string, year: number) =>
    request<ContributionYear>('GET', `${base(slug)}/contributions/${year}`),
  saveContributions: (slug: string, year: number, body: ContributionInput) =>
    request<ContributionYear>('PUT', `${base(slug)}/contributions/${year}`, body),

  users: (slug: string) => request<AssociationUser[]>('GET', `${base(slug)}/users`),
  addUser: (slug: string, body: { email: string; name: string; role: AssociationRole }) =>
    request<CreatedUser>('POST', `${base(slug)}/users`, body),
  editUser: (slug: string, id: string, body: UserUpdate) =>
    request<AssociationUser>('PUT', `${base(slug)}/users/${enc(id)}`, body),
  removeUser: (slug: string, id: string) => request<void>('DELETE', `${base(slug)}/users/${enc(id)}`),

  audit: (slug: string, before: string | null, limit = 50) =>
    request<AuditPage>('GET', `${base(slug)}/audit?limit=${limit}${before ? `&before=${enc(before)}` : ''}`),
};
