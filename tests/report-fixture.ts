/**
 * A small register with hand-computed figures for 2025 (see reports.test.ts for the expectations):
 * 10 exits of which 4 to work or studies, a returner, a felregistrering that must vanish, two
 * ongoing, and four anonymous participants that count only in volumes.
 */
import type { TestApp, AssociationFixture } from './helpers.js';
import { testPnrCipher } from './helpers.js';
import type { Scope } from '../src/server/auth/access.js';
import { createIntervention } from '../src/server/modules/interventions/service.js';
import { addAnonymousCount, registerEntry } from '../src/server/modules/participants/service.js';
import { uniquePnr } from './register.js';
import type { ExitReason, Occupation } from '../src/shared/participants.js';

export interface ReportFixture {
  interventionId: string;
  otherInterventionId: string;
}

function addDays(date: string, n: number) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function buildReportFixture(t: TestApp, a: AssociationFixture): Promise<ReportFixture> {
  const { db } = t.database;
  const scope: Scope = { ...a.scope, userId: null };
  const deps = { db, pnr: testPnrCipher };
  const mk = (name: string) =>
    createIntervention(db, scope, {
      name,
      description: '',
      direction: 'individual',
      followUp: 'person',
      esf: false,
      startDate: '2024-01-01',
      endDate: null,
      organiserMemberId: null,
      targetGroupIds: [],
      responsibleUserIds: [],
      plannedParticipants: 20,
      notes: '',
    });
  const insats = await mk('Rapportinsatsen');
  const other = await mk('Annan insats');
  const muni = '0101';
  const entry = (pnr: string, entryDate: string, interventionId = insats.id) => ({
    interventionId,
    personnummer: pnr,
    entryDate,
    municipalityCode: muni,
    incomeAtEntry: [{ source: 'social_assistance' as const, extentPct: 100 }],
    supportMonths: 12,
    educationLevel: null,
    targetGroupIds: [],
    referringMemberId: null,
    consentDate: entryDate,
    consentRef: '',
    referralId: null,
  });
  const exit = (
    exitDate: string,
    occ: Occupation,
    reason: ExitReason = occ === 'work' ? 'work' : occ === 'studies' ? 'studies' : 'other',
  ) => ({
    exitDate,
    exitReason: reason,
    occupationAfter: occ,
    incomeAtExit: [
      { source: occ === 'work' ? ('salary' as const) : ('social_assistance' as const), extentPct: 100 },
    ],
  });
  // Ten exits in 2025; durations 30…300 days → median (120 + 150) / 2 = 135.
  const durations = [30, 60, 90, 100, 120, 150, 180, 200, 250, 300];
  // Women: work, work, studies, job_seeking, other, other. Men: work, job_seeking, other, other.
  const outcomes: { sex: 'kvinna' | 'man'; occ: Occupation }[] = [
    { sex: 'kvinna', occ: 'work' },
    { sex: 'kvinna', occ: 'work' },
    { sex: 'kvinna', occ: 'studies' },
    { sex: 'kvinna', occ: 'job_seeking' },
    { sex: 'kvinna', occ: 'other' },
    { sex: 'kvinna', occ: 'other' },
    { sex: 'man', occ: 'work' },
    { sex: 'man', occ: 'job_seeking' },
    { sex: 'man', occ: 'other' },
    { sex: 'man', occ: 'other' },
  ];
  for (const [i, o] of outcomes.entries()) {
    const start = addDays('2025-01-10', i);
    await registerEntry(deps, scope, entry(uniquePnr(o.sex, 1995), start), {
      exit: exit(addDays(start, durations[i]!), o.occ),
    });
  }
  // A woman exits in 2024 and comes back in 2025: a returner, ongoing at the end of 2025.
  const returner = uniquePnr('kvinna', 1990);
  await registerEntry(deps, scope, entry(returner, '2024-01-10'), {
    exit: exit('2024-06-30', 'other', 'completed'),
  });
  await registerEntry(deps, scope, entry(returner, '2025-03-01'));
  // A man ongoing since May 2025.
  await registerEntry(deps, scope, entry(uniquePnr('man', 1980), '2025-05-01'));
  // A felregistrering: must vanish from every figure.
  await registerEntry(deps, scope, entry(uniquePnr('man', 1985), '2025-02-01'), {
    exit: {
      exitDate: '2025-02-02',
      exitReason: 'registration_error',
      occupationAfter: null,
      incomeAtExit: [],
    },
  });
  // Anonymous: three women and one man in 2025.
  await addAnonymousCount(db, scope, { interventionId: insats.id, year: 2025, sex: 'kvinna', count: 3 });
  await addAnonymousCount(db, scope, { interventionId: insats.id, year: 2025, sex: 'man', count: 1 });
  return { interventionId: insats.id, otherInterventionId: other.id };
}
