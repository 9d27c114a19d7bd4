/** Query keys and the session query. Everything of one association sits under ['a', slug], so a write can refresh it all. */
import { useQuery } from '@tanstack/react-query';
import { api } from './api';
import type { Session } from './types';

export const keys = {
  session: ['session'] as const,
  association: (slug: string) => ['a', slug] as const,
  overview: (slug: string, year: number) => ['a', slug, 'overview', year] as const,
  members: (slug: string) => ['a', slug, 'members'] as const,
  contributions: (slug: string, year: number) => ['a', slug, 'contributions', year] as const,
  users: (slug: string) => ['a', slug, 'users'] as const,
  audit: (slug: string) => ['a', slug, 'audit'] as const,
};

export function useSessionQuery() {
  return useQuery({ queryKey: keys.session, queryFn: api.session, staleTime: 5 * 60_000 });
}

/** The signed-in session. Only for components rendered inside RequireSession. */
export function useSession(): Session {
  const { data } = useSessionQuery();
  if (!data) throw new Error('useSession() used outside RequireSession');
  return data;
}

export function currentYear(): number {
  return new Date().getFullYear();
}

/** Years offered in year selectors: next year and five back, plus the one shown if it lies outside. */
export function selectableYears(shown: number): number[] {
  const now = currentYear();
  const years = new Set<number>([shown]);
  for (let y = now + 1; y >= now - 5; y--) years.add(y);
  return [...years].sort((a, b) => b - a);
}

/** A year from the URL, or null when absent or implausible. */
export function parseYear(value: string | null | undefined): number | null {
  if (!value || !/^\d{4}$/.test(value)) return null;
  const y = Number(value);
  return y >= 2004 && y <= 2200 ? y : null;
}
