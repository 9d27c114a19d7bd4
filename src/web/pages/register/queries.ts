/**
 * Query keys and shared queries of the register pages. All sit under ['a', slug], so a write that
 * refreshes the association (keys.association) refreshes these too.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { useAssociation } from '../../association';
import { keys } from '../../queries';
import { registerApi } from './api';

export const registerKeys = {
  all: (slug: string) => ['a', slug, 'register'] as const,
  interventions: (slug: string) => ['a', slug, 'register', 'interventions'] as const,
  intervention: (slug: string, id: string) => ['a', slug, 'register', 'intervention', id] as const,
  targetGroups: (slug: string) => ['a', slug, 'register', 'target-groups'] as const,
  participations: (slug: string, interventionId: string, filter: unknown) =>
    ['a', slug, 'register', 'participations', interventionId, filter] as const,
  participation: (slug: string, id: string) => ['a', slug, 'register', 'participation', id] as const,
  anonymous: (slug: string, interventionId: string) =>
    ['a', slug, 'register', 'anonymous', interventionId] as const,
  referrals: (slug: string, filter: unknown) => ['a', slug, 'register', 'referrals', filter] as const,
  imports: (slug: string) => ['a', slug, 'register', 'imports'] as const,
};

export function useInterventions() {
  const { slug } = useAssociation();
  return useQuery({
    queryKey: registerKeys.interventions(slug),
    queryFn: () => registerApi.interventions(slug),
  });
}

export function useTargetGroups() {
  const { slug } = useAssociation();
  return useQuery({
    queryKey: registerKeys.targetGroups(slug),
    queryFn: () => registerApi.targetGroups(slug),
  });
}

/** The association's members (referring member, organiser, municipalities of residence). */
export function useMembers() {
  const { slug } = useAssociation();
  return useQuery({ queryKey: keys.members(slug), queryFn: () => api.members(slug) });
}
