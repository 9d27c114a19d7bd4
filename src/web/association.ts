/** The association the current page belongs to, and what the signed-in user's role there allows. */
import { createContext, useContext } from 'react';
import { roleAllows, type Permission, type Role } from '../shared/roles';

export interface AssociationScope {
  slug: string;
  name: string;
  role: Role;
}

export const AssociationContext = createContext<AssociationScope | null>(null);

export function useAssociation(): AssociationScope {
  const scope = useContext(AssociationContext);
  if (!scope) throw new Error('useAssociation() used outside an association route');
  return scope;
}

/** Mirrors the server's permission table, to show only what the role may do. The server still decides. */
export function can(scope: Pick<AssociationScope, 'role'>, permission: Permission): boolean {
  return roleAllows(scope.role, permission);
}
