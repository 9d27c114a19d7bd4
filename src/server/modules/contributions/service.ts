/**
 * Contribution shares per year (Lag 2003:1210 §5): Försäkringskassan 50 % (covering
 * Arbetsförmedlingen), the regions 25 % and the municipalities 25 %, each group split by agreement.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { AppError } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import type { ContributionInput, MemberType } from '../../../shared/schemas.js';
import { listMembers } from '../members/repo.js';

/** Each group's share of the total, in hundredths of a percent. */
export const GROUP_SHARE_BP: Record<MemberType, number> = {
  fk: 5000,
  af: 0,
  region: 2500,
  municipality: 2500,
};

export interface ContributionLine {
  memberId: string;
  type: MemberType;
  name: string;
  /** % of the member's group (regions or municipalities); FK 100, AF 0. Null when not decided. */
  groupPercent: number | null;
  /** % of the total contributions. */
  totalPercent: number | null;
  /** SEK, when the year's total is set. */
  amount: number | null;
}

export async function getContributionYear(db: Kysely<DB>, scope: Scope, year: number) {
  const members = await listMembers(db, scope.associationId);
  const head = await db
    .selectFrom('contribution_years')
    .selectAll()
    .where('association_id', '=', scope.associationId)
    .where('year', '=', year)
    .executeTakeFirst();
  const shares = await db
    .selectFrom('contribution_shares')
    .select(['member_id', 'group_share_bp'])
    .where('association_id', '=', scope.associationId)
    .where('year', '=', year)
    .execute();
  const byMember = new Map(shares.map((s) => [s.member_id, s.group_share_bp]));
  const total = head?.total_amount == null ? null : Number(head.total_amount);
  const lines: ContributionLine[] = members.map((m) => {
    let groupBp: number | null;
    if (m.type === 'fk') groupBp = 10000;
    else if (m.type === 'af') groupBp = 0;
    else groupBp = byMember.get(m.id) ?? null;
    // bp of group × bp of group share / 10000 = bp of total, kept exact as integer arithmetic.
    const totalBpTimes10000 = groupBp === null ? null : groupBp * GROUP_SHARE_BP[m.type];
    return {
      memberId: m.id,
      type: m.type,
      name: m.name,
      groupPercent: groupBp === null ? null : groupBp / 100,
      totalPercent: totalBpTimes10000 === null ? null : totalBpTimes10000 / 1_000_000,
      amount:
        totalBpTimes10000 === null || total === null
          ? null
          : Math.round((total * totalBpTimes10000) / 100_000_000),
    };
  });
  return { year, saved: head !== undefined, totalAmount: total, lines };
}
export type ContributionYearDto = Awaited<ReturnType<typeof getContributionYear>>;

/**
 * Replaces the year's split. Every region and every municipality of the association must be listed
 * exactly once in its group, and each group must sum to 100 % (checked by the schema).
 */
export async function setContributionYear(
  db: Kysely<DB>,
  scope: Scope,
  year: number,
  input: ContributionInput,
) {
  const members = await listMembers(db, scope.associationId);
  for (const group of ['regions', 'municipalities'] as const) {
    const type = group === 'regions' ? 'region' : 'municipality';
    const expected = new Set(members.filter((m) => m.type === type).map((m) => m.id));
    input[group].forEach((line, i) => {
      if (!expected.has(line.memberId))
        throw AppError.field(`${group}.${i}.memberId`, 'unknown_member', 'Not a member of this group');
    });
    const given = new Set(input[group].map((l) => l.memberId));
    if ([...expected].some((id) => !given.has(id)))
      throw AppError.field(group, 'missing_member', 'Every member of the group needs a share');
  }
  await db.transaction().execute(async (tx) => {
    const before = await getContributionYear(tx, scope, year);
    await tx
      .insertInto('contribution_years')
      .values({
        association_id: scope.associationId,
        year,
        total_amount: input.totalAmount,
        updated_at: new Date(),
      })
      .onConflict((oc) =>
        oc
          .columns(['association_id', 'year'])
          .doUpdateSet({ total_amount: input.totalAmount, updated_at: new Date() }),
      )
      .execute();
    await tx
      .deleteFrom('contribution_shares')
      .where('association_id', '=', scope.associationId)
      .where('year', '=', year)
      .execute();
    await tx
      .insertInto('contribution_shares')
      .values(
        [...input.regions, ...input.municipalities].map((l) => ({
          association_id: scope.associationId,
          year,
          member_id: l.memberId,
          group_share_bp: Math.round(l.percent * 100),
        })),
      )
      .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'contribution.updated',
      entityType: 'contribution_year',
      entityId: String(year),
      details: {
        before: before.saved
          ? { totalAmount: before.totalAmount, shares: before.lines.map((l) => [l.name, l.groupPercent]) }
          : null,
        after: {
          totalAmount: input.totalAmount,
          regions: input.regions,
          municipalities: input.municipalities,
        },
      },
    });
  });
  return getContributionYear(db, scope, year);
}
