/**
 * Referrals (remisser) and the enrolment group's decisions. A referral names the referring member
 * and insats; it carries an identity only with consent, encrypted like the register.
 */
import type { Scope } from '../../auth/access.js';
import { AppError } from '../../errors.js';
import { recordAudit } from '../../audit/audit.js';
import { maskPersonnummer, formatPersonnummer } from '../../../shared/personnummer.js';
import { daysBetween, todaySweden } from '../../../shared/dates.js';
import type { z } from 'zod';
import type { referralCreateSchema, referralDecisionSchema } from '../../../shared/register-schemas.js';
import type { ReferralStatus } from '../../../shared/participants.js';
import { allowedInterventionIds, requireInterventionForPeople } from '../interventions/access.js';
import type { RegisterDeps } from '../participants/service.js';

type ReferralCreate = z.infer<typeof referralCreateSchema>;
type ReferralDecision = z.infer<typeof referralDecisionSchema>;

export async function createReferral(deps: RegisterDeps, scope: Scope, input: ReferralCreate) {
  return deps.db.transaction().execute(async (tx) => {
    const intervention = await requireInterventionForPeople(tx, scope, input.interventionId);
    if (intervention.direction !== 'individual')
      throw AppError.field('interventionId', 'not_individual', 'Only individual insatser take referrals');
    const member = await tx
      .selectFrom('members')
      .select('id')
      .where('association_id', '=', scope.associationId)
      .where('id', '=', input.referringMemberId)
      .executeTakeFirst();
    if (!member) throw AppError.field('referringMemberId', 'unknown_member', 'Unknown member');
    if (input.referralDate > todaySweden())
      throw AppError.field('referralDate', 'future', 'The date is in the future');
    const row = await tx
      .insertInto('referrals')
      .values({
        association_id: scope.associationId,
        intervention_id: input.interventionId,
        referring_member_id: input.referringMemberId,
        referrer_role: input.referrerRole,
        referral_date: input.referralDate,
        note: input.note,
        pnr_enc: input.personnummer ? deps.pnr.encrypt(input.personnummer) : null,
        pnr_hash: input.personnummer ? deps.pnr.lookupHash(scope.associationId, input.personnummer) : null,
        consent_date: input.personnummer ? input.consentDate : null,
        created_by: scope.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: 'referral.created',
      entityType: 'referral',
      entityId: row.id,
      details: { interventionId: input.interventionId, identified: input.personnummer !== null },
    });
    return { id: row.id };
  });
}

/**
 * The referral queue: waiting referrals first, oldest first, with their place in the insats's
 * queue and days waited; decided ones after. Identities are masked; the listing is audited.
 */
export async function listReferrals(
  deps: RegisterDeps,
  scope: Scope,
  filter: { interventionId?: string | undefined; status?: ReferralStatus | undefined },
) {
  const allowed = await allowedInterventionIds(deps.db, scope);
  if (filter.interventionId) await requireInterventionForPeople(deps.db, scope, filter.interventionId);
  let q = deps.db
    .selectFrom('referrals as r')
    .innerJoin('interventions as i', (j) =>
      j.onRef('i.association_id', '=', 'r.association_id').onRef('i.id', '=', 'r.intervention_id'),
    )
    .innerJoin('members as m', (j) =>
      j.onRef('m.association_id', '=', 'r.association_id').onRef('m.id', '=', 'r.referring_member_id'),
    )
    .select([
      'r.id',
      'r.intervention_id',
      'i.name as intervention_name',
      'r.referring_member_id',
      'm.name as member_name',
      'r.referrer_role',
      'r.referral_date',
      'r.note',
      'r.pnr_enc',
      'r.consent_date',
      'r.status',
      'r.decided_at',
      'r.decision_reason',
      'r.redirected_to',
      'r.participation_id',
    ])
    .where('r.association_id', '=', scope.associationId);
  if (allowed)
    q = allowed.length
      ? q.where('r.intervention_id', 'in', allowed)
      : q.where('r.intervention_id', 'is', null);
  if (filter.interventionId) q = q.where('r.intervention_id', '=', filter.interventionId);
  if (filter.status) q = q.where('r.status', '=', filter.status);
  const rows = await q.orderBy('r.referral_date').orderBy('r.created_at').limit(1000).execute();
  const today = todaySweden();
  const position = new Map<string, number>();
  const items = rows.map((r) => {
    let place: number | null = null;
    if (r.status === 'waiting') {
      place = (position.get(r.intervention_id) ?? 0) + 1;
      position.set(r.intervention_id, place);
    }
    return {
      id: r.id,
      intervention: { id: r.intervention_id, name: r.intervention_name },
      referringMember: { id: r.referring_member_id, name: r.member_name },
      referrerRole: r.referrer_role,
      referralDate: r.referral_date,
      note: r.note,
      personnummer: r.pnr_enc ? maskPersonnummer(deps.pnr.decrypt(r.pnr_enc)) : null,
      consentDate: r.consent_date,
      status: r.status,
      decidedAt: r.decided_at,
      decisionReason: r.decision_reason,
      redirectedTo: r.redirected_to,
      participationId: r.participation_id,
      queuePosition: place,
      daysWaited: r.status === 'waiting' ? daysBetween(r.referral_date, today) : null,
    };
  });
  items.sort((a, b) => Number(b.status === 'waiting') - Number(a.status === 'waiting'));
  await recordAudit(deps.db, {
    associationId: scope.associationId,
    actorUserId: scope.userId,
    action: 'referrals.listed',
    entityType: 'referral',
    details: { referralIds: items.filter((i) => i.personnummer).map((i) => i.id) },
  });
  return items;
}

/**
 * Records the enrolment group's decision. Accepting returns the prefill for the entry form;
 * redirecting closes this referral and queues a new one at the other insats.
 */
export async function decideReferral(deps: RegisterDeps, scope: Scope, id: string, input: ReferralDecision) {
  return deps.db.transaction().execute(async (tx) => {
    const r = await tx
      .selectFrom('referrals')
      .selectAll()
      .where('association_id', '=', scope.associationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!r) throw AppError.notFound('Referral');
    await requireInterventionForPeople(tx, scope, r.intervention_id);
    if (r.participation_id)
      throw AppError.conflict('decision', 'already_entered', 'The person has already entered the insats');
    // Redirecting closed this referral and queued a new one; deciding it again would queue the person twice.
    if (r.status === 'redirected')
      throw AppError.conflict('decision', 'closed', 'The referral was redirected to another insats');
    if (input.date < r.referral_date)
      throw AppError.field('date', 'before_referral', 'The decision is dated before the referral');
    let newReferralId: string | null = null;
    if (input.decision === 'redirected') {
      const target = await requireInterventionForPeople(tx, scope, input.redirectToInterventionId!).catch(
        () => {
          throw AppError.field('redirectToInterventionId', 'unknown_intervention', 'Unknown insats');
        },
      );
      if (target.id === r.intervention_id)
        throw AppError.field('redirectToInterventionId', 'same_intervention', 'Choose another insats');
      const created = await tx
        .insertInto('referrals')
        .values({
          association_id: scope.associationId,
          intervention_id: target.id,
          referring_member_id: r.referring_member_id,
          referrer_role: r.referrer_role,
          referral_date: input.date,
          note: r.note,
          pnr_enc: r.pnr_enc,
          pnr_hash: r.pnr_hash,
          consent_date: r.consent_date,
          created_by: scope.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      newReferralId = created.id;
    }
    await tx
      .updateTable('referrals')
      .set({
        status: input.decision,
        decided_at: input.decision === 'waiting' ? null : input.date,
        decision_reason: input.reason,
        redirected_to: input.decision === 'redirected' ? input.redirectToInterventionId : null,
      })
      .where('association_id', '=', scope.associationId)
      .where('id', '=', id)
      .execute();
    await recordAudit(tx, {
      associationId: scope.associationId,
      actorUserId: scope.userId,
      action: `referral.${input.decision}`,
      entityType: 'referral',
      entityId: id,
      details: { date: input.date, reason: input.reason || undefined, newReferralId },
    });
    const prefill =
      input.decision === 'accepted'
        ? {
            referralId: id,
            interventionId: r.intervention_id,
            referringMemberId: r.referring_member_id,
            personnummer: r.pnr_enc ? formatPersonnummer(deps.pnr.decrypt(r.pnr_enc)) : null,
            consentDate: r.consent_date,
            entryDate: input.date,
          }
        : null;
    return { status: input.decision, newReferralId, prefill };
  });
}
