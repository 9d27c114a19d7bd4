/**
 * The participant register in the browser: a coordinator's journey referral → accept → entry
 * (prefilled) → exit → correction; a bad personnummer refused inline with nothing saved; the import
 * wizard (row errors, then a good file, a repeat refused, undo); the board kept from person-level
 * pages; axe (WCAG 2.1 AA) on every register page at 1440 px and the entry form at 360 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personnummerCheckDigit } from '../src/shared/personnummer.js';
import { todaySweden } from '../src/shared/dates.js';
import {
  apiFromPage,
  DESKTOP,
  expectHeading,
  expectNoAxeViolations,
  focused,
  login,
  MOBILE,
  norm,
  screenshot,
  startHarness,
  USERS,
  type Harness,
} from './harness.js';

let h: Harness;
const BASE = '/a/exempelbygden';
const API = '/api/associations/exempelbygden';
const UNGA = 'Unga vuxna-plattformen';
const TODAY = todaySweden();

/**
 * A synthetic personnummer with a valid check digit. Serials 970–979 are kept for the browser
 * tests (the demo data uses 980–999), so they never collide with demo people.
 */
function pnr(birth: string, serial: number): string {
  const first11 = `${birth}${serial}`;
  return `${first11}${personnummerCheckDigit(first11)}`;
}
const dashed = (digits: string) => `${digits.slice(0, 8)}-${digits.slice(8)}`;
const masked = (digits: string) => `${digits.slice(0, 8)}-XXXX`;

let ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  await login(h, USERS.admin);
  const list = await apiFromPage<{ id: string; name: string }[]>(h.page, 'GET', `${API}/interventions`);
  ids = Object.fromEntries(list.json.map((i) => [i.name, i.id]));
});
afterAll(async () => {
  await h?.close();
});

const nav = (name: string) =>
  h.page.getByRole('navigation', { name: 'Förbundets meny' }).getByRole('link', { name, exact: true });
const section = (heading: string) =>
  h.page.locator('section', { has: h.page.getByRole('heading', { name: heading, exact: true }) });

async function participationCount(interventionId: string): Promise<number> {
  const r = await apiFromPage<{ total: number }>(
    h.page,
    'GET',
    `${API}/interventions/${interventionId}/participations?status=all&limit=1`,
  );
  return r.json.total;
}

describe('a coordinator takes a referral through entry to exit', () => {
  const person = pnr('19950612', 973);

  it('registers a referral, accepts it and lands on the entry form prefilled', async () => {
    const { page } = h;
    await login(h, USERS.coordinator);
    await nav('Remisser').click();
    await expectHeading(page, 'Remisser');
    await page
      .getByText(/remisser? motsvarar urvalet|\d+ remiss/)
      .first()
      .waitFor();
    await expectNoAxeViolations(page, 'referral queue');

    const add = section('Ny remiss');
    await add.getByLabel('Insats').selectOption({ label: UNGA });
    await add.getByLabel('Remitterande part').selectOption({ label: 'Arbetsförmedlingen' });
    await add.getByLabel('Remittentens roll').fill('Handläggare');
    await add.getByLabel('Anteckning').fill('Behöver samordnat stöd för att börja studera.');
    await add.getByLabel('Personnummer eller samordningsnummer').fill(dashed(person));
    await add.getByLabel('Datum för samtycke').fill(TODAY);
    await add.getByRole('button', { name: 'Registrera remissen' }).click();
    await page.getByText('Remissen är registrerad och står i kön.').waitFor();

    const row = page.getByRole('row').filter({ hasText: masked(person) });
    await row.waitFor();
    expect(norm(await row.textContent())).toContain('Arbetsförmedlingen');
    expect(norm(await row.textContent())).toContain('Väntar');
    await expectNoAxeViolations(page, 'referral queue with a referral');
    await screenshot(page, '1440_register_referrals');

    await row.getByRole('button', { name: /^Besluta/ }).click();
    await page.getByRole('heading', { name: /^Beslut om remissen till Unga vuxna-plattformen/ }).waitFor();
    expect((await focused(page)).id).toBe('decision-heading');
    // Declining needs a reason: the shared schema says so before anything is sent.
    await page.getByLabel('Avslå').check();
    await page.getByRole('button', { name: 'Spara beslutet' }).click();
    await page.locator('#decision-reason-error').getByText('Ange skälet till att remissen avslås.').waitFor();
    await expectNoAxeViolations(page, 'decision form with an error');

    await page.getByLabel('Anta – personen skrivs in i insatsen').check();
    await page.getByRole('button', { name: 'Anta och registrera inskrivning' }).click();
    await expectHeading(page, 'Registrera inskrivning');
    expect(await page.getByLabel('Personnummer eller samordningsnummer').inputValue()).toBe(dashed(person));
    expect(await page.locator('#entry-insats option:checked').textContent()).toBe(UNGA);
    expect(await page.locator('#entry-referring-member option:checked').textContent()).toBe(
      'Arbetsförmedlingen',
    );
    expect(await page.getByLabel('Datum för samtycke').inputValue()).toBe(TODAY);
    expect(await page.getByLabel('Inskrivningsdatum').inputValue()).toBe(TODAY);
    await page.getByText('Uppgifterna kommer från en antagen remiss.').waitFor();
    // Sex and birth year, read from the number.
    await page.locator('#entry-pnr-derived').getByText('Man, född 1995').waitFor();
    // The number stays out of the address bar.
    expect(page.url()).not.toContain(person.slice(0, 8));
  });

  it('registers the entry from the keyboard and offers the next one', async () => {
    const { page } = h;
    await page.getByLabel('Folkbokföringskommun').selectOption({ label: 'Norrby kommun' });
    await page.getByLabel('Försörjningskälla 1').selectOption({ label: 'Aktivitetsersättning' });
    await page.getByLabel('Unga 16–29 med aktivitetsersättning').check();
    await page.getByLabel('Samtyckesblankett (referens)').fill('S-2026-0001');
    // Enter in a field submits the form.
    await page.getByLabel('Samtyckesblankett (referens)').press('Enter');
    await page.getByRole('heading', { name: 'Inskrivningen är registrerad' }).waitFor();
    expect((await focused(page)).id).toBe('entry-saved-heading');
    expect(norm(await page.locator('.reg-saved').textContent())).toContain(
      `${masked(person)} är inskriven i ${UNGA} från ${TODAY}.`,
    );
    await expectNoAxeViolations(page, 'entry saved');

    // The referral now shows as entered and cannot be decided again.
    const referrals = await apiFromPage<{ personnummer: string | null; participationId: string | null }[]>(
      page,
      'GET',
      `${API}/referrals?status=accepted`,
    );
    expect(referrals.json.find((r) => r.personnummer === masked(person))?.participationId).toBeTruthy();

    // "Registrera nästa" keeps insats and date, clears the person, and puts focus on the number.
    await page.getByRole('button', { name: 'Registrera nästa' }).click();
    await expectHeading(page, 'Registrera inskrivning');
    expect((await focused(page)).id).toBe('entry-pnr');
    expect(await page.getByLabel('Personnummer eller samordningsnummer').inputValue()).toBe('');
    expect(await page.locator('#entry-insats option:checked').textContent()).toBe(UNGA);
    expect(await page.getByLabel('Inskrivningsdatum').inputValue()).toBe(TODAY);
    expect(await page.getByText('Uppgifterna kommer från en antagen remiss.').count()).toBe(0);
  });

  it('finds the participant in the list, registers the exit and corrects the entry', async () => {
    const { page } = h;
    await page.goto(h.url(`${BASE}/insatser/${ids[UNGA]}/deltagare`));
    await expectHeading(page, `Deltagare i ${UNGA}`);
    const link = page.getByRole('link', { name: masked(person), exact: true });
    await link.waitFor();
    const row = page.getByRole('row').filter({ has: link });
    expect(norm(await row.textContent())).toContain(`Man1995${TODAY}`);
    await link.click();
    await expectHeading(page, `Deltagande i ${UNGA}`);
    await page.getByText('Deltagandet pågår.').waitFor();

    // The full number on request, and the request is said to be logged.
    await page.getByText('Att du visar hela numret loggas').waitFor();
    await page.getByRole('button', { name: 'Visa fullständigt personnummer' }).click();
    await page.locator('.reg-pnr-value').getByText(dashed(person)).waitFor();

    await page.getByRole('button', { name: 'Registrera utskrivning' }).click();
    const panel = section('Registrera utskrivning');
    expect((await focused(page)).id).toBe('panel-heading');
    // Without reason and occupation the exit is refused at the fields.
    await panel.getByRole('button', { name: 'Registrera utskrivning' }).click();
    await page.locator('#exit-reason-error').getByText('Välj avslutsanledning.').waitFor();
    await page.locator('#exit-occupation-error').getByText('Välj sysselsättning efter avslut.').waitFor();
    await expectNoAxeViolations(page, 'exit form with errors');
    await panel.getByLabel('Avslutsanledning').selectOption({ label: 'Studier' });
    await panel.getByLabel('Sysselsättning efter avslut').selectOption({ label: 'Studier' });
    await panel.getByLabel('Försörjningskälla 1').selectOption({ label: 'Studiemedel' });
    await panel.getByRole('button', { name: 'Registrera utskrivning' }).click();
    await page.getByText('Utskrivningen är registrerad.').waitFor();

    const exit = section('Utskrivning');
    const exitText = norm(await exit.textContent());
    expect(exitText).toContain(`Utskrivningsdatum${TODAY}`);
    expect(exitText).toContain('AvslutsanledningStudier');
    expect(exitText).toContain('Sysselsättning efter avslutStudier');
    expect(exitText).toContain('Försörjning vid avslutStudiemedel 100 %');

    // A correction of the entry is kept in the history: who, field, before → after, with labels.
    await page.getByRole('button', { name: 'Rätta inskrivningen' }).click();
    const correct = section('Rätta inskrivningen');
    await correct.getByLabel('Tid med offentlig försörjning före inskrivning, månader').fill('14');
    await correct.getByLabel('Folkbokföringskommun').selectOption({ label: 'Annan kommun' });
    await correct.getByRole('button', { name: 'Spara rättelsen' }).click();
    await page.getByText('Rättelsen av inskrivningen är sparad.').waitFor();
    const history = page.getByRole('region', { name: 'Rättelser av deltagandet' });
    await history.waitFor();
    const historyText = norm(await history.textContent());
    expect(historyText).toContain('Ali Samordnare');
    expect(historyText).toContain('Tid med offentlig försörjning före inskrivningInte angivet14');
    expect(historyText).toContain('FolkbokföringskommunNorrby kommunAnnan kommun');
    await expectNoAxeViolations(page, 'participation with exit and history');
    await screenshot(page, '1440_register_participation');

    // The list shows it as exited with the reason.
    await page.goto(h.url(`${BASE}/insatser/${ids[UNGA]}/deltagare?status=exited`));
    const exitedRow = page.getByRole('row').filter({ hasText: masked(person) });
    await exitedRow.waitFor();
    expect(norm(await exitedRow.textContent())).toContain(`${TODAY}Studier`);
  });
});

describe('entry form', () => {
  it('shows the Swedish inline error for a bad personnummer and saves nothing', async () => {
    const { page } = h;
    await login(h, USERS.coordinator);
    const before = await participationCount(ids[UNGA]!);
    await page.goto(h.url(`${BASE}/deltagare/ny?insats=${ids[UNGA]}`));
    await expectHeading(page, 'Registrera inskrivning');
    const good = pnr('19880304', 975);
    const bad = `${good.slice(0, 11)}${(Number(good[11]) + 1) % 10}`;
    const field = page.getByLabel('Personnummer eller samordningsnummer');
    await field.fill(dashed(bad));
    // Checked as soon as the number is complete.
    await page
      .locator('#entry-pnr-error')
      .getByText('Personnumret är inte giltigt. Kontrollsiffran stämmer inte.')
      .waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe(
      'entry-pnr-hint entry-pnr-error entry-pnr-derived',
    );

    await page.getByLabel('Folkbokföringskommun').selectOption({ label: 'Söderås kommun' });
    await page.getByLabel('Försörjningskälla 1').selectOption({ label: 'Försörjningsstöd' });
    await page.getByRole('button', { name: 'Registrera inskrivning' }).click();
    const summary = page.locator('.error-summary');
    await summary
      .getByRole('link', { name: 'Personnumret är inte giltigt. Kontrollsiffran stämmer inte.' })
      .waitFor();
    expect((await focused(page)).className).toBe('error-summary');
    await expectNoAxeViolations(page, 'entry form with a bad personnummer');
    await screenshot(page, '1440_register_entry_error');
    // The summary link takes focus to the field.
    await summary.getByRole('link').first().click();
    expect((await focused(page)).id).toBe('entry-pnr');
    expect(await participationCount(ids[UNGA]!)).toBe(before);

    // A valid number shows what it tells.
    await field.fill(good);
    await page.locator('#entry-pnr-derived').getByText('Man, född 1988').waitFor();
    expect(await page.locator('#entry-pnr-error').count()).toBe(0);
  });

  it('has no WCAG violations at 360 px, without sideways scrolling', async () => {
    const { page } = h;
    await page.setViewportSize(MOBILE);
    try {
      await page.goto(h.url(`${BASE}/deltagare/ny?insats=${ids[UNGA]}`));
      await expectHeading(page, 'Registrera inskrivning');
      await page.getByLabel('Folkbokföringskommun').waitFor();
      await page.getByRole('button', { name: 'Lägg till försörjningskälla' }).click();
      expect((await focused(page)).id).toBe('entry-income-1-source');
      await expectNoAxeViolations(page, 'entry form at 360 px');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        MOBILE.width,
      );
      await screenshot(page, '360_register_entry');
      await page.getByRole('button', { name: 'Registrera inskrivning' }).click();
      await page.locator('.error-summary').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        MOBILE.width,
      );
      await expectNoAxeViolations(page, 'entry form with errors at 360 px');
      await screenshot(page, '360_register_entry_errors');
      for (const path of [`${BASE}/insatser/${ids[UNGA]}/deltagare`, `${BASE}/remisser`, `${BASE}/import`]) {
        await page.goto(h.url(path));
        await page.locator('h1').waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(
          MOBILE.width,
        );
        await screenshot(page, `360${path.replace(/\//g, '_')}`);
      }
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});

describe('import wizard', () => {
  const header =
    'insats;personnummer;anonym;kön;startdatum;slutdatum;kommun;försörjning_start;försörjning_slut;sysselsättning_efter;avslutsanledning;målgrupp;samtycke_datum';
  const good1 = pnr('19910203', 976);
  const good2 = pnr('19920405', 977);
  const rows = (second: string) =>
    [
      header,
      `${UNGA};${dashed(good1)};nej;;2025-02-03;2025-10-01;Norrby kommun;sjukpenning:50|försörjningsstöd:50;lön;arbete;arbete;;2025-02-03`,
      `${UNGA};${second};nej;;2025-03-04;;9902;a-kassa;;;;;2025-03-04`,
      `${UNGA};;ja;kvinna;2025-04-01;;;;;;;;`,
    ].join('\r\n');

  async function choose(name: string, content: string) {
    await h.page.locator('#import-file').setInputFiles({
      name,
      mimeType: 'text/csv',
      buffer: Buffer.from(content, 'utf8'),
    });
  }

  it('lists the bad row, then imports a good file, refuses it again, and undoes it', async () => {
    const { page } = h;
    await login(h, USERS.coordinator);
    await nav('Import').click();
    await expectHeading(page, 'Importera deltagare');
    await page
      .getByText(/Inga filer är importerade ännu|\d+ import/)
      .first()
      .waitFor();
    await expectNoAxeViolations(page, 'import wizard');
    expect(
      await page.getByRole('link', { name: 'Ladda ned mallen som Excel (.xlsx)' }).getAttribute('href'),
    ).toBe(`${API}/imports/template?format=xlsx`);
    const template = await page.request.get(h.url(`${API}/imports/template?format=csv`));
    expect(template.status()).toBe(200);

    // Nothing chosen: an error at the field.
    await page.getByRole('button', { name: 'Kontrollera filen' }).click();
    await page.locator('#import-file-error').getByText('Välj en fil att importera.').waitFor();

    const before = await participationCount(ids[UNGA]!);
    const bad = `${good2.slice(0, 11)}${(Number(good2[11]) + 1) % 10}`;
    await choose('deltagare-fel.csv', rows(dashed(bad)));
    await page.getByRole('button', { name: 'Kontrollera filen' }).click();
    await page.getByRole('heading', { name: 'Filen har 1 fel' }).waitFor();
    const errorRow = page.locator('.reg-row-errors tbody tr');
    expect(await errorRow.count()).toBe(1);
    expect(norm(await errorRow.textContent())).toBe(
      '3personnummerOgiltigt personnummer (kontrollsiffran stämmer inte)',
    );
    await page.getByText('Ingenting har importerats.').waitFor();
    await expectNoAxeViolations(page, 'import with row errors');
    await screenshot(page, '1440_register_import_errors');
    expect(await participationCount(ids[UNGA]!)).toBe(before);

    const goodFile = rows(dashed(good2));
    await choose('deltagare.csv', goodFile);
    await page.getByRole('button', { name: 'Kontrollera filen' }).click();
    await page.getByRole('heading', { name: 'Filen kan importeras' }).waitFor();
    const summary = norm(await page.locator('.reg-outcome').textContent());
    expect(summary).toContain('2 nya deltaganden');
    expect(summary).toContain('1 anonym deltagare');
    // A check run stores nothing.
    expect(await participationCount(ids[UNGA]!)).toBe(before);
    await page.getByRole('button', { name: 'Importera', exact: true }).click();
    await page.getByRole('heading', { name: 'Filen är importerad' }).waitFor();
    expect(await participationCount(ids[UNGA]!)).toBe(before + 2);
    const batch = page.getByRole('row').filter({ hasText: 'deltagare.csv' });
    await batch.waitFor();
    expect(norm(await batch.textContent())).toContain('Ali Samordnare2010');

    // The same file again: refused with when, and "Importera ändå" is offered.
    await choose('deltagare-igen.csv', goodFile);
    await page.getByRole('button', { name: 'Kontrollera filen' }).click();
    await page.getByRole('heading', { name: 'Filen är redan importerad' }).waitFor();
    await page
      .getByText(/Samma fil importerades \d{4}-\d{2}-\d{2} \d{2}:\d{2} av Ali Samordnare \(deltagare\.csv\)/)
      .waitFor();
    await expectNoAxeViolations(page, 'import of a file already imported');
    // On purpose: checked again with force, everything already stored is skipped.
    await page.getByRole('button', { name: 'Importera ändå' }).click();
    await page.getByRole('heading', { name: 'Filen kan importeras' }).waitFor();
    const forced = norm(await page.locator('.reg-outcome').textContent());
    expect(forced).toContain('Filen importeras trots att den redan är importerad en gång.');
    expect(forced).toContain('2 rader fanns redan och hoppas över');

    // Undo the batch, after confirmation.
    await batch.getByRole('button', { name: 'Ångra deltagare.csv' }).click();
    await page.getByRole('dialog').waitFor();
    await expectNoAxeViolations(page, 'import undo dialog');
    await page.getByRole('button', { name: 'Ja, ångra importen' }).click();
    await page.getByText('Importen av deltagare.csv är ångrad.').waitFor();
    expect(await participationCount(ids[UNGA]!)).toBe(before);
  });
});

describe('access', () => {
  it('keeps the board from person-level pages and menu entries', async () => {
    const { page } = h;
    await login(h, USERS.board);
    const menu = page.getByRole('navigation', { name: 'Förbundets meny' });
    await menu.getByRole('link', { name: 'Insatser' }).waitFor();
    expect(await menu.getByRole('link', { name: 'Remisser' }).count()).toBe(0);
    expect(await menu.getByRole('link', { name: 'Import' }).count()).toBe(0);
    for (const path of [
      `${BASE}/insatser/${ids[UNGA]}/deltagare`,
      `${BASE}/deltagare/ny`,
      `${BASE}/remisser`,
      `${BASE}/import`,
      `${BASE}/insatser/malgrupper`,
    ]) {
      await page.goto(h.url(path));
      await expectHeading(page, 'Du har inte behörighet');
    }
    // The insats itself is not person data: the board reads it, without links to people.
    await page.goto(h.url(`${BASE}/insatser/${ids[UNGA]}`));
    await expectHeading(page, UNGA);
    await page.getByRole('heading', { name: 'Statushistorik' }).waitFor();
    expect(await page.getByRole('link', { name: 'Deltagare i insatsen' }).count()).toBe(0);
  });
});

describe('axe finds no WCAG 2.1 AA violations on the register pages at 1440 px', () => {
  it('as the association admin, with the admin forms open', async () => {
    const { page } = h;
    await login(h, USERS.admin);
    const pages: { path: string; heading: string; ready: string }[] = [
      { path: `${BASE}/insatser`, heading: 'Insatser', ready: 'table' },
      { path: `${BASE}/insatser/${ids[UNGA]}`, heading: UNGA, ready: 'table' },
      { path: `${BASE}/insatser/${ids[UNGA]}/deltagare`, heading: `Deltagare i ${UNGA}`, ready: 'table' },
      {
        path: `${BASE}/deltagare/ny?insats=${ids[UNGA]}`,
        heading: 'Registrera inskrivning',
        ready: '#entry-pnr',
      },
      { path: `${BASE}/remisser`, heading: 'Remisser', ready: '#referral-insats' },
      { path: `${BASE}/import`, heading: 'Importera deltagare', ready: 'table' },
      { path: `${BASE}/insatser/malgrupper`, heading: 'Målgrupper', ready: 'table' },
    ];
    for (const p of pages) {
      await page.goto(h.url(p.path));
      await expectHeading(page, p.heading);
      await page.locator(p.ready).first().waitFor();
      await expectNoAxeViolations(page, p.path);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), p.path).toBeLessThanOrEqual(
        DESKTOP.width,
      );
      await screenshot(page, `1440${p.path.replace(/[/?=]/g, '_')}`);
    }

    // A participation as admin: the erasure section and its confirmation.
    await page.goto(h.url(`${BASE}/insatser/${ids[UNGA]}/deltagare`));
    await page.locator('tbody a').first().click();
    await expectHeading(page, `Deltagande i ${UNGA}`);
    await page.getByRole('heading', { name: 'Återkalla samtycke eller skyddad identitet' }).waitFor();
    await expectNoAxeViolations(page, 'participation as admin');
    await page.getByRole('button', { name: 'Radera personens uppgifter' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Personnummer, inskrivningar, utskrivningar och historik raderas').waitFor();
    await expectNoAxeViolations(page, 'erasure confirmation');
    await screenshot(page, '1440_register_erase_dialog');
    await page.keyboard.press('Escape');

    // The insats edit form with its locked fields, and the status form.
    await page.goto(h.url(`${BASE}/insatser/${ids[UNGA]}`));
    await expectHeading(page, UNGA);
    await page.getByRole('button', { name: 'Ändra uppgifter om insatsen' }).click();
    await page.getByRole('heading', { name: 'Låsta uppgifter' }).waitFor();
    await page.getByLabel('Slutdatum').fill('2020-01-01');
    await page.getByLabel('Startdatum').fill('2023-01-01');
    await page.getByRole('button', { name: 'Spara', exact: true }).click();
    await page
      .locator('#edit-insats-end-error')
      .getByText('Slutdatumet kan inte vara före startdatumet.')
      .waitFor();
    await expectNoAxeViolations(page, 'insats edit form with an error');
    await screenshot(page, '1440_register_insats_edit');
  });

  it('as the admin, adds a target group and creates an insats', async () => {
    const { page } = h;
    await page.goto(h.url(`${BASE}/insatser/malgrupper`));
    await expectHeading(page, 'Målgrupper');
    const add = section('Lägg till målgrupp');
    await add.getByLabel('Målgrupp').fill('Unga 16–29 med aktivitetsersättning');
    await add.getByRole('button', { name: 'Lägg till målgrupp' }).click();
    await page
      .locator('#group-add-name-error')
      .getByText('Namnet används redan. Välj ett annat namn.')
      .waitFor();
    await add.getByLabel('Målgrupp').fill('Nyanlända 18–64');
    await add.getByRole('button', { name: 'Lägg till målgrupp' }).click();
    await page.getByText('Målgruppen Nyanlända 18–64 är tillagd.').waitFor();

    await page.goto(h.url(`${BASE}/insatser`));
    await expectHeading(page, 'Insatser');
    const create = section('Ny insats');
    await create.getByLabel('Namn').fill('Arbetsträning Norrby');
    await create.getByRole('button', { name: 'Skapa insatsen' }).click();
    await expectHeading(page, 'Arbetsträning Norrby');
    await page.getByText('Förslag sedan').waitFor();
  });
});
