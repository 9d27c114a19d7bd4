/**
 * The participant export pages through the insatser in name order with a keyset on
 * (entry date, id) inside each, one page after another or several at once. With tiny pages every page boundary falls somewhere: inside a
 * run of equal entry dates, at the end of an insats, between an insats the caller may not see and
 * one they may. The order must still be insats name, entry date, id (as the database orders
 * them), every participation exactly once, the same bytes whatever the page size, and a
 * coordinator gets only their own insatser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Readable } from 'node:stream';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  testPnrCipher,
  type TestApp,
} from '../../../../tests/helpers.js';
import { csv, person, upload } from '../../../../tests/imports.js';
import type { Scope } from '../../auth/access.js';
import { formatPersonnummer } from '../../../shared/personnummer.js';
import { createIntervention, setCoordinators } from '../interventions/service.js';
import { DEFAULT_PAGE_SIZE, exportParticipations, type ExportFormat, type ExportRead } from './export.js';
import { readSheet } from './parse.js';

let t: TestApp;
let admin: Scope;
let coordinator: Scope;
const insats: Record<'ask' | 'bjork' | 'ceder', string> = { ask: '', bjork: '', ceder: '' };

async function text(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

async function exportAs(scope: Scope, format: ExportFormat, pageSize?: number, read: ExportRead = 'pages') {
  const r = await exportParticipations({ db: t.database.db, pnr: testPnrCipher }, scope, {
    format,
    pageSize,
    read,
  });
  return { ...r, bytes: await text(r.stream) };
}

const records = (bytes: Buffer) => parseCsv(bytes, { delimiter: ';', bom: true }) as string[][];

/** The expected order, as the database orders it: insats name, entry date, id. */
async function expectedOrder(interventionIds: string[] | null) {
  const { rows } = await sql<{ name: string; pnr_enc: string; entry_date: string }>`
    SELECT i.name, pe.pnr_enc, p.entry_date
    FROM participations p
    JOIN persons pe ON pe.association_id = p.association_id AND pe.id = p.person_id
    JOIN interventions i ON i.association_id = p.association_id AND i.id = p.intervention_id
    WHERE p.association_id = ${admin.associationId}
      AND (${interventionIds === null} OR p.intervention_id = ANY(${interventionIds ?? []}::uuid[]))
    ORDER BY i.name, p.entry_date, p.id`.execute(t.database.db);
  return rows.map((r) => [r.name, formatPersonnummer(testPnrCipher.decrypt(r.pnr_enc)), r.entry_date]);
}

beforeAll(async () => {
  t = await createTestApp();
  const fx = await createAssociationFixture(t, 'exp-sida', 2);
  const system: Scope = { ...fx.scope, userId: null };
  // Created out of name order, so that creation order cannot pass for name order.
  for (const [key, name] of [
    ['ceder', 'Ceder'],
    ['ask', 'Ask'],
    ['bjork', 'Björk'],
  ] as const)
    insats[key] = (await createIntervention(t.database.db, system, {
      name,
      direction: 'individual',
      followUp: 'person',
      description: '',
      esf: false,
      startDate: null,
      endDate: null,
      organiserMemberId: null,
      targetGroupIds: [],
      responsibleUserIds: [],
      plannedParticipants: null,
      notes: '',
    }))!.id;
  const adminId = await createUserFixture(t, 'admin@exp-sida.example', 'association_admin', fx.id);
  const coordId = await createUserFixture(t, 'samordnare@exp-sida.example', 'coordinator', fx.id);
  await setCoordinators(t.database.db, system, insats.ask, [coordId]);
  await setCoordinators(t.database.db, system, insats.ceder, [coordId]);
  admin = { ...fx.scope, userId: adminId };
  coordinator = { ...fx.scope, role: 'coordinator', userId: coordId };

  const row = (insatsName: string, startdatum: string, over: Record<string, string> = {}) => ({
    insats: insatsName,
    personnummer: person(),
    anonym: 'nej',
    startdatum,
    kommun: '0101',
    försörjning_start: 'sjukpenning:50|försörjningsstöd:50',
    samtycke_datum: startdatum,
    ...over,
  });
  const rows = [
    // Three on one date in Ask: with pages of 1 or 2 a boundary falls inside the run.
    ...['2024-02-01', '2024-02-01', '2024-01-15', '2024-02-01', '2024-03-01'].map((d, i) =>
      row(
        'Ask',
        d,
        i === 1
          ? { målgrupp: 'Unga 16–29 med aktivitetsersättning', remitterande_part: 'Arbetsförmedlingen' }
          : {},
      ),
    ),
    ...['2024-02-01', '2023-12-01', '2024-02-01', '2023-12-01'].map((d) =>
      row('Björk', d, {
        slutdatum: '2024-06-30',
        avslutsanledning: 'arbete',
        sysselsättning_efter: 'arbete',
        försörjning_slut: 'lön',
      }),
    ),
    ...['2024-05-05', '2024-05-05', '2024-05-05'].map((d) => row('Ceder', d, { kommun: 'annan' })),
    { insats: 'Björk', anonym: 'ja', kön: 'man', startdatum: '2024-06-01' },
    { insats: 'Ask', anonym: 'ja', kön: 'kvinna', startdatum: '2023-04-01', slutdatum: '2024-01-10' },
  ];
  const res = await upload(await login(t, 'admin@exp-sida.example'), fx.slug, csv(rows));
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json()).toMatchObject({ imported: 12, anonymous: 2 });
});
afterAll(() => t?.close());

describe('export paging', () => {
  it('orders by insats name, entry date and id across page boundaries, the same bytes for every page size', async () => {
    const full = await exportAs(admin, 'csv');
    const recs = records(full.bytes).slice(1);
    const identified = recs.filter((r) => r[2] === 'nej');
    expect(identified.map((r) => [r[0], r[1], r[4]])).toEqual(await expectedOrder(null));
    expect(identified.map((r) => r[0])).toEqual([
      ...Array(5).fill('Ask'),
      ...Array(4).fill('Björk'),
      ...Array(3).fill('Ceder'),
    ]);
    // The anonymous rows follow, in insats name order; every participation once.
    expect(recs.slice(12).map((r) => [r[0], r[2]])).toEqual([
      ['Ask', 'ja'],
      ['Björk', 'ja'],
    ]);
    expect(full.participations).toBe(12);
    // Income lines, target groups and the referring member come with their own row on any page.
    expect(full.bytes.toString()).toContain('sjukpenning:50|försörjningsstöd:50;');
    expect(
      recs.filter((r) => r[11] === 'Unga 16–29 med aktivitetsersättning' && r[16] === 'Arbetsförmedlingen'),
    ).toHaveLength(1);

    // One page after another (the embedded database's way), and one statement through a cursor
    // (PostgreSQL's), whose pages may span two insatser.
    for (const pageSize of [1, 2, 3, 5, 12, 13])
      expect((await exportAs(admin, 'csv', pageSize)).bytes.equals(full.bytes), `page size ${pageSize}`).toBe(
        true,
      );
    for (const pageSize of [1, 2, 3, 4, 5, 12, 13, undefined])
      expect(
        (await exportAs(admin, 'csv', pageSize, 'cursor')).bytes.equals(full.bytes),
        `cursor, page size ${pageSize}`,
      ).toBe(true);
    expect(DEFAULT_PAGE_SIZE).toBeGreaterThan(12);
  });

  it('a coordinator gets only their own insatser, in the same order, on any page size', async () => {
    const everything = records((await exportAs(admin, 'csv')).bytes);
    const own = everything.filter((r, i) => i === 0 || r[0] !== 'Björk');
    const expected = await expectedOrder([insats.ask, insats.ceder]);
    for (const [pageSize, read] of [
      [1, 'pages'],
      [2, 'pages'],
      [4, 'pages'],
      [undefined, 'pages'],
      [1, 'cursor'],
      [3, 'cursor'],
      [undefined, 'cursor'],
    ] as const) {
      const res = await exportAs(coordinator, 'csv', pageSize, read);
      const recs = records(res.bytes);
      expect(recs).toEqual(own);
      expect(
        recs
          .slice(1)
          .filter((r) => r[2] === 'nej')
          .map((r) => [r[0], r[1], r[4]]),
      ).toEqual(expected);
      expect(res.participations).toBe(8);
    }
    await expect(exportAs(coordinator, 'csv', 0)).rejects.toThrow('Invalid page size');
  });

  it('XLSX holds the same rows in the same order with small pages', async () => {
    const csvRecords = records((await exportAs(admin, 'csv')).bytes);
    for (const how of ['pages', 'cursor'] as const) {
      const x = await exportAs(admin, 'xlsx', 2, how);
      const read: string[][] = [];
      for await (const r of readSheet(x.bytes).rows) read.push(r.cells);
      // exceljs drops trailing empty cells of a row; the CSV keeps them.
      expect(read.map((r) => r.join(';').replace(/;+$/, ''))).toEqual(
        csvRecords.map((r) => r.join(';').replace(/;+$/, '')),
      );
    }
  });

  it('audits each export once, whatever the number of pages, with the insatser it covers', async () => {
    const audits = () =>
      t.database.db
        .selectFrom('audit_log')
        .select(['details', 'actor_user_id'])
        .where('association_id', '=', admin.associationId)
        .where('action', '=', 'participations.exported')
        .orderBy('id')
        .execute();
    const before = (await audits()).length;
    await exportAs(coordinator, 'csv', 1);
    const after = await audits();
    expect(after).toHaveLength(before + 1);
    expect(after[after.length - 1]).toMatchObject({
      actor_user_id: coordinator.userId,
      details: {
        format: 'csv',
        participations: 8,
        anonymous: 1,
        interventionIds: [insats.ask, insats.ceder].sort(),
      },
    });
  });
});
