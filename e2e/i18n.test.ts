/** The language switch: Swedish by default, English on request, remembered, mirrored in <html lang>. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHeading, login, norm, startHarness, USERS, type Harness } from './harness.js';

const ASSOCIATION = 'Samordningsförbundet Exempelbygden';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const htmlLang = () => h.page.evaluate(() => document.documentElement.lang);

describe('language switch', () => {
  it('switches the overview to English and back to Swedish', async () => {
    const { page } = h;
    await login(h, USERS.admin);
    await expectHeading(page, ASSOCIATION);
    await page.getByRole('heading', { level: 2, name: 'Medlemmar' }).waitFor();
    expect(await htmlLang()).toBe('sv');
    expect(await page.title()).toBe(`Översikt – ${ASSOCIATION} – Samverka`);
    const svenska = page.getByRole('button', { name: 'Svenska' });
    const english = page.getByRole('button', { name: 'English' });
    expect(await svenska.getAttribute('aria-pressed')).toBe('true');
    expect(await english.getAttribute('lang')).toBe('en');

    await english.click();
    await page.getByRole('heading', { level: 2, name: 'Members' }).waitFor();
    expect(await htmlLang()).toBe('en');
    expect(await page.title()).toBe(`Overview – ${ASSOCIATION} – Samverka`);
    expect(await english.getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('heading', { level: 2, name: 'Medlemmar' }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Association menu' });
    expect((await nav.getByRole('link').allTextContents()).map(norm)).toEqual([
      'Overview',
      'Results',
      'Reports',
      'Interventions',
      'Referrals',
      'Import',
      'Association',
      'Members',
      'Contributions',
      'Users',
      'Audit log',
    ]);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Member types are translated; names are data and stay as entered.
    await page.getByRole('cell', { name: 'Swedish Social Insurance Agency (Försäkringskassan)' }).waitFor();
    await page.getByRole('rowheader', { name: 'Norrby kommun' }).first().waitFor();
    // Figures stay in the Swedish format in both languages.
    expect(norm(await page.locator('table').first().textContent())).toContain('6 000 000 kr');

    // The choice survives a reload.
    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Members' }).waitFor();
    expect(await htmlLang()).toBe('en');

    await page.getByRole('button', { name: 'Svenska' }).click();
    await page.getByRole('heading', { level: 2, name: 'Medlemmar' }).waitFor();
    expect(await htmlLang()).toBe('sv');
    expect(await page.title()).toBe(`Översikt – ${ASSOCIATION} – Samverka`);
    await page.getByRole('button', { name: 'Logga ut' }).waitFor();
  });

  it('translates error messages too', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'English' }).click();
    await page
      .getByRole('navigation', { name: 'Association menu' })
      .getByRole('link', { name: 'Association' })
      .click();
    await expectHeading(page, 'Association details');
    await page.getByLabel('Organisation number').fill('222000-1231');
    await page.getByRole('button', { name: 'Save' }).click();
    await page
      .locator('#association-org-number-error')
      .getByText('The organisation number is not valid. The check digit does not match.')
      .waitFor();
    await page.getByRole('button', { name: 'Svenska' }).click();
    await page
      .locator('#association-org-number-error')
      .getByText('Organisationsnumret är inte giltigt. Kontrollsiffran stämmer inte.')
      .waitFor();
    expect(await htmlLang()).toBe('sv');
  });
});
