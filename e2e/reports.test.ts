/**
 * Results and reports in the browser: the dashboard with goals and traffic lights and a data table
 * under every chart; a tertial report created, its analysis written and saved, marked final, and
 * downloaded as PDF and XLSX; goals with the server's field errors; the board's protected view with
 * no admin controls; the comparison for the system administrator. axe on every page at 1440 px and
 * the dashboard at 360 px; screenshots in the temp dir.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, structureTree, textOf } from '../tests/pdf-structure.js';
import {
  apiFromPage,
  DESKTOP,
  expectHeading,
  expectNoAxeViolations,
  login,
  MOBILE,
  norm,
  screenshot,
  startHarness,
  USERS,
  type Harness,
} from './harness.js';
import type { ReportDocument } from '../src/web/pages/reports/model.js';

const BASE = '/a/exempelbygden';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function pageWidth(): Promise<number> {
  return h.page.evaluate(() => document.documentElement.scrollWidth);
}

/** The dashboard of 2025 (the demo register's last full year), ready with its charts drawn. */
async function openDashboard2025() {
  const { page } = h;
  await page.goto(h.url(`${BASE}/dashboard?year=2025`));
  await expectHeading(page, 'Resultat 2025');
  await page.locator('.goal').first().waitFor();
  await page.locator('.chart .recharts-bar-rectangle').first().waitFor();
}

/** Clicks a download link and returns the downloaded file's bytes. */
async function download(name: string): Promise<Buffer> {
  const [file] = await Promise.all([
    h.page.waitForEvent('download'),
    h.page.getByRole('link', { name, exact: true }).click(),
  ]);
  const p = await file.path();
  return readFileSync(p);
}

describe('dashboard as the association admin', () => {
  it('is reached from the menu and shows the year chosen', async () => {
    const { page } = h;
    await login(h, USERS.admin);
    await page.setViewportSize(DESKTOP);
    await page
      .getByRole('navigation', { name: 'Förbundets meny' })
      .getByRole('link', { name: 'Resultat' })
      .click();
    await expectHeading(page, `Resultat ${new Date().getFullYear()}`);
    await page.getByLabel('År', { exact: true }).selectOption('2025');
    await page.getByRole('button', { name: 'Visa', exact: true }).click();
    await expectHeading(page, 'Resultat 2025');
    expect(new URL(page.url()).search).toBe('?year=2025');
    expect(await page.title()).toBe('Resultat 2025 – Samordningsförbundet Exempelbygden – Samverka');
  });

  it('shows key figures by sex and the goals with traffic lights in words and shapes', async () => {
    const { page } = h;
    await openDashboard2025();
    const card = page.locator('.kpi').filter({ hasText: 'Andel till arbete eller studier' });
    expect(norm(await card.innerText())).toMatch(
      /^Andel till arbete eller studier \d+,\d % Kvinnor \d+,\d % Män \d+,\d %$/,
    );

    const goals = page.locator('.goal');
    expect(await goals.count()).toBe(4);
    const goal = (name: string) => goals.filter({ has: page.getByRole('heading', { name, exact: true }) });
    const forty = goal('Minst 40 % av deltagarna går till arbete eller studier');
    // Every goal shows its status as text next to an icon whose shape is its own.
    for (const g of await goals.all()) {
      expect(await g.locator('.goal-status svg.status-icon').count()).toBe(1);
      expect(norm(await g.locator('.goal-status').textContent())).toMatch(
        /^(Uppfyllt|Nära målet|Inte uppfyllt|För få uppgifter|Uppgifter saknas)$/,
      );
    }
    expect(norm(await forty.locator('.goal__facts').innerText())).toMatch(
      /^Utfall 2025 \d+,\d % Mål minst 40 %$/,
    );
    // The trend lists the years with their status for a screen reader too.
    expect(await forty.locator('.goal__trend-list li').count()).toBe(3);
    expect(norm(await forty.locator('.goal__trend-list').textContent())).toMatch(/2023 .*2024 .*2025 /);

    const national = goal('Minst riksgenomsnittet till arbete eller studier');
    expect(norm(await national.locator('.goal__facts').innerText())).toMatch(
      /Mål minst 34 % Riksgenomsnitt 34 %$/,
    );
    const survey = goal('80 % svarar 7–10 på frågan om insatsens kvalitet');
    expect(norm(await survey.locator('.goal-status').textContent())).toBe('Uppgifter saknas');

    // The office sees unprotected figures and may manage goals.
    expect(await page.locator('.protected-notice').count()).toBe(0);
    await page.getByRole('link', { name: 'Hantera mål' }).waitFor();
  });

  it('has a data table under every chart', async () => {
    const { page } = h;
    const figures = page.locator('figure.chart-figure');
    expect(await figures.count()).toBe(3);
    for (const caption of [
      'Avslutade och andel till arbete eller studier per kön',
      'Försörjning vid inskrivning och vid avslut, antal och andel av alla avslutade (Totalt)',
      'Inskrivna, avslutade och pågående per månad och kön',
    ]) {
      const table = page.getByRole('table', { name: caption });
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBeGreaterThan(2);
    }
    // Each chart is followed by its table, and hidden from assistive technology in favour of it.
    for (const f of await figures.all()) {
      expect(await f.locator('.chart').getAttribute('aria-hidden')).toBe('true');
      expect(await f.locator('xpath=following-sibling::div[1]//table').count()).toBe(1);
    }
    // The income table switches to women only.
    await page.getByRole('button', { name: 'Kvinnor', exact: true }).click();
    await page
      .getByRole('table', {
        name: 'Försörjning vid inskrivning och vid avslut, antal och andel av alla avslutade (Kvinnor)',
      })
      .waitFor();
    expect(
      await page.getByRole('button', { name: 'Kvinnor', exact: true }).getAttribute('aria-pressed'),
    ).toBe('true');
  });

  it('passes axe at 1440 px and at 360 px without sideways scrolling', async () => {
    const { page } = h;
    await openDashboard2025();
    await expectNoAxeViolations(page, 'dashboard 1440');
    expect(await pageWidth()).toBeLessThanOrEqual(DESKTOP.width);
    await screenshot(page, 'reports-dashboard-1440');
    await page.setViewportSize(MOBILE);
    await openDashboard2025();
    await expectNoAxeViolations(page, 'dashboard 360');
    expect(await pageWidth()).toBeLessThanOrEqual(MOBILE.width);
    await screenshot(page, 'reports-dashboard-360');
    await page.setViewportSize(DESKTOP);
  });
});

describe('a tertial report from the dashboard to the PDF', () => {
  let reportUrl = '';

  it('is created from a preset period', async () => {
    const { page } = h;
    await openDashboard2025();
    await page
      .getByRole('navigation', { name: 'Förbundets meny' })
      .getByRole('link', { name: 'Rapporter' })
      .click();
    await expectHeading(page, 'Rapporter');
    await page.getByText('Det finns inga rapporter ännu.').waitFor();
    await expectNoAxeViolations(page, 'reports list');
    await page.getByLabel('Typ av period').selectOption('tertial');
    await page.locator('#report-year').selectOption('2025');
    await page.getByLabel('Period', { exact: true }).selectOption({ label: 'Tertial 2 (januari–augusti)' });
    expect(norm(await page.locator('.report-period-text').textContent())).toBe(
      'Rapporten gäller 2025-01-01 – 2025-08-31.',
    );
    expect(await page.getByLabel('Rubrik').inputValue()).toBe('Tertialrapport 2 2025');
    await page.getByRole('button', { name: 'Skapa rapport' }).click();
    await expectHeading(page, 'Tertialrapport 2 2025');
    reportUrl = new URL(page.url()).pathname;
    expect(reportUrl).toMatch(/^\/a\/exempelbygden\/reports\/[0-9a-f-]{36}$/);
    await page
      .getByRole('table', { name: 'Nyckeltal 2025-01-01 – 2025-08-31, totalt och per kön' })
      .waitFor();
    await page.locator('.chart .recharts-bar-rectangle').first().waitFor();
    expect(norm(await page.locator('.facts').innerText())).toContain('Status Utkast');
    await expectNoAxeViolations(page, 'report draft');
    await screenshot(page, 'reports-report-draft-1440');
  });

  it('refuses a second report for the same period with the error at the field', async () => {
    const { page } = h;
    await page.goto(h.url(`${BASE}/reports`));
    await expectHeading(page, 'Rapporter');
    await page.locator('#report-year').selectOption('2025');
    await page.getByLabel('Period', { exact: true }).selectOption({ label: 'Tertial 2 (januari–augusti)' });
    await page.getByRole('button', { name: 'Skapa rapport' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    expect(norm(await summary.textContent())).toContain('Det finns redan en rapport för den perioden.');
    expect(await page.locator('#report-year').getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page, 'reports list with error');
  });

  it('saves the analysis with the report', async () => {
    const { page } = h;
    await page.goto(h.url(reportUrl));
    await expectHeading(page, 'Tertialrapport 2 2025');
    const text =
      'Andelen till arbete eller studier är lägre för kvinnor.\nVi följer upp med Arbetsförmedlingen.';
    await page.getByRole('textbox', { name: 'Analys och åtgärder' }).fill(text);
    await page.getByRole('button', { name: 'Spara texten' }).click();
    await page.getByText('Texten är sparad.').waitFor();
    const id = reportUrl.split('/').pop();
    const saved = await apiFromPage<ReportDocument>(
      page,
      'GET',
      `/api/associations/exempelbygden/reports/${id}`,
    );
    expect(saved.json.analysis).toBe(text);
  });

  it('is marked final after confirming, then read-only', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Markera som slutlig' }).click();
    const dialog = page.getByRole('dialog', { name: 'Markera rapporten som slutlig?' });
    await dialog.waitFor();
    await expectNoAxeViolations(page, 'finalise dialog');
    await dialog.getByRole('button', { name: 'Ja, markera som slutlig' }).click();
    await page.getByText('Rapporten är slutlig. Siffrorna är sparade.').waitFor();
    expect(norm(await page.locator('.final-notice').textContent())).toMatch(
      /^Slutlig sedan \d{4}-\d{2}-\d{2} \d{2}:\d{2}\./,
    );
    expect(norm(await page.locator('.facts').innerText())).toContain('Status Slutlig');
    expect(await page.getByRole('textbox', { name: 'Analys och åtgärder' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Markera som slutlig' }).count()).toBe(0);
    expect(await page.locator('.analysis-text').textContent()).toContain(
      'Vi följer upp med Arbetsförmedlingen.',
    );
    await expectNoAxeViolations(page, 'report final');
    await screenshot(page, 'reports-report-final-1440');
  });

  it('downloads as a PDF and as an XLSX', async () => {
    const pdf = await download('Rapporten som PDF');
    expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
    // The file the browser saved is the tagged report: its title, and the analysis under its heading.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'samverka-e2e-pdf-'));
    try {
      const file = path.join(dir, 'rapport.pdf');
      writeFileSync(file, pdf);
      const tree = structureTree(file);
      expect(all(tree, 'H1').map(textOf)).toEqual(['Tertialrapport 2 2025']);
      const analysis = all(tree, 'Sect').find((s) => textOf(s.children[0]!).endsWith('Analys och åtgärder'))!;
      expect(textOf(analysis)).toContain('Vi följer upp med Arbetsförmedlingen.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const xlsx = await download('Siffrorna som Excel (XLSX)');
    // An XLSX is a zip archive.
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('is listed as final', async () => {
    const { page } = h;
    await page.getByRole('link', { name: 'Alla rapporter' }).click();
    await expectHeading(page, 'Rapporter');
    const row = page.getByRole('row', { name: /Tertialrapport 2 2025/ });
    expect(norm(await row.innerText())).toBe(
      'Tertialrapport 2 2025 2025-01-01 – 2025-08-31 Tertial Hela förbundet Slutlig',
    );
  });
});

describe('live outcomes and goals', () => {
  it('filters and breaks down the outcome figures', async () => {
    const { page } = h;
    await page.goto(h.url(`${BASE}/reports/outcomes?from=2025-01-01&to=2025-12-31`));
    await expectHeading(page, 'Utfall');
    await page.getByRole('table', { name: /^Nyckeltal 2025-01-01 – 2025-12-31/ }).waitFor();
    await page.getByLabel('Kön', { exact: true }).selectOption({ label: 'Kvinnor' });
    await page.getByLabel('Dela upp på').selectOption({ label: 'Åldersgrupp' });
    await page.getByRole('button', { name: 'Visa', exact: true }).click();
    const table = page.getByRole('table', {
      name: 'Inskrivna, avslutade och andel till arbete eller studier per åldersgrupp, uppdelat på kön',
    });
    await table.waitFor();
    expect(new URL(page.url()).searchParams.get('sex')).toBe('kvinna');
    // Only women: the men's column of entries holds zeros.
    const keyFigures = page.getByRole('table', { name: /^Nyckeltal 2025-01-01 – 2025-12-31/ });
    expect(
      norm(
        await keyFigures
          .getByRole('row', { name: /^Inskrivna/ })
          .locator('td')
          .nth(2)
          .textContent(),
      ),
    ).toBe('0');
    await page.locator('.chart .recharts-bar-rectangle').first().waitFor();
    await expectNoAxeViolations(page, 'outcomes');
    expect(await pageWidth()).toBeLessThanOrEqual(DESKTOP.width);
    await screenshot(page, 'reports-outcomes-1440');
  });

  it('shows the server refusing a share above 100 % at the target field, then saves a goal', async () => {
    const { page } = h;
    await page.goto(h.url(`${BASE}/reports/goals`));
    await expectHeading(page, 'Mål');
    await page.getByRole('table', { name: '4 mål' }).waitFor();
    await expectNoAxeViolations(page, 'goals');
    await page.getByLabel('Namn', { exact: true }).fill('Minst 45 % till arbete eller studier för kvinnor');
    await page.getByLabel('Målvärde (%)').fill('145');
    await page.getByRole('button', { name: 'Lägg till målet' }).click();
    const summary = page.locator('.error-summary');
    await summary.waitFor();
    expect(norm(await summary.textContent())).toContain('Ange en andel mellan 0 och 100 %.');
    expect(await page.getByLabel('Målvärde (%)').getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page, 'goals with error');
    await screenshot(page, 'reports-goals-error-1440');

    await page.getByLabel('Målvärde (%)').fill('45');
    await page.getByRole('button', { name: 'Lägg till målet' }).click();
    await page.getByText('Målet ”Minst 45 % till arbete eller studier för kvinnor” är sparat.').waitFor();
    const row = page.getByRole('row', { name: /Minst 45 % till arbete/ });
    expect(norm(await row.locator('td').nth(1).textContent())).toBe('minst 45 %');
    const goals = await apiFromPage<{ name: string; target: number }[]>(
      page,
      'GET',
      '/api/associations/exempelbygden/goals',
    );
    expect(goals.json.find((g) => g.name.startsWith('Minst 45 %'))?.target).toBe(0.45);
  });
});

describe('the board', () => {
  it('sees protected figures with a notice and no admin controls', async () => {
    const { page } = h;
    await login(h, USERS.board);
    await openDashboard2025();
    await page.locator('.protected-notice').waitFor();
    expect(norm(await page.locator('.protected-notice').textContent())).toContain('Små tal (1–4) visas inte');
    // Hidden values read "–*" with the footnote, never 0.
    expect(await page.locator('.suppressed').count()).toBeGreaterThan(0);
    await page.locator('.table-note', { hasText: 'Små tal (1–4) visas inte' }).first().waitFor();
    expect(await page.getByRole('link', { name: 'Hantera mål' }).count()).toBe(0);
    expect(
      await page
        .getByRole('navigation', { name: 'Resultat och rapporter' })
        .getByRole('link', { name: 'Mål' })
        .count(),
    ).toBe(0);
    await expectNoAxeViolations(page, 'board dashboard');
    await screenshot(page, 'reports-dashboard-board-1440');

    await page
      .getByRole('navigation', { name: 'Resultat och rapporter' })
      .getByRole('link', { name: 'Rapporter' })
      .click();
    await expectHeading(page, 'Rapporter');
    expect(await page.getByRole('heading', { name: 'Ny rapport' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Tertialrapport 2 2025' }).click();
    await expectHeading(page, 'Tertialrapport 2 2025');
    await page.locator('.protected-notice').waitFor();
    expect(await page.locator('textarea').count()).toBe(0);
    expect(await page.locator('.analysis-text').textContent()).toContain(
      'Vi följer upp med Arbetsförmedlingen.',
    );
    await expectNoAxeViolations(page, 'board report');

    await page.goto(h.url(`${BASE}/reports/goals`));
    await expectHeading(page, 'Du har inte behörighet');
  });
});

describe('the system administrator', () => {
  it('compares associations side by side, protected', async () => {
    const { page } = h;
    await login(h, USERS.system);
    await page.goto(h.url(`${BASE}/reports/compare?year=2025`));
    await expectHeading(page, 'Jämförelse mellan förbund');
    const table = page.getByRole('table', { name: 'Nyckeltal för 1 förbund, totalt och per kön' });
    await table.waitFor();
    await page.getByRole('row', { name: /Samordningsförbundet Exempelbygden/ }).waitFor();
    await page.locator('.protected-notice').waitFor();
    await page.locator('.chart .recharts-bar-rectangle').first().waitFor();
    await expectNoAxeViolations(page, 'compare');
    expect(await pageWidth()).toBeLessThanOrEqual(DESKTOP.width);
    await screenshot(page, 'reports-compare-1440');
  });
});
