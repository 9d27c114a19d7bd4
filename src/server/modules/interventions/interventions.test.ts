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
import { createInsats, expectRegisterUnchanged } from '../../../../tests/register.js';
import { expectError } from '../../../../tests/support.js';
import { DEFAULT_TARGET_GROUPS } from './service.js';
import {
  INTERVENTION_STATUSES,
  STATUS_TRANSITIONS,
  type InterventionStatus,
} from '../../../shared/participants.js';

let t: TestApp;
let alfa: AssociationFixture;
let beta: AssociationFixture;
let admin: ApiClient;
let betaAdmin: ApiClient;
let coordinator: ApiClient;
const ids = {} as Record<'admin' | 'coord1' | 'coord2' | 'board' | 'betaCoord', string>;

beforeAll(async () => {
  t = await createTestApp();
  alfa = await createAssociationFixture(t, 'alfa', 2);
  beta = await createAssociationFixture(t, 'beta', 2);
  ids.admin = await createUserFixture(t, 'admin@alfa.example', 'association_admin', alfa.id);
  ids.coord1 = await createUserFixture(t, 'coord1@alfa.example', 'coordinator', alfa.id);
  ids.coord2 = await createUserFixture(t, 'coord2@alfa.example', 'coordinator', alfa.id);
  ids.board = await createUserFixture(t, 'board@alfa.example', 'board', alfa.id);
  ids.betaCoord = await createUserFixture(t, 'coord@beta.example', 'coordinator', beta.id);
  await createUserFixture(t, 'admin@beta.example', 'association_admin', beta.id);
  [admin, betaAdmin, coordinator] = await Promise.all([
    login(t, 'admin@alfa.example'),
    login(t, 'admin@beta.example'),
    login(t, 'coord1@alfa.example'),
  ]);
});
afterAll(() => t.close());

const url = (path = '', slug = 'alfa') => `/api/associations/${slug}/interventions${path}`;

interface Insats {
  id: string;
  name: string;
  direction: string;
  followUp: string;
  esf: boolean;
  status: InterventionStatus;
  statusDate: string;
  targetGroups: { id: string; name: string }[];
  coordinators: { id: string; name: string }[];
  statusHistory: { status: string; date: string; changedAt: string; changedBy: string | null }[];
}

async function targetGroups(slug = 'alfa', client = slug === 'alfa' ? admin : betaAdmin) {
  return (await client.get(`/api/associations/${slug}/target-groups`)).json() as {
    id: string;
    name: string;
    active: boolean;
  }[];
}

async function auditOf(entityId: string) {
  return t.database.db
    .selectFrom('audit_log')
    .select(['action', 'actor_user_id', 'details'])
    .where('entity_id', '=', entityId)
    .orderBy('id')
    .execute();
}

function fullUpdate(i: Insats, changes: object = {}) {
  return {
    name: i.name,
    description: '',
    startDate: null,
    endDate: null,
    organiserMemberId: null,
    targetGroupIds: i.targetGroups.map((g) => g.id),
    responsibleUserIds: [],
    plannedParticipants: null,
    notes: '',
    ...changes,
  };
}

describe('creating an insats', () => {
  it('stores every field, starts as a dated proposal and is audited', async () => {
    const groups = await targetGroups();
    const body = {
      name: 'Unga vuxna-plattformen',
      description: 'Samordnad plattform för unga 16–29',
      direction: 'individual',
      followUp: 'person',
      esf: true,
      startDate: '2024-01-01',
      endDate: '2026-12-31',
      organiserMemberId: alfa.members.municipalities[0],
      targetGroupIds: [groups[0]!.id, groups[1]!.id],
      responsibleUserIds: [ids.admin],
      plannedParticipants: 120,
      notes: 'Beslutad i styrelsen',
    };
    const res = await admin.post(url(), body);
    expect(res.statusCode).toBe(201);
    const created = res.json() as Insats;
    expect(created).toMatchObject({
      name: body.name,
      description: body.description,
      direction: 'individual',
      followUp: 'person',
      esf: true,
      startDate: '2024-01-01',
      endDate: '2026-12-31',
      organiser: { id: alfa.members.municipalities[0], name: 'Kommun alfa 1' },
      status: 'proposal',
      plannedParticipants: 120,
      notes: body.notes,
      responsible: [{ id: ids.admin, name: 'admin' }],
      coordinators: [],
    });
    expect(created.targetGroups.map((g) => g.id).sort()).toEqual(body.targetGroupIds.sort());
    expect(created.statusHistory).toEqual([
      { status: 'proposal', date: created.statusDate, changedAt: expect.any(String), changedBy: 'admin' },
    ]);
    expect((await admin.get(url(`/${created.id}`))).json()).toEqual(created);
    expect(await auditOf(created.id)).toEqual([
      {
        action: 'intervention.created',
        actor_user_id: ids.admin,
        details: { name: body.name, direction: 'individual', followUp: 'person', esf: true },
      },
    ]);
  });

  it('refuses a name already used in the association, whatever its case; another association may use it', async () => {
    await createInsats(admin, 'alfa', 'Vuxenplattformen Balder');
    await expectRegisterUnchanged(t, async () => {
      for (const name of [
        'Vuxenplattformen Balder',
        'VUXENPLATTFORMEN BALDER',
        '  vuxenplattformen balder ',
      ]) {
        const res = await admin.post(url(), { name, direction: 'individual', followUp: 'person' });
        expectError(res, 409, 'CONFLICT', [{ path: 'name', code: 'duplicate' }]);
      }
    });
    await createInsats(betaAdmin, 'beta', 'Vuxenplattformen Balder');
  });

  it('refuses a structural insats followed up at person level, and an end before the start', async () => {
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await admin.post(url(), { name: 'Kunskapsdialog', direction: 'structural', followUp: 'person' }),
        400,
        'VALIDATION',
        [{ path: 'followUp', code: 'structural_person' }],
      );
      expectError(
        await admin.post(url(), {
          name: 'Baklänges',
          direction: 'individual',
          followUp: 'person',
          startDate: '2025-01-01',
          endDate: '2024-12-31',
        }),
        400,
        'VALIDATION',
        [{ path: 'endDate', code: 'before_start' }],
      );
      expectError(await admin.post(url(), { name: 'Ingen riktning', followUp: 'count' }), 400, 'VALIDATION', [
        { path: 'direction', code: 'invalid_value' },
      ]);
    });
    const structural = await admin.post(url(), {
      name: 'Kunskapsdialog',
      direction: 'structural',
      followUp: 'count',
    });
    expect(structural.statusCode).toBe(201);
  });

  it("refuses another association's organiser, target group or responsible user", async () => {
    const betaGroup = (await targetGroups('beta'))[0]!.id;
    await expectRegisterUnchanged(t, async () => {
      const base = { name: 'Lånade referenser', direction: 'individual', followUp: 'person' };
      expectError(
        await admin.post(url(), { ...base, organiserMemberId: beta.members.fk }),
        400,
        'VALIDATION',
        [{ path: 'organiserMemberId', code: 'unknown_member' }],
      );
      const ownGroup = (await targetGroups())[0]!.id;
      expectError(
        await admin.post(url(), { ...base, targetGroupIds: [ownGroup, betaGroup] }),
        400,
        'VALIDATION',
        [{ path: 'targetGroupIds.1', code: 'unknown_target_group' }],
      );
      expectError(
        await admin.post(url(), { ...base, responsibleUserIds: [ids.betaCoord] }),
        400,
        'VALIDATION',
        [{ path: 'responsibleUserIds.0', code: 'unknown_user' }],
      );
    });
  });
});

describe('editing an insats', () => {
  it('locks direction, follow-up method and ESF flag; unchanged values may be sent', async () => {
    const id = await createInsats(admin, 'alfa', 'Primärvårdsteamet', { esf: false });
    const current = (await admin.get(url(`/${id}`))).json() as Insats;
    await expectRegisterUnchanged(t, async () => {
      for (const [field, value] of [
        ['direction', 'structural'],
        ['followUp', 'count'],
        ['esf', true],
      ] as const) {
        const res = await admin.put(
          url(`/${id}`),
          fullUpdate(current, { name: 'Nytt namn', [field]: value }),
        );
        expectError(res, 400, 'VALIDATION', [{ path: field, code: 'locked' }]);
      }
    });
    const same = await admin.put(
      url(`/${id}`),
      fullUpdate(current, { direction: 'individual', followUp: 'person', esf: false }),
    );
    expect(same.statusCode).toBe(200);
  });

  it('edits every other field and audits before and after', async () => {
    const id = await createInsats(admin, 'alfa', 'Arbetsträning');
    const current = (await admin.get(url(`/${id}`))).json() as Insats;
    const groups = await targetGroups();
    const changes = {
      name: 'Arbetsträning Norr',
      description: 'Ny beskrivning',
      startDate: '2025-02-01',
      endDate: '2025-12-31',
      organiserMemberId: alfa.members.region,
      targetGroupIds: [groups[2]!.id],
      responsibleUserIds: [ids.coord1],
      plannedParticipants: 40,
      notes: 'Anteckning',
    };
    const res = await admin.put(url(`/${id}`), fullUpdate(current, changes));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'Arbetsträning Norr',
      description: 'Ny beskrivning',
      startDate: '2025-02-01',
      endDate: '2025-12-31',
      organiser: { id: alfa.members.region },
      targetGroups: [{ id: groups[2]!.id }],
      responsible: [{ id: ids.coord1 }],
      plannedParticipants: 40,
      notes: 'Anteckning',
      direction: 'individual',
      followUp: 'person',
      esf: false,
    });
    const audit = await auditOf(id);
    expect(audit.at(-1)).toEqual({
      action: 'intervention.updated',
      actor_user_id: ids.admin,
      details: {
        before: { name: 'Arbetsträning', startDate: null, endDate: null },
        after: { name: 'Arbetsträning Norr', startDate: '2025-02-01', endDate: '2025-12-31' },
      },
    });
  });

  it('refuses renaming onto another insats name (409) and an end before the start (400), changing nothing', async () => {
    const id = await createInsats(admin, 'alfa', 'Studiecirkel');
    const current = (await admin.get(url(`/${id}`))).json() as Insats;
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await admin.put(url(`/${id}`), fullUpdate(current, { name: 'PRIMÄRVÅRDSTEAMET' })),
        409,
        'CONFLICT',
        [{ path: 'name', code: 'duplicate' }],
      );
      expectError(
        await admin.put(
          url(`/${id}`),
          fullUpdate(current, { startDate: '2025-05-01', endDate: '2025-04-30' }),
        ),
        400,
        'VALIDATION',
        [{ path: 'endDate', code: 'before_start' }],
      );
    });
  });

  it("answers 404 for another association's insats, an unknown id and a malformed id", async () => {
    const betaId = await createInsats(betaAdmin, 'beta', 'Betas egen');
    const current = (await betaAdmin.get(url(`/${betaId}`, 'beta'))).json() as Insats;
    await expectRegisterUnchanged(t, async () => {
      for (const id of [betaId, randomUUID(), 'not-a-uuid']) {
        expectError(await admin.get(url(`/${id}`)), 404, 'NOT_FOUND');
        expectError(await admin.put(url(`/${id}`), fullUpdate(current, { name: 'Kapad' })), 404, 'NOT_FOUND');
        expectError(
          await admin.post(url(`/${id}/status`), { status: 'preparation', date: '2025-01-01' }),
          404,
          'NOT_FOUND',
        );
        expectError(await admin.put(url(`/${id}/coordinators`), { userIds: [] }), 404, 'NOT_FOUND');
      }
    });
  });
});

describe('lifecycle', () => {
  /** An insats brought to `status` along the shortest allowed path. */
  async function insatsAt(status: InterventionStatus, name: string): Promise<string> {
    const id = await createInsats(admin, 'alfa', name);
    const path: Record<InterventionStatus, InterventionStatus[]> = {
      proposal: [],
      preparation: ['preparation'],
      decided: ['decided'],
      running: ['decided', 'running'],
      ended: ['decided', 'ended'],
      implemented: ['decided', 'running', 'implemented'],
    };
    for (const s of path[status]) {
      const res = await admin.post(url(`/${id}/status`), { status: s, date: '2025-01-01' });
      if (res.statusCode !== 200) throw new Error(res.body);
    }
    return id;
  }

  const pairs = INTERVENTION_STATUSES.flatMap((from) => INTERVENTION_STATUSES.map((to) => ({ from, to })));

  it('allows exactly the transitions of the lifecycle and refuses the rest with `transition`', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const from of INTERVENTION_STATUSES) {
      const id = await insatsAt(from, `Livscykel från ${from}`);
      // Refused moves first: each leaves the insats where it was.
      for (const { to } of pairs.filter((p) => p.from === from && !STATUS_TRANSITIONS[from].includes(p.to))) {
        const res = await expectRegisterUnchanged(t, () =>
          admin.post(url(`/${id}/status`), { status: to, date: '2025-06-01' }),
        );
        want.push(`${from}→${to}: 400 transition`);
        const issue = (res.json() as { error?: { issues?: { path: string; code: string }[] } }).error
          ?.issues?.[0];
        got.push(`${from}→${to}: ${res.statusCode} ${issue?.path === 'status' ? issue.code : res.body}`);
      }
      for (const to of STATUS_TRANSITIONS[from]) {
        const fresh = await insatsAt(from, `Livscykel ${from} till ${to}`);
        const res = await admin.post(url(`/${fresh}/status`), { status: to, date: '2025-06-01' });
        want.push(`${from}→${to}: 200 ${to}`);
        got.push(`${from}→${to}: ${res.statusCode} ${(res.json() as Insats).status}`);
      }
    }
    expect(got).toEqual(want);
    expect(want).toHaveLength(36);
  });

  it('dates every change in the status history and audits it with from, to and date', async () => {
    const id = await createInsats(admin, 'alfa', 'Daterad livscykel');
    const steps = [
      ['preparation', '2024-02-01'],
      ['decided', '2024-03-15'],
      ['running', '2024-04-01'],
      ['ended', '2025-12-31'],
    ] as const;
    let last: Insats | undefined;
    for (const [status, date] of steps) {
      const res = await admin.post(url(`/${id}/status`), { status, date });
      expect(res.statusCode).toBe(200);
      last = res.json() as Insats;
      expect(last).toMatchObject({ status, statusDate: date });
    }
    expect(last!.statusHistory.slice(1)).toEqual(
      steps.map(([status, date]) => ({ status, date, changedAt: expect.any(String), changedBy: 'admin' })),
    );
    const audit = (await auditOf(id)).filter((a) => a.action === 'intervention.status_changed');
    expect(audit.map((a) => a.details)).toEqual([
      { from: 'proposal', to: 'preparation', date: '2024-02-01' },
      { from: 'preparation', to: 'decided', date: '2024-03-15' },
      { from: 'decided', to: 'running', date: '2024-04-01' },
      { from: 'running', to: 'ended', date: '2025-12-31' },
    ]);
    expect(audit.every((a) => a.actor_user_id === ids.admin)).toBe(true);
  });

  it('refuses an invalid status or date', async () => {
    const id = await createInsats(admin, 'alfa', 'Ogiltig status');
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await admin.post(url(`/${id}/status`), { status: 'paused', date: '2025-01-01' }),
        400,
        'VALIDATION',
        [{ path: 'status', code: 'invalid_value' }],
      );
      expectError(
        await admin.post(url(`/${id}/status`), { status: 'preparation', date: '2025-02-30' }),
        400,
        'VALIDATION',
        [{ path: 'date', code: 'date' }],
      );
    });
  });
});

describe('target groups', () => {
  it("every new association starts with the seeds' priority groups", async () => {
    for (const slug of ['alfa', 'beta']) {
      const names = (await targetGroups(slug)).map((g) => g.name);
      expect(names.sort()).toEqual([...DEFAULT_TARGET_GROUPS].sort());
    }
    expect(DEFAULT_TARGET_GROUPS).toContain('Unga 16–29 med aktivitetsersättning');
    expect(DEFAULT_TARGET_GROUPS).toContain('Långvarigt bidrags- och/eller ersättningsberoende');
  });

  it('adds, renames and deactivates a group, audited; a duplicate name (any case) is a 409', async () => {
    const res = await admin.post('/api/associations/alfa/target-groups', { name: 'Nyanlända kvinnor' });
    expect(res.statusCode).toBe(201);
    const group = res.json() as { id: string; name: string; active: boolean };
    expect(group).toMatchObject({ name: 'Nyanlända kvinnor', active: true });

    await expectRegisterUnchanged(t, async () => {
      expectError(
        await admin.post('/api/associations/alfa/target-groups', { name: 'NYANLÄNDA KVINNOR' }),
        409,
        'CONFLICT',
        [{ path: 'name', code: 'duplicate' }],
      );
      expectError(
        await admin.put(`/api/associations/alfa/target-groups/${group.id}`, {
          name: DEFAULT_TARGET_GROUPS[0],
        }),
        409,
        'CONFLICT',
        [{ path: 'name', code: 'duplicate' }],
      );
    });

    const renamed = await admin.put(`/api/associations/alfa/target-groups/${group.id}`, {
      name: 'Nyanlända',
      active: false,
    });
    expect(renamed.json()).toEqual({ id: group.id, name: 'Nyanlända', active: false });
    expect((await targetGroups()).find((g) => g.id === group.id)).toEqual({
      id: group.id,
      name: 'Nyanlända',
      active: false,
    });
    expect((await auditOf(group.id)).map((a) => a.action)).toEqual([
      'target_group.created',
      'target_group.updated',
    ]);
    // The other association's list is its own.
    expect((await targetGroups('beta')).map((g) => g.name)).not.toContain('Nyanlända');
  });

  it("refuses to edit another association's group (404) and a coordinator may not edit the list (403)", async () => {
    const betaGroup = (await targetGroups('beta'))[0]!;
    await expectRegisterUnchanged(t, async () => {
      expectError(
        await admin.put(`/api/associations/alfa/target-groups/${betaGroup.id}`, { name: 'Kapad' }),
        404,
        'NOT_FOUND',
      );
      expectError(
        await coordinator.post('/api/associations/alfa/target-groups', { name: 'Koordinatorns' }),
        403,
        'FORBIDDEN',
      );
    });
    expect((await coordinator.get('/api/associations/alfa/target-groups')).statusCode).toBe(200);
  });
});

describe('coordinators', () => {
  it('assigns and replaces coordinator-role users, audited, and marks the insats as mine for them', async () => {
    const id = await createInsats(admin, 'alfa', 'Koordinerad');
    const res = await admin.put(url(`/${id}/coordinators`), {
      userIds: [ids.coord1, ids.coord2, ids.coord1],
    });
    expect(res.statusCode).toBe(200);
    expect((res.json() as Insats).coordinators.map((c) => c.id).sort()).toEqual(
      [ids.coord1, ids.coord2].sort(),
    );

    const mine = (await coordinator.get(url())).json() as (Insats & { mine: boolean | null })[];
    expect(mine.find((i) => i.id === id)?.mine).toBe(true);
    expect(mine.filter((i) => i.id !== id).every((i) => i.mine === false)).toBe(true);
    expect(
      ((await admin.get(url())).json() as { mine: boolean | null }[]).every((i) => i.mine === null),
    ).toBe(true);

    const replaced = await admin.put(url(`/${id}/coordinators`), { userIds: [ids.coord2] });
    expect((replaced.json() as Insats).coordinators).toEqual([{ id: ids.coord2, name: 'coord2' }]);
    const cleared = await admin.put(url(`/${id}/coordinators`), { userIds: [] });
    expect((cleared.json() as Insats).coordinators).toEqual([]);
    expect(
      (await auditOf(id)).filter((a) => a.action === 'intervention.coordinators_set').map((a) => a.details),
    ).toEqual([{ userIds: [ids.coord1, ids.coord2] }, { userIds: [ids.coord2] }, { userIds: [] }]);
  });

  it('accepts only coordinator-role users of the association, changing nothing otherwise', async () => {
    const id = await createInsats(admin, 'alfa', 'Bara koordinatorer');
    await admin.put(url(`/${id}/coordinators`), { userIds: [ids.coord1] });
    await expectRegisterUnchanged(t, async () => {
      for (const [other, code] of [
        [ids.admin, 'not_coordinator'],
        [ids.board, 'not_coordinator'],
        [ids.betaCoord, 'unknown_user'],
        [randomUUID(), 'unknown_user'],
      ] as const) {
        const res = await admin.put(url(`/${id}/coordinators`), { userIds: [ids.coord2, other] });
        expectError(res, 400, 'VALIDATION', [{ path: 'userIds.1', code }]);
      }
      expectError(
        await coordinator.put(url(`/${id}/coordinators`), { userIds: [ids.coord1] }),
        403,
        'FORBIDDEN',
      );
    });
    expect(((await admin.get(url(`/${id}`))).json() as Insats).coordinators).toEqual([
      { id: ids.coord1, name: 'coord1' },
    ]);
  });
});
