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
  EXIT,
  INCOME,
  createInsats,
  enter,
  entryBody,
  exit,
  expectRegisterUnchanged,
  plainTextOccurrences,
  uniquePnr,
} from '../../../../tests/register.js';
import { expectError } from '../../../../tests/support.js';
import { personnummerCheckDigit } from '../../../shared/personnummer.js';
import { todaySweden } from '../../../shared/dates.js';

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
let admin: ApiClient;
let coord: ApiClient;
let coordId: string;
const ins = {} as Record<'A' | 'B' | 'L' | 'structural' | 'countOnly' | 'beta', string>;
let groups: { id: string; name: string }[];
let betaGroup: string;
/** Every number this file registers, for the plain-text scan at the end. */
const used: string[] = [];

/** A fresh synthetic number born in `year` (remembered for the plain-text scan). */
function person(year: number, sex: 'kvinna' | 'man'): string {
  const n = uniquePnr(sex, year);
  used.push(n);
  return n;
}

function tomorrow(): string {
  const d = new Date(`${todaySweden()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 2);
  beta = await createAssociationFixture(t, 'beta', 3);
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
  ins.A = await createInsats(admin, 'alfa', 'Insats A');
  ins.B = await createInsats(admin, 'alfa', 'Insats B');
  ins.L = await createInsats(admin, 'alfa', 'Listinsatsen');
  ins.structural = await createInsats(admin, 'alfa', 'Kunskapsdialog', {
    direction: 'structural',
    followUp: 'count',
  });
  ins.countOnly = await createInsats(admin, 'alfa', 'Öppen verksamhet', { followUp: 'count' });
  ins.beta = await createInsats(b, 'beta', 'Betainsatsen');
  for (const id of [ins.A, ins.B, ins.L, ins.structural, ins.countOnly])
    await admin.put(`/api/associations/alfa/interventions/${id}/coordinators`, { userIds: [coordId] });
  groups = (await admin.get('/api/associations/alfa/target-groups')).json() as { id: string; name: string }[];
  betaGroup = ((await b.get('/api/associations/beta/target-groups')).json() as { id: string }[])[0]!.id;
});
afterAll(() => t.close());

const P = '/api/associations/alfa/participations';

interface Participation {
  id: string;
  person: { id: string; personnummer: string; masked: boolean; sex: string; birthYear: number };
  entryDate: string;
  exitDate: string | null;
  exitReason: string | null;
  occupationAfter: string | null;
  isReturner: boolean;
  municipalityCode: string;
  incomeAtEntry: { source: string; extentPct: number }[];
  incomeAtExit: { source: string; extentPct: number }[];
  targetGroups: { id: string; name: string }[];
  history: {
    id: string;
    field: string;
    oldValue: unknown;
    newValue: unknown;
    changedAt: string;
    changedBy: string | null;
  }[];
}

const get = async (id: string) => (await coord.get(`${P}/${id}`)).json() as Participation;

describe('entry', () => {
  it('derives sex and birth year from the number and keeps it only encrypted and as a keyed hash', async () => {
    const woman = person(1990, 'kvinna');
    const man = person(1985, 'man');
    const first11 = '19780365983'; // samordningsnummer: born 5 March 1978, day + 60
    const coordination = first11 + personnummerCheckDigit(first11);
    used.push(coordination);

    const cases = [
      { input: woman, digits: woman, sex: 'kvinna', birthYear: 1990 },
      { input: `${man.slice(0, 8)}-${man.slice(8)}`, digits: man, sex: 'man', birthYear: 1985 },
      { input: coordination, digits: coordination, sex: 'man', birthYear: 1978 },
    ];
    for (const c of cases) {
      const res = await coord.post(
        P,
        entryBody(ins.A, c.input, '2025-03-03', { targetGroupIds: [groups[0]!.id] }),
      );
      expect(res.statusCode).toBe(201);
      const p = res.json() as Participation;
      expect(p.person).toMatchObject({
        personnummer: `${c.digits.slice(0, 8)}-XXXX`,
        masked: true,
        sex: c.sex,
        birthYear: c.birthYear,
      });
      expect(p).toMatchObject({
        entryDate: '2025-03-03',
        exitDate: null,
        isReturner: false,
        municipalityCode: '0101',
        incomeAtEntry: INCOME,
      });
      expect(p.targetGroups).toEqual([{ id: groups[0]!.id, name: groups[0]!.name }]);

      const row = await t.database.db
        .selectFrom('persons')
        .selectAll()
        .where('id', '=', p.person.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ association_id: alfa.id, sex: c.sex, birth_year: c.birthYear });
      expect(row.pnr_hash).toBe(testPnrCipher.lookupHash(alfa.id, c.digits));
      expect(testPnrCipher.decrypt(row.pnr_enc)).toBe(c.digits);
      expect(row.pnr_enc).not.toContain(c.digits.slice(2));

      const audit = await t.database.db
        .selectFrom('audit_log')
        .select(['actor_user_id', 'details'])
        .where('action', '=', 'participation.created')
        .where('entity_id', '=', p.id)
        .execute();
      expect(audit).toEqual([
        {
          actor_user_id: coordId,
          details: { interventionId: ins.A, entryDate: '2025-03-03', returner: false },
        },
      ]);
      // The answer shows what was just registered: its one audit entry is the registration.
      const entries = await t.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('entity_id', '=', p.id)
        .execute();
      expect(entries.map((e) => e.action)).toEqual(['participation.created']);
      expect(p.history).toEqual([]);
    }
  });

  it('keeps one person row per number across insatser', async () => {
    const n = person(1992, 'kvinna');
    const a = await enter(coord, 'alfa', ins.A, n, '2025-01-10');
    const b = await enter(coord, 'alfa', ins.B, n, '2025-01-12');
    expect((await get(a.id)).person.id).toBe((await get(b.id)).person.id);
    const rows = await t.database.db
      .selectFrom('persons')
      .select('id')
      .where('pnr_hash', '=', testPnrCipher.lookupHash(alfa.id, n))
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses every invalid field with a field-level error and writes nothing', async () => {
    const n = person(1991, 'man');
    const bad11 = n.slice(0, 11);
    const badLuhn = bad11 + String((Number(n[11]) + 1) % 10);
    const feb30 = `20230230${'983'}`;
    const cases: [string, object, number, string, string][] = [
      ['unknown municipality', { municipalityCode: '9999' }, 400, 'municipalityCode', 'unknown_municipality'],
      [
        "another association's municipality",
        { municipalityCode: '0103' },
        400,
        'municipalityCode',
        'unknown_municipality',
      ],
      ['municipality name', { municipalityCode: 'Stockholm' }, 400, 'municipalityCode', 'format'],
      [
        "another association's target group",
        { targetGroupIds: [groups[0]!.id, betaGroup] },
        400,
        'targetGroupIds.1',
        'unknown_target_group',
      ],
      [
        "another association's member",
        { referringMemberId: beta.members.fk },
        400,
        'referringMemberId',
        'unknown_member',
      ],
      ['structural insats', { interventionId: ins.structural }, 400, 'interventionId', 'not_person_level'],
      ['head-count insats', { interventionId: ins.countOnly }, 400, 'interventionId', 'not_person_level'],
      ['bad check digit', { personnummer: badLuhn }, 400, 'personnummer', 'pnr_luhn'],
      [
        'no such date',
        { personnummer: feb30 + personnummerCheckDigit(feb30) },
        400,
        'personnummer',
        'pnr_date',
      ],
      ['10 digits', { personnummer: n.slice(2) }, 400, 'personnummer', 'pnr_format'],
      [
        'entry in the future',
        { entryDate: tomorrow(), consentDate: '2025-01-01' },
        400,
        'entryDate',
        'future',
      ],
      ['consent in the future', { consentDate: tomorrow() }, 400, 'consentDate', 'future'],
      ['entry date not a date', { entryDate: '2025-02-29' }, 400, 'entryDate', 'date'],
      ['no consent date', { consentDate: undefined }, 400, 'consentDate', 'required'],
      ['no income at entry', { incomeAtEntry: [] }, 400, 'incomeAtEntry', 'too_small'],
      [
        'income source twice',
        { incomeAtEntry: [...INCOME, ...INCOME] },
        400,
        'incomeAtEntry.1.source',
        'duplicate',
      ],
      [
        'extent over 100 %',
        { incomeAtEntry: [{ source: 'salary', extentPct: 101 }] },
        400,
        'incomeAtEntry.0.extentPct',
        'too_big',
      ],
      ['unknown field', { favouriteColour: 'blå' }, 400, 'favouriteColour', 'unknown_field'],
      // Fails after the person and participation rows were written: the transaction must undo both.
      [
        'referral that does not exist',
        { referralId: randomUUID() },
        400,
        'referralId',
        'referral_not_accepted',
      ],
    ];
    await expectRegisterUnchanged(t, async () => {
      for (const [name, change, status, path, code] of cases) {
        const res = await coord.post(P, entryBody(ins.A, n, '2025-04-01', change));
        expect({ name, status: res.statusCode }).toEqual({ name, status });
        expectError(res, status, 'VALIDATION', [{ path, code }]);
      }
      for (const interventionId of [ins.beta, randomUUID()])
        expectError(await coord.post(P, entryBody(interventionId, n, '2025-04-01')), 404, 'NOT_FOUND');
    });
  });

  it('refuses an overlapping participation in the same insats (409 overlap) but allows another insats', async () => {
    const n = person(1988, 'kvinna');
    await enter(coord, 'alfa', ins.A, n, '2025-02-01');
    await expectRegisterUnchanged(t, async () => {
      for (const date of ['2025-02-01', '2025-05-01', '2024-06-01']) {
        expectError(await coord.post(P, entryBody(ins.A, n, date)), 409, 'CONFLICT', [
          { path: 'entryDate', code: 'overlap' },
        ]);
      }
    });
    await enter(coord, 'alfa', ins.B, n, '2025-05-01');
  });

  it('allows a new participation after an exit; a registration error never blocks one', async () => {
    const n = person(1979, 'man');
    const first = await enter(coord, 'alfa', ins.A, n, '2024-01-01');
    await exit(coord, 'alfa', first.id, '2024-05-31');
    await expectRegisterUnchanged(t, async () => {
      // The exit day itself still belongs to the first participation.
      expectError(await coord.post(P, entryBody(ins.A, n, '2024-05-31')), 409, 'CONFLICT', [
        { path: 'entryDate', code: 'overlap' },
      ]);
    });
    const second = await enter(coord, 'alfa', ins.A, n, '2024-06-01');
    const wrong = person(1979, 'man');
    const mistaken = await enter(coord, 'alfa', ins.A, wrong, '2024-03-01');
    await exit(coord, 'alfa', mistaken.id, '2024-03-01', {
      exitReason: 'registration_error',
      occupationAfter: null,
      incomeAtExit: [],
    });
    await enter(coord, 'alfa', ins.A, wrong, '2024-03-02');
    expect((await get(second.id)).entryDate).toBe('2024-06-01');
  });
});

describe('returners', () => {
  it('marks an entry within 365 days of an earlier exit (any insats) as a return, and not one outside', async () => {
    const cases = [
      {
        name: '365 days later, other insats',
        exitDate: '2022-03-01',
        entry: '2023-03-01',
        insats: ins.B,
        returner: true,
      },
      { name: '366 days later', exitDate: '2022-03-01', entry: '2023-03-02', insats: ins.B, returner: false },
      { name: '400 days later', exitDate: '2022-03-01', entry: '2023-04-05', insats: ins.A, returner: false },
      {
        name: '4 months later, same insats',
        exitDate: '2024-01-31',
        entry: '2024-06-01',
        insats: ins.A,
        returner: true,
      },
      {
        name: 'after exit the same day',
        exitDate: '2024-01-31',
        entry: '2024-01-31',
        insats: ins.B,
        returner: true,
      },
    ];
    const got = [];
    for (const c of cases) {
      const n = person(1995, 'kvinna');
      const first = await enter(coord, 'alfa', ins.A, n, '2021-12-01');
      await exit(coord, 'alfa', first.id, c.exitDate);
      const again = await enter(coord, 'alfa', c.insats, n, c.entry);
      const row = await t.database.db
        .selectFrom('participations')
        .select('is_returner')
        .where('id', '=', again.id)
        .executeTakeFirstOrThrow();
      got.push({
        name: c.name,
        returner: again.isReturner,
        stored: row.is_returner,
        first: (await get(first.id)).isReturner,
      });
    }
    expect(got).toEqual(
      cases.map((c) => ({ name: c.name, returner: c.returner, stored: c.returner, first: false })),
    );
  });

  it('does not count an exit for registration error as an earlier participation', async () => {
    const n = person(1996, 'man');
    const mistaken = await enter(coord, 'alfa', ins.A, n, '2024-01-01');
    await exit(coord, 'alfa', mistaken.id, '2024-01-02', {
      exitReason: 'registration_error',
      occupationAfter: null,
      incomeAtExit: [],
    });
    const real = await enter(coord, 'alfa', ins.B, n, '2024-02-01');
    expect(real.isReturner).toBe(false);
  });
});

describe('exit', () => {
  it('stores the exit with occupation and income, audited', async () => {
    const n = person(1983, 'kvinna');
    const p = await enter(coord, 'alfa', ins.A, n, '2024-09-01');
    const res = await coord.post(`${P}/${p.id}/exit`, {
      exitDate: '2025-02-28',
      exitReason: 'studies',
      occupationAfter: 'studies',
      incomeAtExit: [
        { source: 'student_aid', extentPct: 100 },
        { source: 'salary', extentPct: 25 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      exitDate: '2025-02-28',
      exitReason: 'studies',
      occupationAfter: 'studies',
      incomeAtExit: [
        { source: 'student_aid', extentPct: 100 },
        { source: 'salary', extentPct: 25 },
      ],
    });
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'details'])
      .where('action', '=', 'participation.exited')
      .where('entity_id', '=', p.id)
      .execute();
    expect(audit).toEqual([
      { actor_user_id: coordId, details: { exitDate: '2025-02-28', exitReason: 'studies' } },
    ]);
  });

  it('refuses an exit before the entry, in the future, or without occupation or income; nothing is written', async () => {
    const n = person(1984, 'man');
    const p = await enter(coord, 'alfa', ins.A, n, '2024-09-01');
    const url = `${P}/${p.id}/exit`;
    await expectRegisterUnchanged(t, async () => {
      expectError(await coord.post(url, { ...EXIT, exitDate: '2024-08-31' }), 400, 'VALIDATION', [
        { path: 'exitDate', code: 'before_entry' },
      ]);
      expectError(await coord.post(url, { ...EXIT, exitDate: tomorrow() }), 400, 'VALIDATION', [
        { path: 'exitDate', code: 'future' },
      ]);
      expectError(
        await coord.post(url, {
          exitDate: '2025-01-01',
          exitReason: 'work',
          incomeAtExit: EXIT.incomeAtExit,
        }),
        400,
        'VALIDATION',
        [{ path: 'occupationAfter', code: 'required' }],
      );
      expectError(
        await coord.post(url, { exitDate: '2025-01-01', exitReason: 'work', occupationAfter: 'work' }),
        400,
        'VALIDATION',
        [{ path: 'incomeAtExit', code: 'required' }],
      );
      expectError(await coord.post(url, { exitDate: '2025-01-01', exitReason: 'moved' }), 400, 'VALIDATION', [
        { path: 'occupationAfter', code: 'required' },
        { path: 'incomeAtExit', code: 'required' },
      ]);
      expectError(
        await coord.post(url, { ...EXIT, exitDate: '2025-01-01', exitReason: 'retired' }),
        400,
        'VALIDATION',
        [{ path: 'exitReason', code: 'invalid_value' }],
      );
    });
    expect((await get(p.id)).exitDate).toBeNull();
  });

  it('refuses to exit an exited participation (409) and exits a registration error without occupation', async () => {
    const n = person(1986, 'kvinna');
    const p = await enter(coord, 'alfa', ins.A, n, '2024-09-01');
    await exit(coord, 'alfa', p.id, '2024-12-01');
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await coord.post(`${P}/${p.id}/exit`, { ...EXIT, exitDate: '2025-01-01' }),
        409,
        'CONFLICT',
        [{ path: 'exitDate', code: 'already_exited' }],
      );
    });
    const q = await enter(coord, 'alfa', ins.B, n, '2024-09-01');
    const res = await coord.post(`${P}/${q.id}/exit`, {
      exitDate: '2024-09-01',
      exitReason: 'registration_error',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      exitReason: 'registration_error',
      occupationAfter: null,
      incomeAtExit: [],
    });
  });
});

describe('corrections', () => {
  it('keeps every changed entry field in the history (who, when, old, new), visible on the participation', async () => {
    const n = person(1987, 'man');
    const p = await enter(coord, 'alfa', ins.A, n, '2024-02-01', {
      supportMonths: 12,
      educationLevel: 'secondary',
    });
    const before = Date.now();
    const res = await coord.put(`${P}/${p.id}/entry`, {
      entryDate: '2024-02-05',
      municipalityCode: '0102',
      incomeAtEntry: [
        { source: 'social_assistance', extentPct: 100 },
        { source: 'activity_compensation', extentPct: 50 },
      ],
      supportMonths: 18,
      educationLevel: 'secondary',
      targetGroupIds: [groups[1]!.id],
      referringMemberId: alfa.members.fk,
      consentDate: '2024-02-01',
      consentRef: 'Blankett 1',
    });
    expect(res.statusCode).toBe(200);
    const got = res.json() as Participation;
    expect(got).toMatchObject({
      entryDate: '2024-02-05',
      municipalityCode: '0102',
      targetGroups: [{ id: groups[1]!.id, name: groups[1]!.name }],
    });
    const byField = Object.fromEntries(got.history.map((h) => [h.field, h]));
    expect(Object.keys(byField).sort()).toEqual(
      [
        'entryDate',
        'incomeAtEntry',
        'municipalityCode',
        'referringMemberId',
        'supportMonths',
        'targetGroupIds',
      ].sort(),
    );
    expect(byField.entryDate).toMatchObject({
      oldValue: '2024-02-01',
      newValue: '2024-02-05',
      changedBy: 'coord',
    });
    expect(byField.municipalityCode).toMatchObject({ oldValue: '0101', newValue: '0102' });
    expect(byField.supportMonths).toMatchObject({ oldValue: 12, newValue: 18 });
    expect(byField.referringMemberId).toMatchObject({ oldValue: null, newValue: alfa.members.fk });
    expect(byField.targetGroupIds).toMatchObject({ oldValue: [], newValue: [groups[1]!.id] });
    expect(byField.incomeAtEntry).toMatchObject({
      oldValue: INCOME,
      newValue: [
        { source: 'social_assistance', extentPct: 100 },
        { source: 'activity_compensation', extentPct: 50 },
      ],
    });
    for (const h of got.history) expect(Date.parse(h.changedAt)).toBeGreaterThanOrEqual(before - 5_000);
    // The same history on a later read; an identical correction adds nothing.
    expect((await get(p.id)).history).toEqual(got.history);
    const again = await coord.put(`${P}/${p.id}/entry`, {
      entryDate: '2024-02-05',
      municipalityCode: '0102',
      incomeAtEntry: [
        { source: 'activity_compensation', extentPct: 50 },
        { source: 'social_assistance', extentPct: 100 },
      ],
      supportMonths: 18,
      educationLevel: 'secondary',
      targetGroupIds: [groups[1]!.id],
      referringMemberId: alfa.members.fk,
      consentDate: '2024-02-01',
      consentRef: 'Blankett 1',
    });
    expect((again.json() as Participation).history).toEqual(got.history);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['actor_user_id', 'details'])
      .where('action', '=', 'participation.entry_corrected')
      .where('entity_id', '=', p.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_user_id: coordId });
  });

  it('keeps exit corrections in the history and refuses correcting an exit that does not exist', async () => {
    const n = person(1989, 'kvinna');
    const p = await enter(coord, 'alfa', ins.A, n, '2024-02-01');
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await coord.put(`${P}/${p.id}/exit`, { ...EXIT, exitDate: '2024-03-01' }),
        409,
        'CONFLICT',
        [{ path: 'exitDate', code: 'not_exited' }],
      );
    });
    await exit(coord, 'alfa', p.id, '2024-06-30');
    const res = await admin.put(`${P}/${p.id}/exit`, {
      exitDate: '2024-06-28',
      exitReason: 'job_seeking',
      occupationAfter: 'job_seeking',
      incomeAtExit: EXIT.incomeAtExit,
    });
    expect(res.statusCode).toBe(200);
    const history = (res.json() as Participation).history;
    expect(history.map((h) => [h.field, h.oldValue, h.newValue, h.changedBy]).sort()).toEqual(
      [
        ['exitDate', '2024-06-30', '2024-06-28', 'admin'],
        ['exitReason', 'work', 'job_seeking', 'admin'],
        ['occupationAfter', 'work', 'job_seeking', 'admin'],
      ].sort(),
    );
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await coord.put(`${P}/${p.id}/exit`, { ...EXIT, exitDate: '2024-01-31' }),
        400,
        'VALIDATION',
        [{ path: 'exitDate', code: 'before_entry' }],
      );
      expectError(
        await coord.put(`${P}/${p.id}/exit`, { exitDate: '2024-06-28', exitReason: 'work' }),
        400,
        'VALIDATION',
        [{ path: 'occupationAfter', code: 'required' }],
      );
    });
  });

  it('refuses an entry correction after the exit, onto another participation, or with unknown references', async () => {
    const n = person(1990, 'man');
    const first = await enter(coord, 'alfa', ins.A, n, '2023-01-01');
    await exit(coord, 'alfa', first.id, '2023-06-30');
    const second = await enter(coord, 'alfa', ins.A, n, '2023-09-01');
    const body = (change: object) => ({
      entryDate: '2023-09-01',
      municipalityCode: '0101',
      incomeAtEntry: INCOME,
      consentDate: '2023-09-01',
      ...change,
    });
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await coord.put(
          `${P}/${first.id}/entry`,
          body({ entryDate: '2023-07-01', consentDate: '2023-01-01' }),
        ),
        400,
        'VALIDATION',
        [{ path: 'entryDate', code: 'after_exit' }],
      );
      expectError(
        await coord.put(`${P}/${second.id}/entry`, body({ entryDate: '2023-06-01' })),
        409,
        'CONFLICT',
        [{ path: 'entryDate', code: 'overlap' }],
      );
      expectError(
        await coord.put(`${P}/${second.id}/entry`, body({ municipalityCode: '9999' })),
        400,
        'VALIDATION',
        [{ path: 'municipalityCode', code: 'unknown_municipality' }],
      );
      expectError(
        await coord.put(`${P}/${second.id}/entry`, body({ targetGroupIds: [betaGroup] })),
        400,
        'VALIDATION',
        [{ path: 'targetGroupIds.0', code: 'unknown_target_group' }],
      );
      expectError(await coord.put(`${P}/${second.id}/entry`, body({ personnummer: n })), 400, 'VALIDATION', [
        { path: 'personnummer', code: 'unknown_field' },
      ]);
    });
  });

  it('recomputes the returner mark when the entry date moves out of the window', async () => {
    const n = person(1993, 'kvinna');
    const first = await enter(coord, 'alfa', ins.A, n, '2022-01-01');
    await exit(coord, 'alfa', first.id, '2022-06-30');
    const second = await enter(coord, 'alfa', ins.B, n, '2023-06-01');
    expect(second.isReturner).toBe(true);
    const res = await coord.put(`${P}/${second.id}/entry`, {
      entryDate: '2023-07-01',
      municipalityCode: '0101',
      incomeAtEntry: INCOME,
      consentDate: '2023-06-01',
    });
    expect((res.json() as Participation).isReturner).toBe(false);
  });
});

describe('participant list filters', () => {
  it('filters by status, period, sex and target group, with total, limit and offset', async () => {
    const tg = groups[3]!.id;
    const rows = [
      { key: 'ongoing-woman-tg', n: person(1990, 'kvinna'), entry: '2024-01-01', exit: null, groups: [tg] },
      { key: 'ongoing-man', n: person(1990, 'man'), entry: '2025-06-01', exit: null, groups: [] },
      {
        key: 'exited-2023-woman',
        n: person(1990, 'kvinna'),
        entry: '2023-01-01',
        exit: '2023-04-30',
        groups: [tg],
      },
      {
        key: 'exited-2024-man-tg',
        n: person(1990, 'man'),
        entry: '2024-02-01',
        exit: '2024-11-30',
        groups: [tg],
      },
    ];
    const idOf: Record<string, string> = {};
    for (const r of rows) {
      const p = await enter(coord, 'alfa', ins.L, r.n, r.entry, { targetGroupIds: r.groups });
      if (r.exit) await exit(coord, 'alfa', p.id, r.exit);
      idOf[r.key] = p.id;
    }
    const list = async (query: string) => {
      const res = await coord.get(`/api/associations/alfa/interventions/${ins.L}/participations${query}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { total: number; items: Participation[] };
      return {
        total: body.total,
        keys: body.items.map((i) => Object.keys(idOf).find((k) => idOf[k] === i.id)),
      };
    };
    // Newest entry first.
    expect(await list('')).toEqual({
      total: 4,
      keys: ['ongoing-man', 'exited-2024-man-tg', 'ongoing-woman-tg', 'exited-2023-woman'],
    });
    expect(await list('?status=ongoing')).toEqual({ total: 2, keys: ['ongoing-man', 'ongoing-woman-tg'] });
    expect(await list('?status=exited')).toEqual({
      total: 2,
      keys: ['exited-2024-man-tg', 'exited-2023-woman'],
    });
    expect(await list('?sex=kvinna')).toEqual({ total: 2, keys: ['ongoing-woman-tg', 'exited-2023-woman'] });
    expect(await list(`?targetGroupId=${tg}`)).toEqual({
      total: 3,
      keys: ['exited-2024-man-tg', 'ongoing-woman-tg', 'exited-2023-woman'],
    });
    // Active at some point in the period.
    expect(await list('?from=2023-05-01&to=2023-12-31')).toEqual({ total: 0, keys: [] });
    expect(await list('?from=2023-04-30&to=2023-12-31')).toEqual({ total: 1, keys: ['exited-2023-woman'] });
    expect(await list('?from=2024-12-01')).toEqual({ total: 2, keys: ['ongoing-man', 'ongoing-woman-tg'] });
    expect(await list('?to=2024-01-31')).toEqual({
      total: 2,
      keys: ['ongoing-woman-tg', 'exited-2023-woman'],
    });
    expect(await list('?limit=2&offset=1')).toEqual({
      total: 4,
      keys: ['exited-2024-man-tg', 'ongoing-woman-tg'],
    });
    expectError(
      await coord.get(`/api/associations/alfa/interventions/${ins.L}/participations?sex=annan`),
      400,
      'VALIDATION',
      [{ path: 'sex', code: 'invalid_value' }],
    );
  });
});

describe('storage of the number', () => {
  it('no table holds any number of this file in plain text after entries, exits, corrections and reads', async () => {
    const n = person(1994, 'man');
    const p = await enter(coord, 'alfa', ins.B, n, '2024-03-01');
    await exit(coord, 'alfa', p.id, '2024-09-30');
    await coord.put(`${P}/${p.id}/exit`, { ...EXIT, exitDate: '2024-09-29' });
    expect((await coord.get(`${P}/${p.id}?identify=true`)).json()).toMatchObject({
      person: { personnummer: `${n.slice(0, 8)}-${n.slice(8)}` },
    });
    await coord.get(`/api/associations/alfa/interventions/${ins.B}/participations`);
    expect(used.length).toBeGreaterThan(20);
    expect(await plainTextOccurrences(t, used)).toEqual([]);
  });
});

describe('concurrent requests', () => {
  it('two simultaneous overlapping entries of one person into one insats: exactly one is stored', async () => {
    const results: number[][] = [];
    for (let round = 0; round < 6; round++) {
      const n = person(1977, round % 2 ? 'man' : 'kvinna');
      // The person exists already (elsewhere), so no unique insert serialises the two requests.
      await enter(coord, 'alfa', ins.B, n, '2024-01-01');
      const [a, b] = await Promise.all([
        coord.post(P, entryBody(ins.A, n, '2025-01-01')),
        coord.post(P, entryBody(ins.A, n, '2025-02-01')),
      ]);
      results.push([a.statusCode, b.statusCode].sort());
      const rows = await t.database.db
        .selectFrom('participations as p')
        .innerJoin('persons as pe', 'pe.id', 'p.person_id')
        .select('p.id')
        .where('pe.pnr_hash', '=', testPnrCipher.lookupHash(alfa.id, n))
        .where('p.intervention_id', '=', ins.A)
        .execute();
      expect(rows).toHaveLength(1);
    }
    expect(results).toEqual(Array.from({ length: 6 }, () => [201, 409]));
  });

  it('two simultaneous exits of one participation: exactly one is stored', async () => {
    for (let round = 0; round < 4; round++) {
      const p = await enter(coord, 'alfa', ins.B, person(1976, 'man'), '2024-01-01');
      const [a, b] = await Promise.all([
        coord.post(`${P}/${p.id}/exit`, { ...EXIT, exitDate: '2024-06-01' }),
        coord.post(`${P}/${p.id}/exit`, { ...EXIT, exitDate: '2024-07-01', exitReason: 'studies' }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      const exits = await t.database.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'participation.exited')
        .where('entity_id', '=', p.id)
        .execute();
      expect(exits).toHaveLength(1);
    }
  });
});

describe('anonymous participants', () => {
  it('registers counts by year and sex for individual insatser only, audited, and lists their sums', async () => {
    const url = '/api/associations/alfa/anonymous-participations';
    for (const body of [
      { interventionId: ins.countOnly, year: 2024, sex: 'kvinna', count: 3 },
      { interventionId: ins.countOnly, year: 2024, sex: 'kvinna', count: 2 },
      { interventionId: ins.countOnly, year: 2025, sex: 'man', count: 1 },
    ])
      expect((await coord.post(url, body)).statusCode).toBe(201);
    expect(
      (
        await coord.get(`/api/associations/alfa/interventions/${ins.countOnly}/anonymous-participations`)
      ).json(),
    ).toEqual([
      { year: 2025, sex: 'man', count: 1 },
      { year: 2024, sex: 'kvinna', count: 5 },
    ]);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'anonymous.registered')
      .where('entity_id', '=', ins.countOnly)
      .execute();
    expect(audit).toHaveLength(3);
    await expectRegisterUnchanged(t, async () => {
      const base = { interventionId: ins.countOnly, year: 2024, sex: 'man', count: 1 };
      expectError(await coord.post(url, { ...base, interventionId: ins.structural }), 400, 'VALIDATION', [
        { path: 'interventionId', code: 'not_individual' },
      ]);
      expectError(await coord.post(url, { ...base, count: 0 }), 400, 'VALIDATION', [
        { path: 'count', code: 'too_small' },
      ]);
      expectError(await coord.post(url, { ...base, year: 2003 }), 400, 'VALIDATION', [
        { path: 'year', code: 'too_small' },
      ]);
      expectError(await coord.post(url, { ...base, sex: 'okänt' }), 400, 'VALIDATION', [
        { path: 'sex', code: 'invalid_value' },
      ]);
      expectError(await coord.post(url, { ...base, personnummer: person(1970, 'man') }), 400, 'VALIDATION', [
        { path: 'personnummer', code: 'unknown_field' },
      ]);
    });
  });
});
