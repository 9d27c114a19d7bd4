/** Roles a user can hold within one association. `system_admin` is instance-wide and held on the user. */
export const ASSOCIATION_ROLES = ['association_admin', 'coordinator', 'board', 'auditor'] as const;
export type AssociationRole = (typeof ASSOCIATION_ROLES)[number];
export const ROLES = ['system_admin', ...ASSOCIATION_ROLES] as const;
export type Role = (typeof ROLES)[number];

/** What a caller may do inside one association. Services check these, never role names. */
export const PERMISSIONS = [
  'association.read',
  'association.manage',
  'members.manage',
  'contributions.manage',
  'users.read',
  'users.manage',
  'audit.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  system_admin: ALL,
  association_admin: ALL,
  coordinator: ['association.read'],
  board: ['association.read'],
  auditor: ['association.read', 'audit.read'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
