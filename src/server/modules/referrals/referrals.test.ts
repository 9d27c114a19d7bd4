/**
 * Referrals (remisser) and the enrolment group: creation under the consent rule, the waiting list
 * per insats, decisions, redirection, and the link from an accepted referral to the entry.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  testPnrCipher,
  type ApiClient,
  type AssociationFixture,
  type TestApp,
} from '../../../../tests/helpers.js';
import {
  createInsats,
  entryBody,
  expectRegisterUnchanged,
  plainTextOccurrences,
  uniquePnr,
} from '../../../../tests/register.js';
import { expectError } from '../../../../tests/support.js';
import { daysBetween, todaySweden } from '../../../shared/dates.js';

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
let admin: ApiClient;
let coord: ApiClient;
let coordId: string;
let A: string;
let B: string;
let C: string;
let structural: string;
let betaInsats: string;
const numbers: string[] = [];

function person(sex: 'kvinna' | 'man' = 'kvinna') {
  const n = uniquePnr(sex, 1987);
  numbers.push(n);
  return n;
}

const R = '/api/associations/alfa/referrals';

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 2);
  beta = await createAssociationFixture(t, 'beta', 2);
  await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  coordId = await createUserFixture(t, 'coord@alfa.example', 'coordinator', alfa.id);
  await createUserFixture(t, 'admin@beta.example', 'association_admin', beta.id);
  const [a, c, b] = await Promise.all([
    login(t, 'admin@alfa.example'),
    login(t, 'coord@alfa.example'),
    login(t, 'admin@beta.example'),
  ]);
  admin = a;
  coord = c;
  A = await createInsats(admin, 'alfa', 'Vuxenplattformen');
  B = await createInsats(admin, 'alfa', 'Unga vuxna-plattformen');
  C = await createInsats(admin, 'alfa', 'Primärvårdsteamet');
  structural = await createInsats(admin, 'alfa', 'Kunskapsdialog', {
    direction: 'structural',
    followUp: 'count',
  });
  betaInsats = await createInsats(b, 'beta', 'Betas plattform');
  for (const id of [A, B])
    await admin.put(`/api/associations/alfa/interventions/${id}/coordinators`, { userIds: [coordId] });
});
afterAll(() => t.close());

interface Referral {
  id: string;
  intervention: { id: string; name: string };
  referringMember: { id: string; name: string };
  referrerRole: string;
  referralDate: string;
  note: string;
  personnummer: string | null;
  consentDate: string | null;
  status: string;
  decidedAt: string | null;
  decisionReason: string;
  redirectedTo: string | null;
  participationId: string | null;
  queuePosition: number | null;
  daysWaited: number | null;
}

async function create(interventionId: string, referralDate: string, extra: object = {}, client = coord) {
  const res = await client.post(R, {
    interventionId,
    referringMemberId: alfa.members.fk,
    referrerRole: 'Handläggare',
    referralDate,
    note: 'Behöver samordnat stöd',
    ...extra,
  });
  if (res.statusCode !== 201) throw new Error(`referral: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

async function list(query = '', client = coord) {
  const res = await client.get(`${R}${query}`);
  expect(res.statusCode).toBe(200);
  return res.json() as Referral[];
}

const decide = (id: string, body: object, client = coord) => client.post(`${R}/${id}/decision`, body);

function tomorrow(): string {
  const d = new Date(`${todaySweden()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

describe('creating a referral', () => {
  it('without identity: the facts only, audited', async () => {
    const id = await create(A, '2025-03-01');
    const row = await t.database.db
      .selectFrom('referrals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      intervention_id: A,
      referring_member_id: alfa.members.fk,
      referrer_role: 'Handläggare',
      referral_date: '2025-03-01',
      note: 'Behöver samordnat stöd',
      pnr_enc: null,
      pnr_hash: null,
      consent_date: null,
      status: 'waiting',
      created_by: coordId,
    });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'details'])
      .where('entity_id', '=', id)
      .execute();
    expect(audit).toEqual([
      {
        action: 'referral.created',
        actor_user_id: coordId,
        details: { interventionId: A, identified: false },
      },
    ]);
  });

  it('with identity only with a consent date; the number is stored encrypted and hashed', async () => {
    const n = person();
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await coord.post(R, {
          interventionId: A,
          referringMemberId: alfa.members.fk,
          referralDate: '2025-03-01',
          personnummer: n,
        }),
        400,
        'VALIDATION',
        [{ path: 'consentDate', code: 'consent_required' }],
      );
    });
    const id = await create(A, '2025-03-01', { personnummer: n, consentDate: '2025-02-28' });
    const row = await t.database.db
      .selectFrom('referrals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(testPnrCipher.decrypt(row.pnr_enc!)).toBe(n);
    expect(row.pnr_hash).toBe(testPnrCipher.lookupHash(alfa.id, n));
    expect(row.consent_date).toBe('2025-02-28');
    const shown = (await list(`?interventionId=${A}`)).find((r) => r.id === id)!;
    expect(shown).toMatchObject({ personnummer: `${n.slice(0, 8)}-XXXX`, consentDate: '2025-02-28' });
  });

  it('refuses invalid input with field errors and writes nothing', async () => {
    const n = person();
    const badLuhn = n.slice(0, 11) + String((Number(n[11]) + 1) % 10);
    const base = { interventionId: A, referringMemberId: alfa.members.fk, referralDate: '2025-03-01' };
    const cases: [object, number, string, string][] = [
      [{ personnummer: badLuhn, consentDate: '2025-03-01' }, 400, 'personnummer', 'pnr_luhn'],
      [{ referralDate: tomorrow() }, 400, 'referralDate', 'future'],
      [{ referralDate: '2025-13-01' }, 400, 'referralDate', 'date'],
      [{ referringMemberId: beta.members.fk }, 400, 'referringMemberId', 'unknown_member'],
      [{ referringMemberId: undefined }, 400, 'referringMemberId', 'required'],
      [{ interventionId: structural }, 400, 'interventionId', 'not_individual'],
      [{ note: 'x'.repeat(501) }, 400, 'note', 'too_big'],
      [{ sex: 'kvinna' }, 400, 'sex', 'unknown_field'],
    ];
    await expectRegisterUnchanged(t, async () => {
      for (const [change, status, path, code] of cases)
        expectError(await admin.post(R, { ...base, ...change }), status, 'VALIDATION', [{ path, code }]);
      for (const interventionId of [betaInsats, randomUUID()])
        expectError(await admin.post(R, { ...base, interventionId }), 404, 'NOT_FOUND');
      // A coordinator only refers to their own insatser.
      expectError(await coord.post(R, { ...base, interventionId: C }), 404, 'NOT_FOUND');
    });
  });
});

describe('the waiting list', () => {
  it('orders waiting referrals by referral date with queue position 1..n and days waited; decided ones follow', async () => {
    const Q = await createInsats(admin, 'alfa', 'Kö-insatsen');
    await admin.put(`/api/associations/alfa/interventions/${Q}/coordinators`, { userIds: [coordId] });
    const late = await create(Q, '2025-03-10');
    const early = await create(Q, '2025-01-05', { personnummer: person(), consentDate: '2025-01-05' });
    const middle = await create(Q, '2025-02-20');
    const today = todaySweden();

    const queue = await list(`?interventionId=${Q}`);
    expect(queue.map((r) => [r.id, r.status, r.queuePosition, r.daysWaited])).toEqual([
      [early, 'waiting', 1, daysBetween('2025-01-05', today)],
      [middle, 'waiting', 2, daysBetween('2025-02-20', today)],
      [late, 'waiting', 3, daysBetween('2025-03-10', today)],
    ]);
    expect(queue[0]).toMatchObject({
      intervention: { id: Q, name: 'Kö-insatsen' },
      referringMember: { id: alfa.members.fk },
      referrerRole: 'Handläggare',
    });

    // "Waiting" is a decision that keeps the place in the queue.
    const waiting = await decide(middle, {
      decision: 'waiting',
      date: '2025-03-15',
      reason: 'Invänta läkarintyg',
    });
    expect(waiting.json()).toEqual({ status: 'waiting', newReferralId: null, prefill: null });
    expect(
      (await decide(early, { decision: 'declined', date: '2025-03-15', reason: 'Fel målgrupp' })).statusCode,
    ).toBe(200);

    const after = await list(`?interventionId=${Q}`);
    expect(after.map((r) => [r.id, r.status, r.queuePosition, r.daysWaited === null])).toEqual([
      [middle, 'waiting', 1, false],
      [late, 'waiting', 2, false],
      [early, 'declined', null, true],
    ]);
    expect(after[0]).toMatchObject({ decidedAt: null, decisionReason: 'Invänta läkarintyg' });
    expect(after[2]).toMatchObject({ decidedAt: '2025-03-15', decisionReason: 'Fel målgrupp' });
    expect((await list(`?interventionId=${Q}&status=declined`)).map((r) => r.id)).toEqual([early]);
    expect((await list(`?interventionId=${Q}&status=waiting`)).map((r) => r.id)).toEqual([middle, late]);

    // Positions are per insats: the unfiltered queue numbers each insats from 1.
    const all = await list();
    const positions = new Map<string, number[]>();
    for (const r of all.filter((x) => x.status === 'waiting'))
      positions.set(r.intervention.id, [...(positions.get(r.intervention.id) ?? []), r.queuePosition!]);
    for (const ps of positions.values()) expect(ps).toEqual(ps.map((_, i) => i + 1));
    expect(all.findIndex((r) => r.status !== 'waiting')).toBe(
      all.filter((r) => r.status === 'waiting').length,
    );
  });
});

describe('decisions of the enrolment group', () => {
  it('a decline needs a reason; a decision before the referral date is refused; nothing is written', async () => {
    const id = await create(A, '2025-04-01');
    await expectRegisterUnchanged(t, async () => {
      expectError(await decide(id, { decision: 'declined', date: '2025-04-10' }), 400, 'VALIDATION', [
        { path: 'reason', code: 'required' },
      ]);
      expectError(
        await decide(id, { decision: 'declined', date: '2025-04-10', reason: '   ' }),
        400,
        'VALIDATION',
        [{ path: 'reason', code: 'required' }],
      );
      expectError(await decide(id, { decision: 'accepted', date: '2025-03-31' }), 400, 'VALIDATION', [
        { path: 'date', code: 'before_referral' },
      ]);
      expectError(await decide(id, { decision: 'maybe', date: '2025-04-10' }), 400, 'VALIDATION', [
        { path: 'decision', code: 'invalid_value' },
      ]);
      expectError(await decide(randomUUID(), { decision: 'accepted', date: '2025-04-10' }), 404, 'NOT_FOUND');
    });
    const res = await decide(id, {
      decision: 'declined',
      date: '2025-04-10',
      reason: 'Behov tillgodoses av vården',
    });
    expect(res.json()).toEqual({ status: 'declined', newReferralId: null, prefill: null });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'details'])
      .where('entity_id', '=', id)
      .where('action', 'like', 'referral.%')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({
      action: 'referral.declined',
      actor_user_id: coordId,
      details: { date: '2025-04-10', reason: 'Behov tillgodoses av vården', newReferralId: null },
    });
  });

  it('redirecting closes the referral and queues a new one, with the same facts and identity, at the other insats', async () => {
    const n = person('man');
    const id = await create(A, '2025-04-01', {
      personnummer: n,
      consentDate: '2025-04-01',
      note: 'Ung vuxen',
    });
    await expectRegisterUnchanged(t, async () => {
      for (const [target, code] of [
        [undefined, 'required'],
        [A, 'same_intervention'],
        [betaInsats, 'unknown_intervention'],
        [randomUUID(), 'unknown_intervention'],
        // The coordinator cannot see C.
        [C, 'unknown_intervention'],
      ] as const)
        expectError(
          await decide(id, { decision: 'redirected', date: '2025-04-20', redirectToInterventionId: target }),
          400,
          'VALIDATION',
          [{ path: 'redirectToInterventionId', code }],
        );
    });
    const res = await decide(id, { decision: 'redirected', date: '2025-04-20', redirectToInterventionId: B });
    expect(res.statusCode).toBe(200);
    const { newReferralId } = res.json() as { newReferralId: string };
    expect(newReferralId).toMatch(/^[0-9a-f-]{36}$/);

    const referrals = await list();
    expect(referrals.find((r) => r.id === id)).toMatchObject({
      status: 'redirected',
      redirectedTo: B,
      decidedAt: '2025-04-20',
      queuePosition: null,
    });
    expect(referrals.find((r) => r.id === newReferralId)).toMatchObject({
      intervention: { id: B },
      referringMember: { id: alfa.members.fk },
      referrerRole: 'Handläggare',
      note: 'Ung vuxen',
      referralDate: '2025-04-20',
      status: 'waiting',
      personnummer: `${n.slice(0, 8)}-XXXX`,
      consentDate: '2025-04-01',
      queuePosition: expect.any(Number),
    });
    const row = await t.database.db
      .selectFrom('referrals')
      .select(['pnr_enc', 'pnr_hash'])
      .where('id', '=', newReferralId)
      .executeTakeFirstOrThrow();
    expect(testPnrCipher.decrypt(row.pnr_enc!)).toBe(n);
    expect(row.pnr_hash).toBe(testPnrCipher.lookupHash(alfa.id, n));

    // A redirected referral is closed: deciding it again would queue the person twice.
    await expectRegisterUnchanged(t, async () => {
      for (const body of [
        { decision: 'redirected', date: '2025-04-21', redirectToInterventionId: B },
        { decision: 'accepted', date: '2025-04-21' },
      ])
        expectError(await decide(id, body), 409, 'CONFLICT', [{ path: 'decision', code: 'closed' }]);
    });
  });

  it('accepting returns the entry prefill; the entry links the referral; the referral cannot be used twice', async () => {
    const n = person();
    const id = await create(A, '2025-05-02', { personnummer: n, consentDate: '2025-05-01' });
    const res = await decide(id, { decision: 'accepted', date: '2025-05-12' });
    expect(res.statusCode).toBe(200);
    const { prefill } = res.json() as { prefill: Record<string, unknown> };
    expect(prefill).toEqual({
      referralId: id,
      interventionId: A,
      referringMemberId: alfa.members.fk,
      personnummer: `${n.slice(0, 8)}-${n.slice(8)}`,
      consentDate: '2025-05-01',
      entryDate: '2025-05-12',
    });

    const entry = await coord.post(
      '/api/associations/alfa/participations',
      entryBody(A, prefill.personnummer as string, '2025-05-12', {
        referralId: id,
        referringMemberId: prefill.referringMemberId,
        consentDate: prefill.consentDate,
      }),
    );
    expect(entry.statusCode).toBe(201);
    const participationId = (entry.json() as { id: string }).id;
    expect((await list(`?interventionId=${A}`)).find((r) => r.id === id)).toMatchObject({
      status: 'accepted',
      decidedAt: '2025-05-12',
      participationId,
    });

    await expectRegisterUnchanged(t, async () => {
      expectError(
        await coord.post(
          '/api/associations/alfa/participations',
          entryBody(A, person(), '2025-05-13', { referralId: id }),
        ),
        400,
        'VALIDATION',
        [{ path: 'referralId', code: 'referral_not_accepted' }],
      );
      expectError(
        await decide(id, { decision: 'declined', date: '2025-05-20', reason: 'Ångrat' }),
        409,
        'CONFLICT',
        [{ path: 'decision', code: 'already_entered' }],
      );
    });
  });

  it('accepting a referral without identity prefills no number', async () => {
    const id = await create(B, '2025-05-02');
    const res = await decide(id, { decision: 'accepted', date: '2025-05-03' });
    expect((res.json() as { prefill: object }).prefill).toEqual({
      referralId: id,
      interventionId: B,
      referringMemberId: alfa.members.fk,
      personnummer: null,
      consentDate: null,
      entryDate: '2025-05-03',
    });
  });

  it('an entry may only link an accepted referral to the same insats', async () => {
    const waiting = await create(A, '2025-06-01');
    const acceptedElsewhere = await create(B, '2025-06-01');
    await decide(acceptedElsewhere, { decision: 'accepted', date: '2025-06-02' });
    await expectRegisterUnchanged(t, async () => {
      for (const referralId of [waiting, acceptedElsewhere, randomUUID()])
        expectError(
          await coord.post(
            '/api/associations/alfa/participations',
            entryBody(A, person(), '2025-06-03', { referralId }),
          ),
          400,
          'VALIDATION',
          [{ path: 'referralId', code: 'referral_not_accepted' }],
        );
    });
  });

  it('no referral number is stored or logged in plain text', async () => {
    expect(numbers.length).toBeGreaterThan(5);
    expect(await plainTextOccurrences(t, numbers)).toEqual([]);
  });
});
