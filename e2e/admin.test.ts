/** The association admin's pages: details, members, users, and the audit log with paging. */
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

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await login(h, USERS.admin);
});
afterAll(async () => {
  await h?.close();
});

const nav = (name: string) =>
  h.page.getByRole('navigation', { name: 'Förbundets meny' }).getByRole('link', { name, exact: true });

describe('association details', () => {
  it('refuses an organisation number with a wrong check digit, then saves', async () => {
    const { page } = h;
    await nav('Förbundet').click();
    await expectHeading(page, 'Uppgifter om förbundet');
    const org = page.getByLabel('Organisationsnummer');
    expect(await org.inputValue()).toBe('222000-1230');
    await org.fill('222000-1231');
    await page.getByRole('button', { name: 'Spara' }).click();
    await page
      .locator('#association-org-number-error')
      .getByText('Organisationsnumret är inte giltigt. Kontrollsiffran stämmer inte.')
      .waitFor();
    expect(await org.getAttribute('aria-describedby')).toBe(
      'association-org-number-hint association-org-number-error',
    );

    await page.getByLabel('Förbundets namn').fill('Samordningsförbundet Nya Exempelbygden');
    await org.fill('2220001230');
    await page.getByRole('button', { name: 'Spara' }).click();
    await page.getByText('Uppgifterna om förbundet är sparade.').waitFor();
    expect(await org.inputValue()).toBe('222000-1230');
    // The header follows the new name.
    await page.locator('.brand__association').getByText('Samordningsförbundet Nya Exempelbygden').waitFor();
    await nav('Översikt').click();
    await expectHeading(page, 'Samordningsförbundet Nya Exempelbygden');
  });
});

describe('members', () => {
  it('checks a new municipality, adds it, edits it and removes it after confirmation', async () => {
    const { page } = h;
    await nav('Medlemmar').click();
    await expectHeading(page, 'Medlemmar');
    const add = page.locator('section', { has: page.getByRole('heading', { name: 'Lägg till medlem' }) });
    await add.getByLabel('Typ av medlem').selectOption({ label: 'Kommun' });
    await add.getByLabel('Namn').fill('Västby kommun');
    await add.getByRole('button', { name: 'Lägg till medlem' }).click();
    await page.locator('#member-add-code-error').getByText('Ange kommunkod.').waitFor();

    await add.getByLabel('Kommunkod').fill('12');
    await add.getByRole('button', { name: 'Lägg till medlem' }).click();
    await page
      .locator('#member-add-code-error')
      .getByText('Ange kommunkoden med fyra siffror, till exempel 0180.')
      .waitFor();

    // A code already in use: the server's unique rule, shown at the field.
    await add.getByLabel('Kommunkod').fill('9903');
    await add.getByRole('button', { name: 'Lägg till medlem' }).click();
    await page.locator('#member-add-code-error').getByText('Kommunen är redan medlem i förbundet.').waitFor();

    await add.getByLabel('Kommunkod').fill('9904');
    await add.getByRole('button', { name: 'Lägg till medlem' }).click();
    await page.getByText('Västby kommun är tillagd som medlem.').waitFor();
    await page.getByRole('rowheader', { name: 'Västby kommun' }).waitFor();

    // The type select hides the kommunkod for other member types.
    await add.getByLabel('Typ av medlem').selectOption({ label: 'Region' });
    expect(await add.getByLabel('Kommunkod').count()).toBe(0);

    await page.getByRole('button', { name: 'Ändra Västby kommun' }).click();
    const edit = page.locator('section', { has: page.getByRole('heading', { name: 'Ändra Västby kommun' }) });
    expect((await focused(page)).id).toBe('member-edit-heading');
    await edit.getByLabel('Namn').fill('Västerby kommun');
    await edit.getByRole('button', { name: 'Spara' }).click();
    await page.getByText('Uppgifterna om Västerby kommun är sparade.').waitFor();
    await page.getByRole('rowheader', { name: 'Västerby kommun' }).waitFor();

    await page.getByRole('button', { name: 'Ta bort Västerby kommun' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ta bort medlem' });
    await dialog.waitFor();
    expect(norm(await dialog.textContent())).toContain(
      'Vill du ta bort Västerby kommun som medlem i förbundet?',
    );
    // Cancel first: nothing happens.
    await dialog.getByRole('button', { name: 'Avbryt' }).click();
    expect(await dialog.isVisible()).toBe(false);
    await page.getByRole('rowheader', { name: 'Västerby kommun' }).waitFor();

    await page.getByRole('button', { name: 'Ta bort Västerby kommun' }).click();
    await dialog.getByRole('button', { name: 'Ja, ta bort' }).click();
    await page.getByText('Västerby kommun är borttagen som medlem.').waitFor();
    expect(await page.getByRole('rowheader', { name: 'Västerby kommun' }).count()).toBe(0);
  });

  it('explains why a member with contributions cannot be removed', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Ta bort Norrby kommun' }).click();
    await page
      .getByRole('dialog', { name: 'Ta bort medlem' })
      .getByRole('button', { name: 'Ja, ta bort' })
      .click();
    await page
      .getByRole('alert')
      .getByText(
        'Norrby kommun kunde inte tas bort. Medlemmen har medlemsavgifter registrerade och kan därför inte tas bort.',
      )
      .waitFor();
    await page.getByRole('rowheader', { name: 'Norrby kommun' }).waitFor();
    // Försäkringskassan and Arbetsförmedlingen are members by law: no remove button.
    expect(await page.getByRole('button', { name: 'Ta bort Försäkringskassan' }).count()).toBe(0);
  });
});

describe('users', () => {
  it('refuses a duplicate, adds a user, changes the role and removes the access', async () => {
    const { page } = h;
    await nav('Användare').click();
    await expectHeading(page, 'Användare');
    const add = page.locator('section', { has: page.getByRole('heading', { name: 'Lägg till användare' }) });
    await add.getByLabel('E-postadress').fill('inte-en-adress');
    await add.getByLabel('Namn').fill('Test');
    await add.getByRole('button', { name: 'Lägg till användare' }).click();
    await page
      .locator('#user-add-email-error')
      .getByText('Ange en e-postadress i rätt format, till exempel namn@kommun.se.')
      .waitFor();

    await add.getByLabel('E-postadress').fill('styrelse@exempelbygden.example');
    await add.getByRole('button', { name: 'Lägg till användare' }).click();
    await page
      .locator('#user-add-email-error')
      .getByText('Det finns redan en användare med den e-postadressen i förbundet.')
      .waitFor();

    await add.getByLabel('E-postadress').fill('tina.tillfallig@exempelbygden.example');
    await add.getByLabel('Namn').fill('Tina Tillfällig');
    await add.getByLabel('Roll').selectOption({ label: 'Styrelseledamot' });
    await add.getByRole('button', { name: 'Lägg till användare' }).click();
    await page
      .getByRole('heading', { name: 'Engångslösenord för tina.tillfallig@exempelbygden.example' })
      .waitFor();
    await page.getByRole('button', { name: 'Jag har noterat lösenordet' }).click();
    const row = page.getByRole('row', { name: /^Tina Tillfällig/ });
    expect(norm(await row.textContent())).toContain('Styrelseledamot');

    await page.getByRole('button', { name: 'Ändra Tina Tillfällig' }).click();
    const edit = page.locator('section', {
      has: page.getByRole('heading', { name: 'Ändra Tina Tillfällig' }),
    });
    await edit.getByLabel('Roll').selectOption({ label: 'Revisor' });
    await edit.getByRole('button', { name: 'Spara' }).click();
    await page.getByText('Uppgifterna om Tina Tillfällig är sparade.').waitFor();
    expect(norm(await row.textContent())).toContain('Revisor');

    await page.getByRole('button', { name: 'Ta bort Tina Tillfällig' }).click();
    await page
      .getByRole('dialog', { name: 'Ta bort användare' })
      .getByRole('button', { name: 'Ja, ta bort' })
      .click();
    await page.getByText('Tina Tillfällig har inte längre tillgång till förbundet.').waitFor();
    expect(await row.count()).toBe(0);
  });

  it('keeps the last administrator', async () => {
    const { page } = h;
    await page.getByRole('button', { name: 'Ändra Karin Förbundschef' }).click();
    const edit = page.locator('section', {
      has: page.getByRole('heading', { name: 'Ändra Karin Förbundschef' }),
    });
    await edit.getByLabel('Roll').selectOption({ label: 'Samordnare' });
    await edit.getByRole('button', { name: 'Spara' }).click();
    await page
      .locator('#user-edit-role-error')
      .getByText('Förbundet måste ha minst en förbundsadministratör.')
      .waitFor();
    await edit.getByRole('button', { name: 'Avbryt' }).click();
  });
});

describe('audit log', () => {
  it('lists the changes, newest first, and pages with "Visa fler"', async () => {
    const { page } = h;
    // Enough changes for more than one page (25 entries a page).
    for (let i = 0; i < 20; i++) {
      const r = await apiFromPage(page, 'PUT', '/api/associations/exempelbygden', {
        name: `Samordningsförbundet Exempelbygden ${i}`,
        orgNumber: '2220001230',
      });
      expect(r.status).toBe(200);
    }
    const total = await apiFromPage<{ entries: unknown[] }>(
      page,
      'GET',
      '/api/associations/exempelbygden/audit?limit=200',
    );
    expect(total.json.entries.length).toBeGreaterThan(25);

    await nav('Logg').click();
    await expectHeading(page, 'Logg');
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(25);
    expect((await rows.first().locator('td').allTextContents()).map(norm).slice(1)).toEqual([
      'Karin Förbundschef',
      'Förbundets uppgifter ändrades',
      'Förbundet: Samordningsförbundet Exempelbygden 19',
    ]);
    expect(norm(await page.getByText(/^Visar \d+ händelser\.$/).textContent())).toBe('Visar 25 händelser.');

    const more = page.getByRole('button', { name: 'Visa fler' });
    while (await more.isVisible()) {
      const before = await rows.count();
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length > n, before);
    }
    expect(await rows.count()).toBe(total.json.entries.length);
    expect(norm(await page.getByText(/^Visar \d+ händelser\.$/).textContent())).toBe(
      `Visar ${total.json.entries.length} händelser.`,
    );
    // The oldest entry: the demo association's creation, by the system.
    expect((await rows.last().locator('td').allTextContents()).map(norm).slice(1, 3)).toEqual([
      'Systemet',
      'Förbundet skapades',
    ]);
  });
});
