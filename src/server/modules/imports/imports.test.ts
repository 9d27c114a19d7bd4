/**
 * Participant import and export through the real API on a real database: every error case of the
 * issue, CSV variants (semicolon, comma, Windows-1252), XLSX, re-import, identical files, undo,
 * round trip with export, coordinator scoping and the roles that may not touch person data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  createAssociationFixture,
  createTestApp,
  createUserFixture,
  login,
  testPnrCipher,
  type ApiClient,
  type TestApp,
} from '../../../../tests/helpers.js';
import {
  csv,
  person,
  registerCounts,
  upload,
  windows1252,
  xlsx,
  type Row,
} from '../../../../tests/imports.js';
import type { Scope } from '../../auth/access.js';
import { createIntervention, saveTargetGroup, setCoordinators } from '../interventions/service.js';
import { HEADERS } from './columns.js';

let t: TestApp;
let admin: ApiClient;

interface Assoc {
  slug: string;
  id: string;
  scope: Scope;
  insats: Record<'unga' | 'vuxna' | 'antal' | 'dialog', string>;
}

/** An association with two municipalities (0101, 0102), four insatser and one extra target group. */
async function association(slug: string): Promise<Assoc> {
  const fx = await createAssociationFixture(t, slug, 2);
  const scope: Scope = { ...fx.scope, userId: null };
  const mk = async (name: string, direction: 'individual' | 'structural', followUp: 'person' | 'count') =>
    (await createIntervention(t.database.db, scope, {
      name,
      direction,
      followUp,
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
  const insats = {
    unga: await mk('Unga vuxna på väg', 'individual', 'person'),
    vuxna: await mk('Vuxenplattformen', 'individual', 'person'),
    antal: await mk('Öppen verksamhet', 'individual', 'count'),
    dialog: await mk('Kunskapsdialog', 'structural', 'count'),
  };
  // 'Unga 16–29 med aktivitetsersättning' and the other default groups come with every association.
  await saveTargetGroup(t.database.db, scope, null, { name: 'Långvarigt bidragsberoende', active: true });
  await createUserFixture(t, `admin@${slug}.example`, 'association_admin', fx.id);
  return { slug, id: fx.id, scope, insats };
}

/** A complete row for an identified participant; `over` replaces fields. */
function row(over: Row = {}): Row {
  return {
    insats: 'Unga vuxna på väg',
    personnummer: person(),
    anonym: 'nej',
    startdatum: '2024-03-01',
    kommun: '0101',
    försörjning_start: 'sjukpenning',
    samtycke_datum: '2024-03-01',
    ...over,
  };
}

const EXITED: Row = {
  slutdatum: '2024-10-31',
  avslutsanledning: 'arbete',
  sysselsättning_efter: 'arbete',
  försörjning_slut: 'lön',
};

let a: Assoc;

/** Decrypts a stored number with the test key. */
const testPnr = (enc: string) => testPnrCipher.decrypt(enc);

beforeAll(async () => {
  t = await createTestApp();
  a = await association('imp');
  admin = await login(t, 'admin@imp.example');
});
afterAll(() => t?.close());

async function participationsOf(associationId: string) {
  return t.database.db
    .selectFrom('participations as p')
    .innerJoin('persons as pe', (j) =>
      j.onRef('pe.association_id', '=', 'p.association_id').onRef('pe.id', '=', 'p.person_id'),
    )
    .select([
      'p.id',
      'p.intervention_id',
      'p.entry_date',
      'p.exit_date',
      'p.exit_reason',
      'p.occupation_after',
      'p.municipality_code',
      'p.is_returner',
      'p.import_batch_id',
      'p.exit_import_batch_id',
      'pe.sex',
      'pe.pnr_enc',
    ])
    .where('p.association_id', '=', associationId)
    .execute();
}

describe('import: valid files', () => {
  it('imports identified, exited and anonymous rows from a semicolon UTF-8 CSV with BOM, audited once without personnummer', async () => {
    const p1 = person('man');
    const p2 = person('kvinna');
    const rows = [
      row({
        personnummer: p1,
        kön: 'M',
        kommun: 'Kommun imp 1',
        försörjning_start: 'Sjukpenning:50|FÖRSÖRJNINGSSTÖD:50',
        målgrupp: 'unga 16–29 med aktivitetsersättning|Långvarigt bidragsberoende',
        samtycke_referens: 'Blankett 7',
        utbildningsnivå: 'gymnasial',
        månader_offentlig_försörjning: '18',
        remitterande_part: 'Försäkringskassan',
      }),
      row({
        personnummer: p2,
        insats: 'vuxenplattformen',
        kommun: 'annan',
        ...EXITED,
        försörjning_slut: 'lön:75|a-kassa:25',
      }),
      { insats: 'Unga vuxna på väg', anonym: 'ja', kön: 'kvinna', startdatum: '2025-02-03' },
      {
        insats: 'Öppen verksamhet',
        anonym: 'JA',
        kön: 'K',
        startdatum: '2025-02-04',
        slutdatum: '2025-06-30',
      },
    ];
    const before = await registerCounts(t);
    const res = await upload(admin, a.slug, `\uFEFF${csv(rows)}`, { fileName: 'första.csv' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ imported: 2, anonymous: 2, updated: 0, skipped: 0, dryRun: false });

    const stored = await participationsOf(a.id);
    const first = stored.find((s) => testPnr(s.pnr_enc) === p1.replace('-', ''))!;
    expect(first).toMatchObject({
      intervention_id: a.insats.unga,
      entry_date: '2024-03-01',
      exit_date: null,
      municipality_code: '0101',
      sex: 'man',
      import_batch_id: body.batchId,
    });
    const second = stored.find((s) => testPnr(s.pnr_enc) === p2.replace('-', ''))!;
    expect(second).toMatchObject({
      intervention_id: a.insats.vuxna,
      exit_date: '2024-10-31',
      exit_reason: 'work',
      occupation_after: 'work',
      municipality_code: 'other',
    });
    const income = await t.database.db
      .selectFrom('participation_income')
      .select(['participation_id', 'phase', 'source', 'extent_pct'])
      .where('association_id', '=', a.id)
      .execute();
    expect(
      income
        .filter((i) => i.participation_id === first.id)
        .map((i) => [i.phase, i.source, i.extent_pct])
        .sort(),
    ).toEqual([
      ['entry', 'sickness_benefit', 50],
      ['entry', 'social_assistance', 50],
    ]);
    expect(
      income
        .filter((i) => i.participation_id === second.id && i.phase === 'exit')
        .map((i) => [i.source, i.extent_pct])
        .sort(),
    ).toEqual([
      ['salary', 75],
      ['unemployment_insurance', 25],
    ]);
    const full = await t.database.db
      .selectFrom('participations')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(full).toMatchObject({
      consent_ref: 'Blankett 7',
      education_level: 'secondary',
      support_months: 18,
    });
    expect(full.referring_member_id).not.toBeNull();
    const groups = await t.database.db
      .selectFrom('participation_target_groups')
      .select('target_group_id')
      .where('participation_id', '=', first.id)
      .execute();
    expect(groups).toHaveLength(2);
    const anon = await t.database.db
      .selectFrom('anonymous_participations')
      .selectAll()
      .where('association_id', '=', a.id)
      .orderBy('intervention_id')
      .execute();
    expect(
      anon
        .map((x) => [x.intervention_id, x.year, x.exit_year, x.sex, x.count, x.source, x.import_batch_id])
        .sort(),
    ).toEqual(
      [
        [a.insats.unga, 2025, null, 'kvinna', 1, 'import', body.batchId],
        [a.insats.antal, 2025, 2025, 'kvinna', 1, 'import', body.batchId],
      ].sort(),
    );

    // One audit entry for the batch, and no personnummer anywhere in the log.
    const after = await registerCounts(t);
    expect(after.audit_log - before.audit_log).toBe(1);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'participants.imported')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity_type: 'import_batch', entity_id: body.batchId });
    const log = JSON.stringify(await t.database.db.selectFrom('audit_log').select('details').execute());
    for (const p of [p1, p2]) {
      expect(log).not.toContain(p.replace('-', ''));
      expect(log).not.toContain(p);
    }

    const batch = await admin.get(`/api/associations/${a.slug}/imports/${body.batchId}`);
    expect(batch.statusCode).toBe(200);
    expect(batch.json()).toMatchObject({
      fileName: 'första.csv',
      imported: 2,
      anonymous: 2,
      format: 'csv',
      undoable: true,
    });
    expect(batch.json().interventions).toHaveLength(3);
  });

  it('reads a Windows-1252 file as Swedish Excel saves it', async () => {
    const p = person();
    const text = csv([
      row({
        personnummer: p,
        insats: 'Unga vuxna på väg',
        försörjning_start: 'försörjningsstöd',
        målgrupp: 'Långvarigt bidragsberoende',
      }),
    ]);
    const bytes = windows1252(text);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const res = await upload(admin, a.slug, bytes, { contentType: 'application/vnd.ms-excel' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported: 1 });
  });

  it('reads comma-separated files with quotes, headers in any case and order, LF line ends and Excel’s sep= line', async () => {
    const p = person();
    const headers = [
      'Startdatum',
      'PERSONNUMMER',
      'Insats',
      'Försörjning Start',
      'kommun',
      'Samtycke_Datum',
      'målgrupp',
    ];
    const text = csv(
      [
        {
          startdatum: '2024-05-02',
          personnummer: p,
          insats: 'Unga vuxna på väg',
          'försörjning start': 'sjukpenning:40|a-kassa:60',
          kommun: '101',
          samtycke_datum: '2024-05-02',
          målgrupp: '',
        },
      ],
      { delimiter: ',', headers, eol: '\n' },
    );
    const res = await upload(admin, a.slug, text);
    expect(res.statusCode, res.body).toBe(201);

    const q = person();
    const quoted = `sep=,\n${csv([row({ personnummer: q, samtycke_referens: 'Blankett "B", version 2' })], { delimiter: ',' })}`;
    const res2 = await upload(admin, a.slug, quoted);
    expect(res2.statusCode, res2.body).toBe(201);
    const stored = await t.database.db
      .selectFrom('participations')
      .select('consent_ref')
      .where('consent_ref', 'like', 'Blankett "B"%')
      .execute();
    expect(stored).toEqual([{ consent_ref: 'Blankett "B", version 2' }]);
  });

  it('reads the first sheet of an XLSX file: date cells, numeric personnummer and codes, rich text', async () => {
    const p1 = person('man').replace('-', '');
    const p2 = person('kvinna');
    const file = await xlsx([
      [
        'insats',
        'personnummer',
        'kön',
        'startdatum',
        'slutdatum',
        'kommun',
        'försörjning_start',
        'försörjning_slut',
        'sysselsättning_efter',
        'avslutsanledning',
        'samtycke_datum',
      ],
      [
        'Unga vuxna på väg',
        Number(p1),
        'man',
        new Date(Date.UTC(2024, 0, 15)),
        null,
        101,
        'sjukpenning',
        null,
        null,
        null,
        new Date(Date.UTC(2024, 0, 10)),
      ],
      [],
      [
        { richText: [{ text: 'Vuxen' }, { text: 'plattformen' }] },
        p2,
        'K',
        '2024-02-01',
        '2024-08-30',
        '0102',
        'aktivitetsersättning',
        'studiemedel',
        'studier',
        'studier',
        '2024-02-01',
      ],
    ]);
    const res = await upload(admin, a.slug, file, {
      fileName: 'deltagare.xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported: 2 });
    const batch = (await admin.get(`/api/associations/${a.slug}/imports/${res.json().batchId}`)).json();
    expect(batch.format).toBe('xlsx');
  });

  it('a dry run validates and counts but stores nothing', async () => {
    const before = await registerCounts(t);
    const res = await upload(
      admin,
      a.slug,
      csv([
        row(),
        row({ ...EXITED }),
        { insats: 'Unga vuxna på väg', anonym: 'ja', kön: 'man', startdatum: '2025-01-01' },
      ]),
      { dryRun: true },
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      imported: 2,
      anonymous: 1,
      updated: 0,
      skipped: 0,
      batchId: null,
      dryRun: true,
    });
    expect(await registerCounts(t)).toEqual(before);
  });

  it('offers a template in CSV and XLSX that the import reads as an empty file', async () => {
    const c = await admin.get(`/api/associations/${a.slug}/imports/template?format=csv`);
    expect(c.statusCode).toBe(200);
    expect(c.headers['content-type']).toContain('text/csv');
    const lines = c.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]!.split(';')).toEqual(HEADERS);
    expect(lines[1]!.startsWith('# ')).toBe(true);
    const again = await upload(admin, a.slug, c.rawPayload);
    expect(again.statusCode).toBe(400);
    expect(again.json().error.issues[0]).toMatchObject({ path: 'file', code: 'no_rows' });

    const x = await admin.get(`/api/associations/${a.slug}/imports/template?format=xlsx`);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Deltagare', 'Anvisningar']);
    expect(wb.worksheets[0]!.getRow(1).values).toEqual([undefined, ...HEADERS]);
    const help = JSON.stringify(wb.worksheets[1]!.getSheetValues());
    expect(help).toContain('Unga vuxna på väg');
    expect(help).toContain('Kommun imp 1 (0101)');
    // A filled-in template (example row replaced) imports.
    const sheet = wb.worksheets[0]!;
    sheet.getRow(2).values = HEADERS.map((h) => row({ personnummer: person() })[h] ?? '');
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(admin, a.slug, filled, { contentType: 'application/octet-stream' });
    expect(res.statusCode, res.body).toBe(201);
  });
});

describe('import: invalid files store nothing', () => {
  it('lists every invalid row by row, column and reason', async () => {
    const stored = person();
    const ok = await upload(admin, a.slug, csv([row({ personnummer: stored, startdatum: '2024-03-01' })]));
    expect(ok.statusCode, ok.body).toBe(201);

    const dup = person();
    const badLuhn = person().replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    const rows = [
      row({ personnummer: badLuhn }), // 2
      row({ startdatum: '2024-05-01', ...EXITED, slutdatum: '2024-04-30' }), // 3
      row({ insats: 'Finns inte' }), // 4
      row({ kommun: 'Atlantis' }), // 5
      row({ personnummer: stored, startdatum: '2024-06-01' }), // 6: overlaps the stored, ongoing participation
      row({ ...EXITED, sysselsättning_efter: '' }), // 7
      row({ ...EXITED, avslutsanledning: '' }), // 8
      row({ personnummer: dup }), // 9
      row({ personnummer: dup }), // 10
      row({ insats: 'Kunskapsdialog' }), // 11
      row({ insats: 'Öppen verksamhet' }), // 12
      {
        insats: 'Unga vuxna på väg',
        anonym: 'ja',
        personnummer: person(),
        kön: 'man',
        startdatum: '2025-01-01',
      }, // 13
      row({ startdatum: '2024-13-01', försörjning_start: 'guld|sjukpenning:150', målgrupp: 'Okänd grupp' }), // 14
      row({ startdatum: '2099-01-01', samtycke_datum: '2024-01-01' }), // 15
      row({ kön: 'kvinna', personnummer: person('man') }), // 16
    ];
    const before = await registerCounts(t);
    const res = await upload(admin, a.slug, csv(rows));
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('VALIDATION');
    expect(body.errors).toEqual([
      {
        row: 2,
        column: 'personnummer',
        code: 'personnummer_luhn',
        message: 'Ogiltigt personnummer (kontrollsiffran stämmer inte)',
      },
      { row: 3, column: 'slutdatum', code: 'exit_before_entry', message: 'Slutdatum före startdatum' },
      { row: 4, column: 'insats', code: 'unknown_insats', message: 'Okänd insats' },
      { row: 5, column: 'kommun', code: 'unknown_municipality', message: 'Okänd kommun' },
      {
        row: 6,
        column: 'startdatum',
        code: 'overlaps_stored',
        params: { start: '2024-03-01' },
        message: 'Överlappar en befintlig registrering (start 2024-03-01)',
      },
      {
        row: 7,
        column: 'sysselsättning_efter',
        code: 'occupation_required',
        message: 'Avslut saknar sysselsättning efter',
      },
      {
        row: 8,
        column: 'avslutsanledning',
        code: 'exit_reason_required',
        message: 'Avslut saknar avslutsanledning',
      },
      {
        row: 10,
        column: 'personnummer',
        code: 'duplicate_row',
        params: { row: 9 },
        message: 'Raden är en dubblett av rad 9',
      },
      {
        row: 11,
        column: 'insats',
        code: 'structural_insats',
        message: 'Insatsen är strukturövergripande och har inga deltagare',
      },
      { row: 12, column: 'insats', code: 'count_only_insats', message: expect.stringContaining('anonym=ja') },
      {
        row: 13,
        column: 'personnummer',
        code: 'anonymous_with_personnummer',
        message: 'En anonym deltagare får inte ha personnummer',
      },
      { row: 14, column: 'startdatum', code: 'invalid_date', message: 'Ogiltigt datum: skriv ÅÅÅÅ-MM-DD' },
      {
        row: 14,
        column: 'försörjning_start',
        code: 'unknown_income_source',
        params: { name: 'guld' },
        message: 'Okänd försörjningskälla "guld"',
      },
      {
        row: 14,
        column: 'målgrupp',
        code: 'unknown_target_group',
        params: { name: 'Okänd grupp' },
        message: 'Okänd målgrupp "Okänd grupp"',
      },
      { row: 15, column: 'startdatum', code: 'entry_date_future', message: 'Startdatum ligger i framtiden' },
      { row: 16, column: 'kön', code: 'sex_mismatch', message: 'Kön stämmer inte med personnumret' },
    ]);
    expect(body.errorCount).toBe(16);
    expect(await registerCounts(t)).toEqual(before);
  });

  it('names unknown and missing headers on row 1', async () => {
    const res = await upload(
      admin,
      a.slug,
      'insats;personnr;startdatum;färg\r\nUnga vuxna på väg;x;2024-01-01;blå\r\n',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        row: 1,
        column: 'personnr',
        code: 'unknown_column',
        params: { name: 'personnr' },
        message: 'Okänd kolumn "personnr"',
      },
      {
        row: 1,
        column: 'färg',
        code: 'unknown_column',
        params: { name: 'färg' },
        message: 'Okänd kolumn "färg"',
      },
      {
        row: 1,
        column: 'personnummer',
        code: 'missing_column',
        params: { name: 'personnummer' },
        message: 'Kolumnen "personnummer" saknas',
      },
    ]);
  });

  it('refuses malformed, empty and foreign files with a clear 400, never a 500', async () => {
    const cases: [Buffer | string, string][] = [
      [Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(2000, 7)]), 'Excel-filen kunde inte läsas'],
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]), '.xls'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'varken CSV eller Excel'],
      ['insats;personnummer;startdatum\r\n"Unga vuxna;x;2024-01-01\r\n', 'citattecken'],
      ['', 'tom'],
    ];
    for (const [body, text] of cases) {
      const res = await upload(admin, a.slug, body);
      expect(res.statusCode, `${text}: ${res.body}`).toBe(400);
      expect(res.json().error.message).toContain(text);
    }
    // A truncated XLSX.
    const good = await xlsx([['insats', 'personnummer', 'startdatum']]);
    const cut = await upload(admin, a.slug, good.subarray(0, Math.floor(good.length / 2)));
    expect(cut.statusCode).toBe(400);
    const none = await admin.request({
      method: 'POST',
      url: `/api/associations/${a.slug}/imports`,
      payload: 'x',
      headers: { 'content-type': 'image/png' },
    });
    expect(none.statusCode).toBe(415);
  });

  it('refuses a file over the limit with 413', async () => {
    const big = Buffer.alloc(61 * 1024 * 1024, 0x41);
    const res = await upload(admin, a.slug, big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('60 MB'),
    });
  });
});

describe('re-import and batches', () => {
  it('skips rows already stored and adds exits to ongoing participations', async () => {
    const p1 = person();
    const p2 = person();
    const first = await upload(admin, a.slug, csv([row({ personnummer: p1 }), row({ personnummer: p2 })]));
    expect(first.statusCode, first.body).toBe(201);
    const p3 = person();
    const second = await upload(
      admin,
      a.slug,
      csv([row({ personnummer: p1 }), row({ personnummer: p2, ...EXITED }), row({ personnummer: p3 })]),
    );
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json()).toMatchObject({ imported: 1, updated: 1, skipped: 1, anonymous: 0 });
    const exited = (await participationsOf(a.id)).find(
      (p) => p.exit_import_batch_id === second.json().batchId,
    )!;
    expect(exited).toMatchObject({
      exit_date: '2024-10-31',
      exit_reason: 'work',
      import_batch_id: first.json().batchId,
    });

    // The same exit again is skipped; a different exit date is a conflict.
    const third = await upload(
      admin,
      a.slug,
      csv([
        row({ personnummer: p2, ...EXITED }),
        row({ personnummer: p3 }),
        row({ personnummer: p1, startdatum: '2024-03-01' }),
      ]) + '\r\n',
    );
    expect(third.json()).toMatchObject({ imported: 0, updated: 0, skipped: 3 });
    const conflict = await upload(
      admin,
      a.slug,
      csv([row({ personnummer: p2, ...EXITED, slutdatum: '2024-11-15' })]),
    );
    expect(conflict.json().errors).toEqual([
      {
        row: 2,
        column: 'slutdatum',
        code: 'already_exited',
        params: { start: '2024-03-01', exit: '2024-10-31' },
        message: 'Registreringen (start 2024-03-01) är redan avslutad 2024-10-31',
      },
    ]);
  });

  it('marks returners and accepts a closed period followed by a new one in the same file', async () => {
    const p = person();
    const res = await upload(
      admin,
      a.slug,
      csv([
        row({ personnummer: p, startdatum: '2024-01-10', ...EXITED, slutdatum: '2024-02-20' }),
        row({ personnummer: p, startdatum: '2024-05-02', samtycke_datum: '2024-05-02' }),
      ]),
    );
    expect(res.statusCode, res.body).toBe(201);
    const rows = (await participationsOf(a.id))
      .filter((r) => r.import_batch_id === res.json().batchId)
      .sort((x, y) => x.entry_date.localeCompare(y.entry_date));
    expect(rows.map((r) => r.is_returner)).toEqual([false, true]);
    const overlapping = await upload(
      admin,
      a.slug,
      csv([row({ personnummer: p, startdatum: '2024-02-01', ...EXITED, slutdatum: '2024-03-01' })]),
    );
    expect(overlapping.json().errors).toEqual([
      {
        row: 2,
        column: 'startdatum',
        code: 'overlaps_stored',
        params: { start: '2024-01-10' },
        message: 'Överlappar en befintlig registrering (start 2024-01-10)',
      },
    ]);
  });

  it('refuses an identical file, naming when it was imported, unless forced', async () => {
    const text = csv([
      row(),
      { insats: 'Unga vuxna på väg', anonym: 'ja', kön: 'man', startdatum: '2025-03-03' },
    ]);
    const first = await upload(admin, a.slug, text, { fileName: 'samma.csv' });
    expect(first.statusCode, first.body).toBe(201);
    const before = await registerCounts(t);
    const again = await upload(admin, a.slug, text, { fileName: 'samma igen.csv' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(
      /^Filen är redan importerad \d{4}-\d{2}-\d{2} kl\. \d{2}:\d{2} av admin \(samma\.csv\)/,
    );
    expect(await registerCounts(t)).toEqual(before);
    const forced = await upload(admin, a.slug, text, { force: true });
    expect(forced.statusCode, forced.body).toBe(201);
    expect(forced.json()).toMatchObject({ imported: 0, skipped: 1, anonymous: 1 });
  });

  it('undoes a batch as a whole, and not once something was registered on top of it', async () => {
    const p1 = person();
    const p2 = person();
    const base = await upload(admin, a.slug, csv([row({ personnummer: p1 })]));
    expect(base.statusCode).toBe(201);
    const before = await registerCounts(t);
    const text = csv([
      row({ personnummer: p1, ...EXITED }),
      row({ personnummer: p2 }),
      { insats: 'Unga vuxna på väg', anonym: 'ja', kön: 'man', startdatum: '2025-04-01' },
    ]);
    const batch = await upload(admin, a.slug, text, { fileName: 'ångra mig.csv' });
    expect(batch.json()).toMatchObject({ imported: 1, updated: 1, anonymous: 1 });
    const id = batch.json().batchId as string;

    const undo = await admin.post(`/api/associations/${a.slug}/imports/${id}/undo`);
    expect(undo.statusCode, undo.body).toBe(200);
    expect(undo.json().reverted).toEqual({ participations: 1, exits: 1, anonymous: 1, persons: 1 });
    const after = await registerCounts(t);
    // Everything is as before, plus the batch row (kept, marked undone) and two audit entries.
    expect(after).toEqual({
      ...before,
      import_batches: before.import_batches + 1,
      audit_log: before.audit_log + 2,
    });
    const reopened = (await participationsOf(a.id)).find((p) => p.import_batch_id === base.json().batchId)!;
    expect(reopened).toMatchObject({ exit_date: null, exit_reason: null, exit_import_batch_id: null });
    const exitIncome = await t.database.db
      .selectFrom('participation_income')
      .select('source')
      .where('participation_id', '=', reopened.id)
      .where('phase', '=', 'exit')
      .execute();
    expect(exitIncome).toEqual([]);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((x) => x.action)).toEqual(['participants.imported', 'participants.import_undone']);
    expect((await admin.get(`/api/associations/${a.slug}/imports/${id}`)).json()).toMatchObject({
      undoable: false,
      undoneAt: expect.any(String),
      undoneBy: 'admin',
    });
    expect((await admin.post(`/api/associations/${a.slug}/imports/${id}/undo`)).statusCode).toBe(409);

    // The undone file can be imported again; then an exit registered in the app blocks the undo.
    const redo = await upload(admin, a.slug, text);
    expect(redo.statusCode, redo.body).toBe(201);
    const created = (await participationsOf(a.id)).find((p) => p.import_batch_id === redo.json().batchId)!;
    const exit = await admin.post(`/api/associations/${a.slug}/participations/${created.id}/exit`, {
      exitDate: '2025-01-31',
      exitReason: 'studies',
      occupationAfter: 'studies',
      incomeAtExit: [{ source: 'student_aid', extentPct: 100 }],
    });
    expect(exit.statusCode, exit.body).toBe(200);
    const review = (await admin.get(`/api/associations/${a.slug}/imports/${redo.json().batchId}`)).json();
    expect(review).toMatchObject({
      undoable: false,
      undoBlockedReason: expect.stringContaining('1 av dess registreringar'),
    });
    const blocked = await admin.post(`/api/associations/${a.slug}/imports/${redo.json().batchId}/undo`);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().error.issues[0].code).toBe('changed_since_import');

    const list = await admin.get(`/api/associations/${a.slug}/imports`);
    expect(list.statusCode).toBe(200);
    expect(list.json().find((b: { id: string }) => b.id === id)).toMatchObject({
      fileName: 'ångra mig.csv',
      undoneAt: expect.any(String),
    });
  });
});

describe('export and round trip', () => {
  async function exportCsv(client: ApiClient, slug: string, query = '') {
    const res = await client.get(`/api/associations/${slug}/participations/export?format=csv${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res;
  }
  const records = (text: string) =>
    (parseCsv(text, { delimiter: ';', bom: true }) as string[][])
      .slice(1)
      .map((r) => r.join(';'))
      .sort();

  it('exports in the import format; importing the export into an empty association reproduces the register', async () => {
    const src = await association('rt-kalla');
    const srcAdmin = await login(t, 'admin@rt-kalla.example');
    const p = person();
    const rows = [
      row({
        personnummer: p,
        startdatum: '2023-02-01',
        samtycke_datum: '2023-02-01',
        ...EXITED,
        slutdatum: '2023-09-30',
        försörjning_start: 'sjukpenning:50|försörjningsstöd:50',
        målgrupp: 'Långvarigt bidragsberoende',
      }),
      row({
        personnummer: p,
        startdatum: '2024-01-15',
        samtycke_datum: '2024-01-15',
        kommun: 'annan',
        remitterande_part: 'Arbetsförmedlingen',
        utbildningsnivå: 'eftergymnasial ≥ 3 år',
        månader_offentlig_försörjning: '0',
      }),
      row({
        insats: 'Vuxenplattformen',
        försörjning_start: 'a-kassa',
        ...EXITED,
        avslutsanledning: 'felregistrering',
        sysselsättning_efter: '',
        försörjning_slut: '',
      }),
      row({ samtycke_referens: '=HYPERLINK("x")', kommun: '0102' }),
      ...[1, 2, 3].map(() => ({
        insats: 'Öppen verksamhet',
        anonym: 'ja',
        kön: 'man',
        startdatum: '2024-06-01',
        slutdatum: '2025-01-10',
      })),
      { insats: 'Unga vuxna på väg', anonym: 'ja', kön: 'kvinna', startdatum: '2023-04-01' },
    ];
    const imported = await upload(srcAdmin, src.slug, csv(rows));
    expect(imported.statusCode, imported.body).toBe(201);

    const first = await exportCsv(srcAdmin, src.slug);
    expect(first.headers['content-type']).toContain('text/csv');
    expect(first.headers['content-disposition']).toMatch(
      /attachment; filename="deltagare-rt-kalla-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const firstRecords = records(first.body);
    expect(firstRecords).toHaveLength(8);
    expect(first.body).toContain(p); // the full number: this export is for re-import
    expect(first.body).toContain("'=HYPERLINK"); // no formula for Excel

    const dst = await association('rt-mal');
    const dstAdmin = await login(t, 'admin@rt-mal.example');
    const back = await upload(dstAdmin, dst.slug, first.rawPayload);
    expect(back.statusCode, back.body).toBe(201);
    expect(back.json()).toMatchObject({ imported: 4, anonymous: 4 });
    const second = await exportCsv(dstAdmin, dst.slug);
    expect(records(second.body)).toEqual(firstRecords);
    const flags = async (id: string) =>
      (await participationsOf(id)).map((r) => `${r.entry_date}:${r.is_returner}`).sort();
    expect(await flags(dst.id)).toEqual(await flags(src.id));

    // XLSX too, into a third association.
    const x = await srcAdmin.get(`/api/associations/${src.slug}/participations/export?format=xlsx`);
    expect(x.statusCode).toBe(200);
    const third = await association('rt-xlsx');
    const thirdAdmin = await login(t, 'admin@rt-xlsx.example');
    const viaXlsx = await upload(thirdAdmin, third.slug, x.rawPayload, { fileName: 'export.xlsx' });
    expect(viaXlsx.statusCode, viaXlsx.body).toBe(201);
    expect(records((await exportCsv(thirdAdmin, third.slug)).body)).toEqual(firstRecords);

    // The export is a person-level read: audited with the count and the insatser.
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('association_id', '=', src.id)
      .where('action', '=', 'participations.exported')
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]!.details).toMatchObject({
      participations: 4,
      anonymous: 4,
      interventionIds: expect.arrayContaining([src.insats.unga, src.insats.vuxna]),
    });
    expect(JSON.stringify(audit)).not.toContain(p);
  });
});

describe('access', () => {
  let coordinator: ApiClient;

  beforeAll(async () => {
    const coordId = await createUserFixture(t, 'samordnare@imp.example', 'coordinator', a.id);
    await setCoordinators(t.database.db, { ...a.scope, userId: null }, a.insats.vuxna, [coordId]);
    coordinator = await login(t, 'samordnare@imp.example');
    await createUserFixture(t, 'styrelse@imp.example', 'board', a.id);
    await createUserFixture(t, 'revisor@imp.example', 'auditor', a.id);
  });

  it('a coordinator imports only into their own insatser and exports only those', async () => {
    const denied = await upload(
      coordinator,
      a.slug,
      csv([row({ insats: 'Vuxenplattformen' }), row({ insats: 'Unga vuxna på väg' })]),
    );
    expect(denied.statusCode).toBe(400);
    expect(denied.json().errors).toEqual([
      { row: 3, column: 'insats', code: 'unknown_insats', message: 'Okänd insats' },
    ]);

    const own = await upload(
      coordinator,
      a.slug,
      csv([
        row({ insats: 'Vuxenplattformen' }),
        { insats: 'Vuxenplattformen', anonym: 'ja', kön: 'man', startdatum: '2025-01-01' },
      ]),
    );
    expect(own.statusCode, own.body).toBe(201);

    const res = await coordinator.get(`/api/associations/${a.slug}/participations/export?format=csv`);
    expect(res.statusCode).toBe(200);
    const insatser = new Set(
      (parseCsv(res.body, { delimiter: ';', bom: true }) as string[][]).slice(1).map((r) => r[0]),
    );
    expect([...insatser]).toEqual(['Vuxenplattformen']);
    const all = await admin.get(`/api/associations/${a.slug}/participations/export?format=csv`);
    expect(
      new Set((parseCsv(all.body, { delimiter: ';', bom: true }) as string[][]).slice(1).map((r) => r[0]))
        .size,
    ).toBeGreaterThan(1);
    expect(
      (
        await coordinator.get(
          `/api/associations/${a.slug}/participations/export?format=csv&interventionId=${a.insats.unga}`,
        )
      ).statusCode,
    ).toBe(404);

    // Own batches only; another user's batch is not found.
    const batches = (await coordinator.get(`/api/associations/${a.slug}/imports`)).json() as { id: string }[];
    expect(batches.map((b) => b.id)).toEqual([own.json().batchId]);
    const others = (await admin.get(`/api/associations/${a.slug}/imports`)).json() as { id: string }[];
    const foreign = others.find((b) => b.id !== own.json().batchId)!;
    expect((await coordinator.get(`/api/associations/${a.slug}/imports/${foreign.id}`)).statusCode).toBe(404);
    expect(
      (await coordinator.post(`/api/associations/${a.slug}/imports/${foreign.id}/undo`)).statusCode,
    ).toBe(404);
  });

  it('the board and the auditor get 403 on import, export, template and batches', async () => {
    for (const email of ['styrelse@imp.example', 'revisor@imp.example']) {
      const c = await login(t, email);
      const before = await registerCounts(t);
      const res = [
        await upload(c, a.slug, csv([row()])),
        await c.get(`/api/associations/${a.slug}/participations/export?format=csv`),
        await c.get(`/api/associations/${a.slug}/participations/export?format=xlsx`),
        await c.get(`/api/associations/${a.slug}/imports/template?format=xlsx`),
        await c.get(`/api/associations/${a.slug}/imports`),
      ];
      expect(res.map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403]);
      expect(await registerCounts(t)).toEqual(before);
    }
  });

  it('other associations and anonymous callers get nothing', async () => {
    const other = await association('imp-annan');
    const otherAdmin = await login(t, `admin@${other.slug}.example`);
    expect((await upload(otherAdmin, a.slug, csv([row()]))).statusCode).toBe(404);
    expect((await otherAdmin.get(`/api/associations/${a.slug}/participations/export`)).statusCode).toBe(404);
    const anon = await t.app.inject({
      method: 'GET',
      url: `/api/associations/${a.slug}/participations/export`,
    });
    expect(anon.statusCode).toBe(401);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM import_batches WHERE association_id = ${other.id}`.execute(
      t.database.db,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
