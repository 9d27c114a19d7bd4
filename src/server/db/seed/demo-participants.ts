/**
 * Demo register for Exempelbygden: five insatser modelled on the seeds and about 600 synthetic
 * participations from January 2023 up to the day the demo is made (so this year's dashboard has
 * figures too), with realistic outcomes, returners, a registration error and a few
 * anonymous counts, and the seeds' goals. Every personnummer is synthetic: birth serials 980–999
 * (the range we keep for test numbers) with a valid check digit; no real person's number is used.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../types.js';
import type { PnrCipher } from '../../crypto/pnr.js';
import type { Scope } from '../../auth/access.js';
import { personnummerCheckDigit } from '../../../shared/personnummer.js';
import { daysBetween, todaySweden } from '../../../shared/dates.js';
import type { ExitReason, IncomeSource, Occupation, EducationLevel } from '../../../shared/participants.js';
import {
  createIntervention,
  setCoordinators,
  changeInterventionStatus,
} from '../../modules/interventions/service.js';
import { loadEntryContext, registerEntry } from '../../modules/participants/service.js';
import { recordAudit } from '../../audit/audit.js';
import { saveGoal } from '../../modules/reports/goals.js';
import { DEMO_SLUG } from './demo.js';

/** Small deterministic PRNG (mulberry32) so the demo is the same on every machine. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1]![0];
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A synthetic personnummer: the given birth date, serial 980–999 by index, valid check digit. */
export function syntheticPersonnummer(birthDate: string, index: number, sex: 'kvinna' | 'man'): string {
  const base = birthDate.replace(/-/g, '');
  let serial = 980 + (index % 20);
  if ((serial % 2 === 1) !== (sex === 'man')) serial += serial === 999 ? -1 : 1;
  const first11 = `${base}${serial}`;
  return `${first11}${personnummerCheckDigit(first11)}`;
}

/** The first entry date of the demo register. */
const DEMO_START = '2023-01-09';

export async function seedDemoParticipants(
  db: Kysely<DB>,
  pnr: PnrCipher,
  today: string = todaySweden(),
): Promise<void> {
  // Entries run up to a week before today; an exit is registered once it is two weeks old.
  const entrySpan = Math.max(365, daysBetween(DEMO_START, addDays(today, -7)));
  const lastExit = addDays(today, -14);
  const association = await db
    .selectFrom('associations')
    .select('id')
    .where('slug', '=', DEMO_SLUG)
    .executeTakeFirst();
  if (!association) return;
  const admin = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('association_id', '=', association.id)
    .where('role', '=', 'association_admin')
    .executeTakeFirstOrThrow();
  const coordinator = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('association_id', '=', association.id)
    .where('role', '=', 'coordinator')
    .executeTakeFirst();
  const scope: Scope = {
    associationId: association.id,
    slug: DEMO_SLUG,
    role: 'association_admin',
    userId: admin.user_id,
  };
  const members = await db
    .selectFrom('members')
    .select(['id', 'type', 'municipality_code'])
    .where('association_id', '=', association.id)
    .execute();
  const groups = await db
    .selectFrom('target_groups')
    .select(['id', 'name'])
    .where('association_id', '=', association.id)
    .execute();
  const group = (prefix: string) => groups.find((g) => g.name.startsWith(prefix))!.id;
  const memberOf = (type: string) => members.find((m) => m.type === type)!.id;
  const municipalities = members
    .filter((m) => m.type === 'municipality')
    .map((m) => m.municipality_code!.trim());

  const defs = [
    {
      name: 'Unga vuxna-plattformen',
      ages: [18, 29],
      size: 200,
      groups: [group('Unga 16–29 med'), group('Unga 16–29 som')],
      organiser: 'municipality',
    },
    {
      name: 'Vuxenplattformen Balder',
      ages: [30, 64],
      size: 190,
      groups: [group('Långvarigt'), group('Personer med psykisk')],
      organiser: 'municipality',
    },
    {
      name: 'Primärvårdsteamet',
      ages: [25, 64],
      size: 130,
      groups: [group('Sjukskrivna')],
      organiser: 'region',
    },
    {
      name: 'IPS – individuellt stöd till arbete',
      ages: [20, 45],
      size: 80,
      groups: [group('Personer med psykisk')],
      organiser: 'region',
      esf: true,
    },
  ] as const;
  const ids: string[] = [];
  for (const d of defs) {
    const created = await createIntervention(db, scope, {
      name: d.name,
      description: `Fiktiv demoinsats: ${d.name}.`,
      direction: 'individual',
      followUp: 'person',
      esf: 'esf' in d ? d.esf : false,
      startDate: '2023-01-01',
      endDate: null,
      organiserMemberId: memberOf(d.organiser),
      targetGroupIds: [...d.groups],
      responsibleUserIds: [],
      plannedParticipants: Math.round(d.size / 3),
      notes: '',
    });
    await changeInterventionStatus(db, scope, created.id, 'decided', '2022-11-20');
    await changeInterventionStatus(db, scope, created.id, 'running', '2023-01-01');
    ids.push(created.id);
  }
  const structural = await createIntervention(db, scope, {
    name: 'Kunskapsdialoger och frukostföreläsningar',
    description: 'Strukturövergripande: seminarier för medlemmarnas personal.',
    direction: 'structural',
    followUp: 'count',
    esf: false,
    startDate: '2023-01-01',
    endDate: '2025-12-31',
    organiserMemberId: null,
    targetGroupIds: [],
    responsibleUserIds: [],
    plannedParticipants: null,
    notes: '',
  });
  await changeInterventionStatus(db, scope, structural.id, 'decided', '2022-11-20');
  if (coordinator) await setCoordinators(db, scope, ids[0]!, [coordinator.user_id]);
  if (coordinator) await setCoordinators(db, scope, ids[1]!, [coordinator.user_id]);

  const r = rng(20261128);
  const deps = { db, pnr };
  await db.transaction().execute(async (tx) => {
    const ctx = await loadEntryContext(tx, association.id);
    let personIndex = 0;
    for (const [k, d] of defs.entries()) {
      for (let i = 0; i < d.size; i++) {
        personIndex++;
        const sex = r() < 0.55 ? 'kvinna' : 'man';
        const entryDate = addDays(DEMO_START, Math.floor(r() * entrySpan));
        const age = d.ages[0] + Math.floor(r() * (d.ages[1] - d.ages[0] + 1));
        const birth = addDays(`${Number(entryDate.slice(0, 4)) - age}-01-01`, Math.floor(r() * 360));
        const personnummer = syntheticPersonnummer(birth, personIndex, sex);
        const source = pick<IncomeSource>(r, [
          ['social_assistance', 30],
          ['sickness_benefit', 20],
          ['activity_compensation', k === 0 ? 25 : 5],
          ['unemployment_insurance', 10],
          ['activity_support', 10],
          ['none', 5],
        ]);
        const days = 60 + Math.floor(r() * 420);
        const exitDate = addDays(entryDate, days);
        const exited = exitDate <= lastExit;
        const reason = pick<ExitReason>(r, [
          ['work', 24],
          ['studies', 12],
          ['job_seeking', 12],
          ['health', 12],
          ['other_actor', 10],
          ['completed', 15],
          ['own_request', 8],
          ['moved', 3],
          ['registration_error', 1],
        ]);
        const occupation: Occupation =
          reason === 'work'
            ? 'work'
            : reason === 'studies'
              ? 'studies'
              : reason === 'job_seeking'
                ? 'job_seeking'
                : 'other';
        const exitIncome: IncomeSource =
          occupation === 'work'
            ? 'salary'
            : occupation === 'studies'
              ? 'student_aid'
              : r() < 0.3
                ? 'none'
                : source;
        const input = {
          interventionId: ids[k]!,
          personnummer,
          entryDate,
          municipalityCode: r() < 0.05 ? 'other' : municipalities[Math.floor(r() * municipalities.length)]!,
          incomeAtEntry: [{ source, extentPct: 100 }],
          supportMonths: Math.floor(r() * 120),
          educationLevel: pick<EducationLevel>(r, [
            ['primary', 30],
            ['secondary', 45],
            ['post_secondary_short', 10],
            ['post_secondary_long', 5],
            ['unknown', 10],
          ]),
          targetGroupIds: [d.groups[Math.floor(r() * d.groups.length)]!],
          referringMemberId: members[Math.floor(r() * members.length)]!.id,
          consentDate: entryDate,
          consentRef: `Samtycke ${entryDate.slice(0, 4)}-${String(personIndex).padStart(4, '0')}`,
          referralId: null,
        };
        const exit = exited
          ? {
              exitDate,
              exitReason: reason,
              occupationAfter: reason === 'registration_error' ? null : occupation,
              incomeAtExit: reason === 'registration_error' ? [] : [{ source: exitIncome, extentPct: 100 }],
            }
          : null;
        await registerEntry(deps, scope, input, { tx, ctx, exit });
        // About one in twelve comes back to the same insats within the return window.
        if (exited && reason !== 'registration_error' && r() < 0.08) {
          const again = addDays(exitDate, 30 + Math.floor(r() * 200));
          if (again <= today)
            await registerEntry(
              deps,
              scope,
              { ...input, entryDate: again, consentDate: again },
              { tx, ctx, exit: null },
            );
        }
      }
    }
    // A few anonymous participants (no consent) every year, counted in volumes only.
    const anonymous = [
      ['kvinna', 3],
      ['man', 2],
      ['kvinna', 4],
    ] as const;
    for (let year = 2023; year <= Number(today.slice(0, 4)); year++) {
      const [sex, count] = anonymous[(year - 2023) % anonymous.length]!;
      await tx
        .insertInto('anonymous_participations')
        .values({
          association_id: association.id,
          intervention_id: ids[1]!,
          year,
          exit_year: null,
          sex,
          count,
          source: 'registered',
          import_batch_id: null,
        })
        .execute();
    }
    await recordAudit(tx, {
      associationId: association.id,
      actorUserId: null,
      action: 'demo.seeded',
      entityType: 'association',
      entityId: association.id,
      details: { interventions: ids.length + 1 },
    });
  });
  await seedDemoGoals(db, scope);
}

/**
 * The seeds' goals (seed 004 §8, seed 000): 40 % to work or studies, at least the national average
 * (34 %), 40 people in local cooperation a year, and a survey threshold that reads `no_data` until
 * the survey capability stores answers.
 */
async function seedDemoGoals(db: Kysely<DB>, scope: Scope): Promise<void> {
  const base = {
    periodType: 'year',
    comparator: '>=',
    reference: null,
    validFromYear: 2023,
    validToYear: null,
  } as const;
  await saveGoal(db, scope, null, {
    ...base,
    name: 'Minst 40 % av deltagarna går till arbete eller studier',
    definition: { kind: 'register', figure: 'shareToWorkOrStudies', filter: {} },
    target: 0.4,
  });
  await saveGoal(db, scope, null, {
    ...base,
    name: 'Minst riksgenomsnittet till arbete eller studier',
    definition: { kind: 'register', figure: 'shareToWorkOrStudies', filter: {} },
    // The reference is the goal; the target is the last known national average, for years without one.
    target: 0.34,
    reference: { label: 'Riksgenomsnitt', values: { '2023': 0.34, '2024': 0.34, '2025': 0.34 } },
  });
  await saveGoal(db, scope, null, {
    ...base,
    name: '40 personer (16–64 år) i lokal samverkan under året',
    definition: { kind: 'register', figure: 'uniquePersons', filter: { ageFrom: 16, ageTo: 64 } },
    target: 40,
  });
  await saveGoal(db, scope, null, {
    ...base,
    name: '80 % svarar 7–10 på frågan om insatsens kvalitet',
    definition: {
      kind: 'survey',
      questionnaire: 'Deltagarenkät vid avslut',
      question: 'Hur bedömer du kvaliteten på insatsen?',
      scaleMin: 1,
      scaleMax: 10,
      atLeast: 7,
    },
    target: 0.8,
  });
}
