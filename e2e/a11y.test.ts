/**
 * Accessibility: axe-core (WCAG 2.0/2.1 A and AA) on every page at 1440 px, in their error states
 * too, and the overview at 360 px; keyboard use of the skip link and the menu; screenshots for a
 * person to look at in the temp dir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const PAGES: { path: string; heading: string; ready?: string }[] = [
  {
    path: '/a/exempelbygden',
    heading: 'Samordningsförbundet Exempelbygden',
    ready: '.chart .recharts-bar-rectangle',
  },
  {
    path: '/a/exempelbygden/admin/association',
    heading: 'Uppgifter om förbundet',
    ready: '#association-name',
  },
  { path: '/a/exempelbygden/admin/members', heading: 'Medlemmar', ready: 'table' },
  { path: '/a/exempelbygden/admin/contributions', heading: 'Medlemsavgifter och fördelning', ready: 'table' },
  { path: '/a/exempelbygden/admin/users', heading: 'Användare', ready: 'table' },
  { path: '/a/exempelbygden/audit', heading: 'Logg', ready: 'table' },
  { path: '/account/password', heading: 'Byt lösenord', ready: '#password-current' },
  { path: '/a/exempelbygden/finns-inte', heading: 'Sidan finns inte' },
];

async function open(path: string, heading: string, ready?: string) {
  await h.page.goto(h.url(path));
  await expectHeading(h.page, heading);
  if (ready) await h.page.locator(ready).first().waitFor();
}

async function pageWidth(): Promise<number> {
  return h.page.evaluate(() => document.documentElement.scrollWidth);
}

describe('axe finds no WCAG 2.1 AA violations', () => {
  it('on the login page, empty and with an error', async () => {
    const { page } = h;
    await page.setViewportSize(DESKTOP);
    await page.goto(h.url('/login'));
    await expectHeading(page, 'Logga in');
    await expectNoAxeViolations(page, 'login');
    await screenshot(page, 'login-1440');
    await page.getByLabel('E-postadress').fill(USERS.admin);
    await page.getByLabel('Lösenord', { exact: true }).fill('Fel-lösenord-123');
    await page.getByRole('button', { name: 'Logga in', exact: true }).click();
    await page.getByText('Fel e-postadress eller lösenord.').waitFor();
    await expectNoAxeViolations(page, 'login with error');
  });

  it('on every page of an association admin at 1440 px', async () => {
    await login(h, USERS.admin);
    for (const p of PAGES) {
      await open(p.path, p.heading, p.ready);
      await expectNoAxeViolations(h.page, p.path);
      expect(await pageWidth()).toBeLessThanOrEqual(DESKTOP.width);
      await screenshot(h.page, `1440${p.path.replace(/\//g, '_')}`);
    }
  });

  it('in the error states and dialogs', async () => {
    const { page } = h;
    await open('/a/exempelbygden/admin/contributions', 'Medlemsavgifter och fördelning', 'table');
    await page.getByLabel('Andel av gruppen för Norrby kommun, i procent').fill('40');
    await page.getByRole('button', { name: 'Spara fördelningen' }).click();
    await page.locator('#contrib-municipalities-error').waitFor();
    await expectNoAxeViolations(page, 'contributions with errors');
    await screenshot(page, '1440_contributions_error');

    await open('/a/exempelbygden/admin/members', 'Medlemmar', 'table');
    await page.getByRole('button', { name: 'Lägg till medlem' }).click();
    await page.locator('.error-summary').waitFor();
    await expectNoAxeViolations(page, 'members with errors');
    await page.getByRole('button', { name: 'Ta bort Åsby kommun' }).click();
    await page.getByRole('dialog').waitFor();
    await expectNoAxeViolations(page, 'members with the confirmation dialog');
    await screenshot(page, '1440_members_dialog');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);

    await open('/a/exempelbygden/admin/users', 'Användare', 'table');
    await page.getByLabel('E-postadress').fill('ny.person@exempelbygden.example');
    await page.getByLabel('Namn').fill('Ny Person');
    await page.getByRole('button', { name: 'Lägg till användare' }).click();
    await page.locator('.otp').waitFor();
    await expectNoAxeViolations(page, 'users with the one-time password');
    await screenshot(page, '1440_users_otp');
  });

  it('on the overview of a board member', async () => {
    await login(h, USERS.board);
    await open(PAGES[0]!.path, PAGES[0]!.heading, PAGES[0]!.ready);
    await expectNoAxeViolations(h.page, 'overview as board member');
  });

  it('on the overview at 360 px, without sideways scrolling of the page', async () => {
    const { page } = h;
    await login(h, USERS.admin);
    await page.setViewportSize(MOBILE);
    try {
      for (const p of PAGES.slice(0, 6)) {
        await open(p.path, p.heading, p.ready);
        // Wide tables scroll inside their own region; the page itself never does.
        expect(await pageWidth(), p.path).toBeLessThanOrEqual(MOBILE.width);
        await screenshot(page, `360${p.path.replace(/\//g, '_')}`);
      }
      await open(PAGES[0]!.path, PAGES[0]!.heading, PAGES[0]!.ready);
      await expectNoAxeViolations(page, 'overview at 360 px');
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});

describe('keyboard', () => {
  it('reaches the skip link first, and it moves focus to the main content', async () => {
    const { page } = h;
    await open('/a/exempelbygden', 'Samordningsförbundet Exempelbygden');
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect(skip.className).toBe('skip-link');
    expect(norm(await page.evaluate(() => document.activeElement?.textContent ?? ''))).toBe(
      'Hoppa till huvudinnehållet',
    );
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('main');
  });

  it('follows a menu link with Enter and puts focus on the new page heading', async () => {
    const { page } = h;
    const link = page
      .getByRole('navigation', { name: 'Förbundets meny' })
      .getByRole('link', { name: 'Logg' });
    await link.focus();
    // The focus ring is drawn: a 3 px outline.
    expect(await link.evaluate((el) => getComputedStyle(el).outlineWidth)).toBe('3px');
    await page.keyboard.press('Enter');
    await expectHeading(page, 'Logg');
    // Focus moves after the new page has rendered; give it the frame it needs.
    await expect.poll(async () => (await focused(page)).tag, { timeout: 5000 }).toBe('h1');
    expect(await page.title()).toBe('Logg – Samordningsförbundet Exempelbygden – Samverka');
    expect(await link.getAttribute('aria-current')).toBe('page');
  });
});
