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
  'interventions.read',
  'interventions.manage',
  /** Person-level data: a coordinator only for the insatser assigned to them. */
  'participants.read',
  'participants.write',
  /** See a personnummer in full (audited) rather than masked. */
  'participants.identify',
  /** Withdraw consent / protected identity for a person across all insatser. */
  'participants.anonymise',
  /** Aggregate reports, dashboard, goals (read); small counts suppressed without person-level rights. */
  'reports.read',
  /** Goals, report texts, finalising reports. */
  'reports.manage',
  /** Compare associations side by side (always suppressed). */
  'reports.compare',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ADMIN: readonly Permission[] = [
  'association.read',
  'association.manage',
  'members.manage',
  'contributions.manage',
  'users.read',
  'users.manage',
  'audit.read',
  'interventions.read',
  'interventions.manage',
  'reports.read',
  'reports.manage',
];
const PERSON_LEVEL: readonly Permission[] = [
  'participants.read',
  'participants.write',
  'participants.identify',
];

/**
 * The system administrator runs the instance and never sees person-level data; the board and the
 * auditor see aggregates only (domain.md §8).
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  system_admin: [...ADMIN, 'reports.compare'],
  association_admin: [...ADMIN, ...PERSON_LEVEL, 'participants.anonymise'],
  coordinator: ['association.read', 'interventions.read', 'reports.read', ...PERSON_LEVEL],
  board: ['association.read', 'interventions.read', 'reports.read'],
  auditor: ['association.read', 'audit.read', 'interventions.read', 'reports.read'],
};

/** Roles whose person-level access is limited to the insatser assigned to them. */
export const INTERVENTION_SCOPED_ROLES: readonly Role[] = ['coordinator'];

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
