/**
 * Who may see and touch person-level data: insats scoping of coordinators, the board, the auditor
 * and the system administrator (never), other associations (404), masking, and the audit trail of
 * every read.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
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
  forms,
  personnummerLike,
  uniquePnr,
} from '../../../../tests/register.js';
import { expectError } from '../../../../tests/support.js';

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
const as = {} as Record<
  'admin' | 'coordX' | 'coordNone' | 'board' | 'auditor' | 'sysadmin' | 'betaAdmin',
  ApiClient
>;
const userId = {} as Record<'admin' | 'coordX', string>;
let X: string;
let Y: string;
let BX: string;
const numbers: string[] = [];
/** Participations: x1 (ongoing), x2 (exited, corrected), x3 (ongoing); y1 (ongoing), y2 (exited); b1 in beta. */
const p = {} as Record<'x1' | 'x2' | 'x3' | 'y1' | 'y2' | 'b1', string>;
const ref = {} as Record<'x' | 'xAnon' | 'y' | 'b', string>;

function person(sex: 'kvinna' | 'man') {
  const n = uniquePnr(sex, 1988);
  numbers.push(n);
  return n;
}

async function referral(
  client: ApiClient,
  slug: string,
  interventionId: string,
  memberId: string,
  withIdentity: boolean,
) {
  const res = await client.post(`/api/associations/${slug}/referrals`, {
    interventionId,
    referringMemberId: memberId,
    referrerRole: 'Handläggare',
    referralDate: '2025-01-15',
    ...(withIdentity ? { personnummer: person('kvinna'), consentDate: '2025-01-15' } : {}),
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return (res.json() as { id: string }).id;
}

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 2);
  beta = await createAssociationFixture(t, 'beta', 2);
  userId.admin = await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  userId.coordX = await createUserFixture(t, 'coordx@alfa.example', 'coordinator', alfa.id);
  await createUserFixture(t, 'coordnone@alfa.example', 'coordinator', alfa.id);
  await createUserFixture(t, 'board@alfa.example', 'board', alfa.id);
  await createUserFixture(t, 'auditor@alfa.example', 'auditor', alfa.id);
  await createUserFixture(t, 'sysadmin@example.org', 'system_admin');
  await createUserFixture(t, 'admin@beta.example', 'association_admin', beta.id);
  const emails = {
    admin: 'admin@alfa.example',
    coordX: 'coordx@alfa.example',
    coordNone: 'coordnone@alfa.example',
    board: 'board@alfa.example',
    auditor: 'auditor@alfa.example',
    sysadmin: 'sysadmin@example.org',
    betaAdmin: 'admin@beta.example',
  } as const;
  await Promise.all(
    Object.entries(emails).map(async ([key, email]) => {
      as[key as keyof typeof emails] = await login(t, email);
    }),
  );

  X = await createInsats(as.admin, 'alfa', 'Insats X');
  Y = await createInsats(as.admin, 'alfa', 'Insats Y');
  BX = await createInsats(as.betaAdmin, 'beta', 'Betas insats');
  await as.admin.put(`/api/associations/alfa/interventions/${X}/coordinators`, { userIds: [userId.coordX] });

  p.x1 = (await enter(as.coordX, 'alfa', X, person('kvinna'), '2024-02-01')).id;
  p.x2 = (await enter(as.coordX, 'alfa', X, person('man'), '2024-03-01')).id;
  await exit(as.coordX, 'alfa', p.x2, '2024-10-31');
  await as.coordX.put(`/api/associations/alfa/participations/${p.x2}/exit`, {
    ...EXIT,
    exitDate: '2024-10-30',
  });
  p.x3 = (await enter(as.coordX, 'alfa', X, person('man'), '2025-01-20')).id;
  p.y1 = (await enter(as.admin, 'alfa', Y, person('kvinna'), '2024-05-01')).id;
  p.y2 = (await enter(as.admin, 'alfa', Y, person('man'), '2024-06-01')).id;
  await exit(as.admin, 'alfa', p.y2, '2024-12-31');
  p.b1 = (await enter(as.betaAdmin, 'beta', BX, person('kvinna'), '2024-05-01')).id;

  ref.x = await referral(as.coordX, 'alfa', X, alfa.members.fk, true);
  ref.xAnon = await referral(as.coordX, 'alfa', X, alfa.members.af, false);
  ref.y = await referral(as.admin, 'alfa', Y, alfa.members.fk, true);
  ref.b = await referral(as.betaAdmin, 'beta', BX, beta.members.fk, true);
  for (const [interventionId, client] of [
    [X, as.coordX],
    [Y, as.admin],
  ] as const)
    await client.post('/api/associations/alfa/anonymous-participations', {
      interventionId,
      year: 2024,
      sex: 'man',
      count: 3,
    });
});
afterAll(() => t.close());

const A = '/api/associations/alfa';

/** Every person-level request in interventions/routes.ts, aimed at the given resources. */
function personLevelRequests(
  r: { insats: string; participation: string; exited: string; referral: string },
  n: string,
) {
  return [
    ['list participations', 'GET', `${A}/interventions/${r.insats}/participations`, undefined],
    ['get participation', 'GET', `${A}/participations/${r.participation}`, undefined],
    ['identify participation', 'GET', `${A}/participations/${r.participation}?identify=true`, undefined],
    ['register entry', 'POST', `${A}/participations`, entryBody(r.insats, n, '2025-02-01')],
    [
      'register exit',
      'POST',
      `${A}/participations/${r.participation}/exit`,
      { ...EXIT, exitDate: '2025-03-01' },
    ],
    [
      'correct entry',
      'PUT',
      `${A}/participations/${r.participation}/entry`,
      { entryDate: '2024-02-02', municipalityCode: '0102', incomeAtEntry: INCOME, consentDate: '2024-02-01' },
    ],
    ['correct exit', 'PUT', `${A}/participations/${r.exited}/exit`, { ...EXIT, exitDate: '2024-10-29' }],
    [
      'anonymise',
      'POST',
      `${A}/participations/${r.participation}/anonymise`,
      { reason: 'consent_withdrawn' },
    ],
    [
      'add anonymous count',
      'POST',
      `${A}/anonymous-participations`,
      { interventionId: r.insats, year: 2025, sex: 'kvinna', count: 1 },
    ],
    ['list anonymous counts', 'GET', `${A}/interventions/${r.insats}/anonymous-participations`, undefined],
    ['list referrals', 'GET', `${A}/referrals`, undefined],
    ['list referrals of the insats', 'GET', `${A}/referrals?interventionId=${r.insats}`, undefined],
    [
      'create referral',
      'POST',
      `${A}/referrals`,
      {
        interventionId: r.insats,
        referringMemberId: alfa.members.fk,
        referralDate: '2025-02-01',
        personnummer: n,
        consentDate: '2025-02-01',
      },
    ],
    [
      'decide referral',
      'POST',
      `${A}/referrals/${r.referral}/decision`,
      { decision: 'accepted', date: '2025-02-01' },
    ],
  ] as const;
}

async function send(client: ApiClient, method: string, url: string, body: unknown) {
  if (method === 'GET') return client.get(url);
  if (method === 'PUT') return client.put(url, body);
  return client.post(url, body);
}

describe('coordinators see only their own insatser', () => {
  it('a coordinator of X gets 404 for every participation, list, count and referral of Y, and can register nothing there', async () => {
    const n = person('man');
    const requests = personLevelRequests(
      { insats: Y, participation: p.y1, exited: p.y2, referral: ref.y },
      n,
    ).filter(([name]) => name !== 'list referrals' && name !== 'anonymise');
    const got: string[] = [];
    await expectRegisterUnchanged(t, async () => {
      for (const [name, method, url, body] of requests)
        got.push(`${name}: ${(await send(as.coordX, method, url, body)).statusCode}`);
    });
    expect(got).toEqual(requests.map(([name]) => `${name}: 404`));
  });

  it('the referral queue of a coordinator holds only their insatser; an unassigned coordinator sees none', async () => {
    const mine = (await as.coordX.get(`${A}/referrals`)).json() as {
      id: string;
      intervention: { id: string };
    }[];
    expect(mine.map((r) => r.id).sort()).toEqual([ref.x, ref.xAnon].sort());
    expect((await as.coordNone.get(`${A}/referrals`)).json()).toEqual([]);
    const all = (await as.admin.get(`${A}/referrals`)).json() as { id: string }[];
    expect(all.map((r) => r.id).sort()).toEqual([ref.x, ref.xAnon, ref.y].sort());
  });

  it('an unassigned coordinator gets 404 for X as well', async () => {
    const requests = personLevelRequests(
      { insats: X, participation: p.x1, exited: p.x2, referral: ref.x },
      person('kvinna'),
    ).filter(([name]) => name !== 'list referrals' && name !== 'anonymise');
    const got: string[] = [];
    await expectRegisterUnchanged(t, async () => {
      for (const [name, method, url, body] of requests)
        got.push(`${name}: ${(await send(as.coordNone, method, url, body)).statusCode}`);
    });
    expect(got).toEqual(requests.map(([name]) => `${name}: 404`));
  });

  it('coordinators may not anonymise, not even in their own insats: the person may have participations elsewhere (403)', async () => {
    await expectRegisterUnchanged(t, async () => {
      for (const id of [p.x1, p.y1])
        expectError(
          await as.coordX.post(`${A}/participations/${id}/anonymise`, { reason: 'consent_withdrawn' }),
          403,
          'FORBIDDEN',
        );
    });
  });
});

describe('roles without person-level rights', () => {
  for (const role of ['board', 'auditor', 'sysadmin'] as const) {
    it(`${role}: 403 on every person-level endpoint, writing nothing`, async () => {
      const requests = personLevelRequests(
        { insats: X, participation: p.x1, exited: p.x2, referral: ref.x },
        person('man'),
      );
      expect(requests).toHaveLength(14);
      const got: string[] = [];
      await expectRegisterUnchanged(t, async () => {
        for (const [name, method, url, body] of requests) {
          const res = await send(as[role], method, url, body);
          got.push(`${name}: ${res.statusCode} ${(res.json() as { error?: { code: string } }).error?.code}`);
        }
      });
      expect(got).toEqual(requests.map(([name]) => `${name}: 403 FORBIDDEN`));
    });
  }

  it('board and auditor: no response of any GET endpoint of the API carries a personnummer', async () => {
    const spec = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const gets = Object.entries(spec.paths)
      .filter(([, ops]) => 'get' in ops)
      .map(([path]) => path);
    expect(gets).toEqual(
      expect.arrayContaining([
        '/api/associations/{slug}/interventions/{id}/participations',
        '/api/associations/{slug}/audit',
      ]),
    );
    const candidates: Record<string, string[]> = {
      slug: ['alfa', 'beta'],
      id: [X, Y, p.x1, p.x2, ref.x],
      memberId: [alfa.members.fk],
      userId: [userId.coordX],
      year: ['2024', '2025'],
    };
    const urls = new Set<string>();
    for (const path of gets) {
      let variants = [path];
      for (const [param, values] of Object.entries(candidates))
        variants = variants.flatMap((v) =>
          v.includes(`{${param}}`) ? values.map((x) => v.replace(`{${param}}`, x)) : [v],
        );
      for (const v of variants) {
        urls.add(v);
        if (/participations\/[^/]+$/.test(v)) urls.add(`${v}?identify=true`);
      }
    }
    urls.add(`${A}/referrals?interventionId=${X}`);
    // Every page of the audit log (the auditor may read it).
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `${A}/audit?limit=20${cursor ? `&before=${cursor}` : ''}`;
      urls.add(url);
      cursor = ((await as.auditor.get(url)).json() as { nextCursor: string | null }).nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThan(1);

    const ok: Record<string, string[]> = { board: [], auditor: [] };
    const leaks: string[] = [];
    for (const role of ['board', 'auditor'] as const) {
      for (const url of urls) {
        const res = await as[role].get(url);
        if (res.statusCode === 200) ok[role]!.push(url);
        const found = [
          ...personnummerLike(res.body),
          ...numbers.flatMap((n) => forms(n)).filter((f) => res.body.includes(f)),
        ];
        if (found.length) leaks.push(`${role} ${url}: ${found.join(', ')}`);
      }
    }
    expect(leaks).toEqual([]);
    // The scan read real data: the insatser, the association and (for the auditor) the audit log.
    for (const role of ['board', 'auditor'] as const)
      expect(ok[role]).toEqual(
        expect.arrayContaining([
          `${A}/interventions`,
          `${A}/interventions/${X}`,
          `${A}/target-groups`,
          '/api/session',
        ]),
      );
    expect(ok.auditor).toContain(`${A}/audit?limit=20`);
    const audit = (await as.auditor.get(`${A}/audit?limit=200`)).json() as { entries: { action: string }[] };
    expect(audit.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'participation.created',
        'participation.exited',
        'participation.viewed',
        'referral.created',
      ]),
    );
  });
});

describe('other associations', () => {
  it("answers 404 for another association's participations, insatser and referrals, and for its slug", async () => {
    const requests = personLevelRequests(
      { insats: BX, participation: p.b1, exited: p.b1, referral: ref.b },
      person('man'),
    ).filter(([name]) => name !== 'list referrals');
    const got: string[] = [];
    await expectRegisterUnchanged(t, async () => {
      for (const [name, method, url, body] of requests)
        got.push(`${name}: ${(await send(as.admin, method, url, body)).statusCode}`);
      for (const [name, method, url, body] of personLevelRequests(
        { insats: BX, participation: p.b1, exited: p.b1, referral: ref.b },
        person('man'),
      ))
        got.push(
          `beta ${name}: ${(await send(as.admin, method, url.replace(A, '/api/associations/beta'), body)).statusCode}`,
        );
      for (const id of [randomUUID(), 'nonsense'])
        got.push(`unknown ${id.length}: ${(await as.admin.get(`${A}/participations/${id}`)).statusCode}`);
    });
    expect(got.filter((g) => !g.endsWith(': 404'))).toEqual([]);
    expect(got).toHaveLength(requests.length + 14 + 2);
  });
});

describe('masking and identification', () => {
  interface Item {
    id: string;
    person: { personnummer: string; masked: boolean };
  }

  it('lists show only masked numbers', async () => {
    for (const [client, insats] of [
      [as.coordX, X],
      [as.admin, Y],
    ] as const) {
      const res = await client.get(`${A}/interventions/${insats}/participations`);
      const items = (res.json() as { items: Item[] }).items;
      expect(items.length).toBeGreaterThan(1);
      for (const item of items) {
        expect(item.person.personnummer).toMatch(/^\d{8}-XXXX$/);
        expect(item.person.masked).toBe(true);
      }
      expect(personnummerLike(res.body)).toEqual([]);
    }
    const referrals = await as.admin.get(`${A}/referrals`);
    const withIdentity = (referrals.json() as { personnummer: string | null }[]).filter(
      (r) => r.personnummer,
    );
    expect(withIdentity).toHaveLength(2);
    for (const r of withIdentity) expect(r.personnummer).toMatch(/^\d{8}-XXXX$/);
    expect(personnummerLike(referrals.body)).toEqual([]);
  });

  it('?identify=true shows the full number to the coordinator and the admin; otherwise it is masked', async () => {
    for (const [client, id] of [
      [as.coordX, p.x1],
      [as.admin, p.y1],
    ] as const) {
      const full = (await client.get(`${A}/participations/${id}?identify=true`)).json() as Item;
      expect(full.person.personnummer).toMatch(/^\d{8}-\d{4}$/);
      expect(full.person.masked).toBe(false);
      expect(numbers).toContain(full.person.personnummer.replace('-', ''));
      for (const query of ['', '?identify=false']) {
        const masked = (await client.get(`${A}/participations/${id}${query}`)).json() as Item;
        expect(masked.person).toMatchObject({
          personnummer: `${full.person.personnummer.slice(0, 8)}-XXXX`,
          masked: true,
        });
      }
    }
  });
});

describe('audit of person-level reads', () => {
  async function lastAudit() {
    return t.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_user_id', 'entity_type', 'entity_id', 'details'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
  }

  it('a list read names exactly the participations shown', async () => {
    for (const query of ['', '?limit=1&offset=1', '?status=exited', '?sex=kvinna&status=ongoing']) {
      const res = await as.coordX.get(`${A}/interventions/${X}/participations${query}`);
      const shown = (res.json() as { items: { id: string }[] }).items.map((i) => i.id);
      const entry = await lastAudit();
      expect(entry).toMatchObject({
        action: 'participations.listed',
        actor_user_id: userId.coordX,
        entity_type: 'intervention',
        entity_id: X,
      });
      expect((entry.details as { participationIds: string[] }).participationIds).toEqual(shown);
    }
    expect(((await lastAudit()).details as { participationIds: string[] }).participationIds).toEqual([p.x1]);
  });

  it('a detail read is audited as viewed, or as identified when the full number is shown', async () => {
    await as.coordX.get(`${A}/participations/${p.x3}`);
    expect(await lastAudit()).toMatchObject({
      action: 'participation.viewed',
      actor_user_id: userId.coordX,
      entity_type: 'participation',
      entity_id: p.x3,
    });
    await as.admin.get(`${A}/participations/${p.x3}?identify=true`);
    expect(await lastAudit()).toMatchObject({
      action: 'participation.identified',
      actor_user_id: userId.admin,
      entity_id: p.x3,
    });
  });

  it('a referral list read names the identified referrals shown', async () => {
    await as.coordX.get(`${A}/referrals`);
    expect(await lastAudit()).toMatchObject({
      action: 'referrals.listed',
      actor_user_id: userId.coordX,
      details: { referralIds: [ref.x] },
    });
  });
});
