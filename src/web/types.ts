/**
 * Shapes of the API responses the web app reads. They mirror the server's mapper functions
 * (toAssociationDto, toMemberDto, getContributionYear, …); the request bodies reuse the shared zod types.
 */
import type { AssociationRole, Role } from '../shared/roles';
import type { MemberType } from '../shared/schemas';

export type { AssociationRole, Role, MemberType };

/** The member types in display order (the shared list lives next to zod, which the web bundle does without). */
export const MEMBER_TYPES = ['fk', 'af', 'region', 'municipality'] as const satisfies readonly MemberType[];

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isSystemAdmin: boolean;
  mustChangePassword: boolean;
}

export interface Membership {
  associationId: string;
  slug: string;
  name: string;
  role: AssociationRole | 'system_admin';
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
  associations: Membership[];
}

export interface Association {
  id: string;
  slug: string;
  name: string;
  /** Ten digits without the hyphen, or null when not registered. */
  orgNumber: string | null;
}

export interface Member {
  id: string;
  type: MemberType;
  name: string;
  /** Four-digit kommunkod for municipalities, null otherwise. */
  municipalityCode: string | null;
}

export interface ContributionLine {
  memberId: string;
  type: MemberType;
  name: string;
  groupPercent: number | null;
  totalPercent: number | null;
  amount: number | null;
}

export interface ContributionYear {
  year: number;
  saved: boolean;
  totalAmount: number | null;
  lines: ContributionLine[];
}

export interface AssociationUser {
  id: string;
  email: string;
  name: string;
  role: AssociationRole;
}

export interface Overview {
  association: Association;
  role: Role;
  members: Member[];
  municipalities: { code: string; name: string }[];
  /** Member types the association lacks by law: `fk`, `af`, `region`, `municipality`. */
  incomplete: string[];
  contribution: ContributionYear;
  /** Null when the caller's role may not list users. */
  users: AssociationUser[] | null;
}

export interface CreatedUser {
  user: AssociationUser;
  /** Shown once; null when the e-mail already had an account. */
  oneTimePassword: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  action: string;
  entityType: string;
  entityId: string | null;
  details: Record<string, unknown> | null;
  actor: { name: string; email: string | null } | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}
