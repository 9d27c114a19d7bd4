/**
 * Editing the year's contribution split: a wrong sum is refused with the error next to the field and
 * in the summary, nothing is saved; corrected, it is saved and the overview shows the new amounts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFromPage,
  expectHeading,
  focused,
  login,
  norm,
  startHarness,
  USERS,
  type Harness,
} from './harness.js';
import type { ContributionYear } from '../src/web/types.js';

const YEAR = new Date().getFullYear();
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await login(h, USERS.admin);
});
afterAll(async () => {
  await h?.close();
});

const share = (name: string) => h.page.getByLabel(`Andel av gruppen för ${name}, i procent`);
const saveButton = () => h.page.getByRole('button', { name: 'Spara fördelningen' });

async function savedSplit(): Promise<Record<string, number | null>> {
  const r = await apiFromPage<ContributionYear>(
    h.page,
    'GET',
    `/api/associations/exempelbygden/contributions/${YEAR}`,
  );
  expect(r.status).toBe(200);
  return Object.fromEntries(r.json.lines.map((l) => [l.name, l.groupPercent]));
}

describe('contribution split', () => {
  it('opens this year with the saved shares and a live sum', async () => {
    const { page } = h;
    await page
      .getByRole('navigation', { name: 'Förbundets meny' })
      .getByRole('link', { name: 'Medlemsavgifter' })
      .click();
    await expectHeading(page, 'Medlemsavgifter och fördelning');
    expect(await page.title()).toBe(
      `Medlemsavgifter ${YEAR} – Samordningsförbundet Exempelbygden – Samverka`,
    );
    expect(await share('Norrby kommun').inputValue()).toBe('52,40');
    expect(await page.getByLabel(`Totala medlemsavgifter ${YEAR} (kronor)`).inputValue()).toBe('12 000 000');
    expect(norm(await page.locator('#contrib-municipalities-sum').textContent())).toBe('Summa: 100,00 %');

    await share('Norrby kommun').fill('50');
    expect(norm(await page.locator('#contrib-municipalities-sum').textContent())).toMatch(/^Summa: 97,60 %/);
  });

  it('refuses a sum other than 100 %, inline and in the summary, and saves nothing', async () => {
    const { page } = h;
    await saveButton().click();
    const message = 'Kommunernas andelar måste tillsammans bli 100 %.';
    await page.locator('#contrib-municipalities-error').getByText(message).waitFor();
    const summary = page.locator('.error-summary');
    await summary.getByRole('heading', { name: 'Något behöver rättas' }).waitFor();
    expect((await focused(page)).className).toContain('error-summary');
    expect(await share('Norrby kommun').getAttribute('aria-invalid')).toBe('true');
    expect(await share('Norrby kommun').getAttribute('aria-describedby')).toContain(
      'contrib-municipalities-error',
    );
    // The regions are fine and not marked.
    expect(await page.locator('#contrib-regions-error').count()).toBe(0);
    expect(await share('Region Exempelland').getAttribute('aria-invalid')).toBeNull();

    // The summary links to the group's first field.
    await summary.getByRole('link', { name: message }).click();
    expect((await focused(page)).id).toBe('contrib-municipalities-0');

    expect(await savedSplit()).toMatchObject({
      'Norrby kommun': 52.4,
      'Söderås kommun': 31.1,
      'Åsby kommun': 16.5,
    });
  });

  it('names the member whose share has too many decimals', async () => {
    const { page } = h;
    await share('Åsby kommun').fill('16,555');
    await saveButton().click();
    await page.locator('#contrib-municipalities-2-error').getByText('Ange högst två decimaler.').waitFor();
    await page
      .locator('.error-summary')
      .getByRole('link', { name: 'Åsby kommun: Ange högst två decimaler.' })
      .waitFor();
    expect(await savedSplit()).toMatchObject({ 'Åsby kommun': 16.5 });
  });

  it('saves a corrected split, and the overview shows it', async () => {
    const { page } = h;
    await share('Norrby kommun').fill('50');
    await share('Söderås kommun').fill('33,5');
    await share('Åsby kommun').fill('16,50');
    await page.getByLabel(`Totala medlemsavgifter ${YEAR} (kronor)`).fill('13 000 000');
    expect(norm(await page.locator('#contrib-municipalities-sum').textContent())).toBe('Summa: 100,00 %');
    await saveButton().click();
    await page.getByText(`Fördelningen av medlemsavgifterna för ${YEAR} är sparad.`).waitFor();
    expect(await page.locator('.error-summary').count()).toBe(0);
    expect(await page.locator('#contrib-municipalities-error').count()).toBe(0);
    // Tidied on blur.
    expect(await share('Söderås kommun').inputValue()).toBe('33,50');
    expect(await savedSplit()).toMatchObject({
      'Norrby kommun': 50,
      'Söderås kommun': 33.5,
      'Åsby kommun': 16.5,
    });

    await page.getByRole('link', { name: `Visa fördelningen för ${YEAR} på översikten` }).click();
    await expectHeading(page, 'Samordningsförbundet Exempelbygden');
    const row = async (name: string) =>
      (
        await page
          .getByRole('row', { name: new RegExp(`^${name}`) })
          .first()
          .locator('td')
          .allTextContents()
      ).map(norm);
    await page
      .getByRole('row', { name: /^Norrby kommun/ })
      .first()
      .waitFor();
    // 13 000 000 kr × 25 % × 50 % = 1 625 000 kr.
    expect(await row('Norrby kommun')).toEqual(['50 %', '12,5 %', '1 625 000 kr']);
    expect(await row('Söderås kommun')).toEqual(['33,5 %', '8,375 %', '1 088 750 kr']);
    expect(await row('Försäkringskassan')).toEqual(['100 %', '50 %', '6 500 000 kr']);
    expect(norm(await page.getByText('Totala medlemsavgifter:').textContent())).toBe(
      'Totala medlemsavgifter: 13 000 000 kr',
    );
    // The chart is drawn (decoratively: the table carries the figures).
    await page.locator('.chart .recharts-bar-rectangle').first().waitFor();
    expect(await page.locator('.chart').getAttribute('aria-hidden')).toBe('true');
  });

  it('shows a rule the server enforces next to the field: a member added meanwhile needs a share', async () => {
    const { page } = h;
    await page.goto(h.url(`/a/exempelbygden/admin/contributions/${YEAR}`));
    await expectHeading(page, 'Medlemsavgifter och fördelning');
    await share('Norrby kommun').waitFor();
    const added = await apiFromPage(page, 'POST', '/api/associations/exempelbygden/members', {
      type: 'municipality',
      name: 'Västby kommun',
      municipalityCode: '9904',
    });
    expect(added.status).toBe(201);
    await saveButton().click();
    await page
      .locator('#contrib-municipalities-error')
      .getByText('Alla kommuner måste ha en andel.')
      .waitFor();
    expect((await focused(page)).className).toContain('error-summary');

    // Reloaded, the new member is in the form without a share.
    await page.reload();
    expect(await share('Västby kommun').inputValue()).toBe('');
  });

  it('shows another year, which has no saved split', async () => {
    const { page } = h;
    await page.getByLabel('År').selectOption(String(YEAR + 1));
    await page.getByRole('button', { name: 'Visa' }).click();
    await page.waitForURL((u) => u.pathname === `/a/exempelbygden/admin/contributions/${YEAR + 1}`);
    await page.getByText(`Det finns ingen sparad fördelning för ${YEAR + 1} ännu.`).waitFor();
    expect(await share('Norrby kommun').inputValue()).toBe('');
  });
});
