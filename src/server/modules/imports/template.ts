/**
 * The import template: the headers and one example row that the import ignores (its first cell
 * starts with `#`). The XLSX template also has an instructions sheet listing every column and the
 * association's own insatser, municipalities, target groups and members; the import reads only
 * the first sheet.
 */
import type { Kysely } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { DB } from '../../db/types.js';
import type { Scope } from '../../auth/access.js';
import { EDUCATION_LEVELS, EXIT_REASONS, INCOME_SOURCES, OCCUPATIONS } from '../../../shared/participants.js';
import { allowedInterventionIds } from '../interventions/access.js';
import { COLUMNS, HEADERS } from './columns.js';
import { requirePermission } from './service.js';

const exampleRow = (): string[] => COLUMNS.map((c, i) => (i === 0 ? `# ${c.example}` : c.example));

export function csvTemplate(): Buffer {
  return Buffer.from(
    stringify([HEADERS, exampleRow()], { delimiter: ';', bom: true, record_delimiter: 'windows' }),
    'utf8',
  );
}

export async function xlsxTemplate(db: Kysely<DB>, scope: Scope): Promise<Buffer> {
  requirePermission(scope, 'participants.write');
  const [interventions, members, groups, allowed] = await Promise.all([
    db
      .selectFrom('interventions')
      .select(['id', 'name', 'follow_up'])
      .where('association_id', '=', scope.associationId)
      .where('direction', '=', 'individual')
      .orderBy('name')
      .execute(),
    db
      .selectFrom('members')
      .select(['name', 'type', 'municipality_code'])
      .where('association_id', '=', scope.associationId)
      .orderBy('name')
      .execute(),
    db
      .selectFrom('target_groups')
      .select('name')
      .where('association_id', '=', scope.associationId)
      .where('active', '=', true)
      .orderBy('name')
      .execute(),
    allowedInterventionIds(db, scope),
  ]);
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Samverka';

  const ws = wb.addWorksheet('Deltagare');
  ws.columns = HEADERS.map((h) => ({
    header: h,
    key: h,
    width: Math.max(14, h.length + 4),
    style: { numFmt: '@' },
  }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const example = ws.addRow(exampleRow());
  example.font = { italic: true, color: { argb: 'FF666666' } };
  ws.getCell('A2').note = 'Exempelrad: rader som börjar med # läses inte. Ta bort den eller skriv över den.';

  const help = wb.addWorksheet('Anvisningar');
  help.columns = [
    { header: 'Kolumn', key: 'c', width: 30 },
    { header: 'Obligatorisk', key: 'r', width: 14 },
    { header: 'Innehåll', key: 'h', width: 100 },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of COLUMNS) help.addRow({ c: c.header, r: c.required ? 'ja' : 'nej', h: c.help });
  const list = (title: string, values: string[]) => {
    help.addRow([]);
    help.addRow([title]).font = { bold: true };
    for (const v of values) help.addRow(['', '', v]);
  };
  list(
    'Insatser (individinriktade)',
    interventions
      .filter((i) => allowed === null || allowed.includes(i.id))
      .map((i) => i.name + (i.follow_up === 'count' ? ' (endast anonyma, antal)' : '')),
  );
  list('Kommuner (namn eller kod)', [
    ...members.filter((m) => m.type === 'municipality').map((m) => `${m.name} (${m.municipality_code})`),
    'annan',
  ]);
  list(
    'Målgrupper',
    groups.map((g) => g.name),
  );
  list('Försörjning', Object.values(INCOME_SOURCES));
  list('Avslutsanledning', Object.values(EXIT_REASONS));
  list('Sysselsättning efter', Object.values(OCCUPATIONS));
  list('Utbildningsnivå', Object.values(EDUCATION_LEVELS));
  list(
    'Remitterande part (medlemmar)',
    members.map((m) => m.name),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
