/** Signing in and out, per-role views, the forced password change and the association chooser. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFromPage,
  expectHeading,
  expectNoAxeViolations,
  focused,
  login,
  logout,
  norm,
  startHarness,
  USERS,
  type Harness,
} from './harness.js';

const ASSOCIATION = 'Samordningsförbundet Exempelbygden';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function navLinks(): Promise<string[]> {
  const nav = h.page.getByRole('navigation', { name: 'Förbundets meny' });
  return (await nav.getByRole('link').allTextContents()).map(norm);
}

/** Submits the login form and waits for the server's answer and the form to be usable again. */
async function tryLogin(email: string, password: string): Promise<void> {
  const { page } = h;
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(password);
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
  await page.getByRole('button', { name: 'Logga in', exact: true }).click();
  const response = await answered;
  if (!response.ok()) await page.getByRole('button', { name: 'Logga in', exact: true }).waitFor();
}

describe('login', () => {
  it('shows the same generic error for a wrong password and an unknown account', async () => {
    const { page } = h;
    await page.goto(h.url('/login'));
    await expectHeading(page, 'Logga in');
    expect(await page.title()).toBe('Logga in – Samverka');
    for (const email of [USERS.admin, 'ingen-alls@exempelbygden.example']) {
      await tryLogin(email, 'Fel-lösenord-123');
      const summary = page.locator('.error-summary');
      await summary.getByText('Fel e-postadress eller lösenord.').waitFor();
      expect((await focused(page)).className).toContain('error-summary');
      expect(new URL(page.url()).pathname).toBe('/login');
      // The password is cleared; the address stays for a retry.
      expect(await page.getByLabel('Lösenord', { exact: true }).inputValue()).toBe('');
    }
  });

  it('names the empty fields', async () => {
    const { page } = h;
    await page.getByLabel('E-postadress').fill('');
    await page.getByRole('button', { name: 'Logga in' }).click();
    await page.locator('#login-email-error').getByText('Ange e-postadress.').waitFor();
    await page.locator('#login-password-error').getByText('Ange lösenord.').waitFor();
    expect(await page.getByLabel('E-postadress').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('E-postadress').getAttribute('aria-describedby')).toBe('login-email-error');
  });

  it('tells how long to wait after too many failed attempts', async () => {
    const { page } = h;
    const email = 'gissare@exempelbygden.example';
    for (let i = 0; i < 5; i++) {
      await tryLogin(email, `Fel-lösenord-${i}`);
      await page.locator('.error-summary').getByText('Fel e-postadress eller lösenord.').waitFor();
    }
    await tryLogin(email, 'Fel-lösenord-sista');
    const text = norm(
      await page
        .locator('.error-summary')
        .getByText(/För många/)
        .textContent(),
    );
    expect(text).toMatch(
      /^För många misslyckade inloggningsförsök\. Vänta (\d+) sekunder och försök igen\.$/,
    );
    const seconds = Number(/Vänta (\d+)/.exec(text)![1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(30);
  });

  it('returns to the page asked for after signing in', async () => {
    const { page } = h;
    await page.goto(h.url('/a/exempelbygden/audit'));
    await page.waitForURL((u) => u.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/a/exempelbygden/audit');
    await tryLogin(USERS.auditor, 'Demo-Samverka-2026');
    await expectHeading(page, 'Logg');
    expect(new URL(page.url()).pathname).toBe('/a/exempelbygden/audit');
    await logout(h);
  });
});

describe('an ended session', () => {
  it('sends the user to the login page on the next request, and back after signing in', async () => {
    const { page } = h;
    await login(h, USERS.admin);
    await expectHeading(page, ASSOCIATION);
    // The server forgets the session (as after the idle timeout); the page does not know yet.
    await h.context.clearCookies();
    await page
      .getByRole('navigation', { name: 'Förbundets meny' })
      .getByRole('link', { name: 'Medlemmar' })
      .click();
    await page.waitForURL((u) => u.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/a/exempelbygden/admin/members');
    await tryLogin(USERS.admin, 'Demo-Samverka-2026');
    await expectHeading(page, 'Medlemmar');
    await logout(h);
  });
});

describe('each role sees the overview and only what it may do', () => {
  it('association admin: all admin pages and the users table', async () => {
    await login(h, USERS.admin);
    const { page } = h;
    await expectHeading(page, ASSOCIATION);
    expect(new URL(page.url()).pathname).toBe('/a/exempelbygden');
    await page.getByRole('heading', { level: 2, name: 'Användare' }).waitFor();
    expect(await navLinks()).toEqual([
      'Översikt',
      'Resultat',
      'Rapporter',
      'Insatser',
      'Remisser',
      'Import',
      'Förbundet',
      'Medlemmar',
      'Medlemsavgifter',
      'Användare',
      'Logg',
    ]);
    expect(norm(await page.locator('.facts').textContent())).toContain('Förbundsadministratör');
    expect(norm(await page.locator('.facts').textContent())).toContain('222000-1230');
    await logout(h);
  });

  for (const [role, email, label, menu] of [
    // The coordinator works with participants; the board sees insatser but no person-level pages.
    [
      'coordinator',
      USERS.coordinator,
      'Samordnare',
      ['Översikt', 'Resultat', 'Rapporter', 'Insatser', 'Remisser', 'Import'],
    ],
    ['board', USERS.board, 'Styrelseledamot', ['Översikt', 'Resultat', 'Rapporter', 'Insatser']],
  ] as const) {
    it(`${role}: no admin pages, without users`, async () => {
      await login(h, email);
      const { page } = h;
      await expectHeading(page, ASSOCIATION);
      await page.getByRole('heading', { level: 2, name: 'Medlemmar' }).waitFor();
      expect(await navLinks()).toEqual(menu);
      expect(await page.getByRole('heading', { level: 2, name: 'Användare' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: /Ändra fördelningen/ }).count()).toBe(0);
      expect(norm(await page.locator('.facts').textContent())).toContain(label);
      // Typing an admin address does not open the page either.
      await page.goto(h.url('/a/exempelbygden/admin/members'));
      await expectHeading(page, 'Du har inte behörighet');
      await logout(h);
    });
  }

  it('auditor: the overview, insatser and the audit log', async () => {
    await login(h, USERS.auditor);
    await expectHeading(h.page, ASSOCIATION);
    expect(await navLinks()).toEqual(['Översikt', 'Resultat', 'Rapporter', 'Insatser', 'Logg']);
    await logout(h);
  });

  it('system admin with one association goes straight to it; with several gets a chooser', async () => {
    const { page } = h;
    await login(h, USERS.system);
    await expectHeading(page, ASSOCIATION);
    expect(await navLinks()).toEqual([
      'Översikt',
      'Resultat',
      'Rapporter',
      'Insatser',
      'Förbundet',
      'Medlemmar',
      'Medlemsavgifter',
      'Användare',
      'Logg',
    ]);
    expect(norm(await page.locator('.facts').textContent())).toContain('Systemadministratör');

    const created = await apiFromPage(page, 'POST', '/api/associations', {
      slug: 'andra-forbundet',
      name: 'Samordningsförbundet Andra',
    });
    expect(created.status).toBe(201);
    // The session lists associations when it is loaded, so load the app afresh.
    await page.goto(h.url('/'));
    await expectHeading(page, 'Välj förbund');
    const choices = (await page.locator('.choice-list a').allTextContents()).map(norm);
    expect(choices).toEqual(['Samordningsförbundet Andra', ASSOCIATION]);
    await expectNoAxeViolations(page, 'association chooser');

    await page.getByRole('link', { name: 'Samordningsförbundet Andra' }).click();
    await expectHeading(page, 'Samordningsförbundet Andra');
    await page
      .getByRole('heading', { level: 2, name: 'Förbundet saknar medlemmar som lagen kräver' })
      .waitFor();
    const missing = (await page.locator('.notice--warning li').allTextContents()).map(norm);
    expect(missing).toEqual(['Minst en region ska vara medlem.', 'Minst en kommun ska vara medlem.']);

    // The header's switcher opens the other association.
    await page.getByLabel('Förbund', { exact: true }).selectOption({ label: ASSOCIATION });
    await page.getByRole('button', { name: 'Byt förbund' }).click();
    await expectHeading(page, ASSOCIATION);
    expect(new URL(page.url()).pathname).toBe('/a/exempelbygden');
    await logout(h);
  });
});

describe('a new user with a one-time password', () => {
  const email = 'nora.ny@exempelbygden.example';
  let oneTimePassword = '';
  const newPassword = 'Nora-byter-lösenord-2026';

  it('is created by the admin, who sees the password once', async () => {
    const { page } = h;
    await login(h, USERS.admin);
    await page
      .getByRole('navigation', { name: 'Förbundets meny' })
      .getByRole('link', { name: 'Användare' })
      .click();
    await expectHeading(page, 'Användare');
    await page.getByLabel('E-postadress').fill(email);
    await page.getByLabel('Namn').fill('Nora Ny');
    await page.getByLabel('Roll').selectOption({ label: 'Samordnare' });
    await page.getByRole('button', { name: 'Lägg till användare' }).click();
    const panel = page.locator('section.notice--important');
    await panel.getByRole('heading', { name: `Engångslösenord för ${email}` }).waitFor();
    expect((await focused(page)).id).toBe('otp-heading');
    oneTimePassword = norm(await panel.locator('code').textContent());
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(12);
    expect(norm(await panel.textContent())).toContain('Lämna över lösenordet på ett säkert sätt');
    await page.getByRole('rowheader', { name: 'Nora Ny' }).waitFor();
    await page.getByRole('button', { name: 'Jag har noterat lösenordet' }).click();
    expect(await panel.count()).toBe(0);
    await logout(h);
  });

  it('must choose a password before anything else', async () => {
    const { page } = h;
    await login(h, email, oneTimePassword);
    await expectHeading(page, 'Byt lösenord');
    expect(new URL(page.url()).pathname).toBe('/account/password');
    await page.getByText('Du har loggat in med ett engångslösenord.').waitFor();
    await expectNoAxeViolations(page, 'forced password change');
    // No way around it.
    await page.goto(h.url('/a/exempelbygden'));
    await expectHeading(page, 'Byt lösenord');
    expect(await page.getByRole('navigation', { name: 'Förbundets meny' }).count()).toBe(0);

    const current = page.getByLabel('Nuvarande lösenord');
    const next = page.getByLabel('Nytt lösenord');
    const repeat = page.getByLabel('Upprepa det nya lösenordet');
    const submit = page.getByRole('button', { name: 'Byt lösenord' });

    // Too short: found by the shared schema before anything is sent.
    await current.fill(oneTimePassword);
    await next.fill('kort');
    await repeat.fill('kort');
    await submit.click();
    await page.locator('#password-new-error').getByText('Lösenordet måste ha minst 12 tecken.').waitFor();
    expect((await focused(page)).className).toContain('error-summary');

    await next.fill(newPassword);
    await repeat.fill(`${newPassword}x`);
    await submit.click();
    await page.locator('#password-repeat-error').getByText('Lösenorden är inte likadana.').waitFor();

    // A wrong current password is the server's finding, shown at its field.
    await current.fill('Inte-det-lösenordet-1');
    await repeat.fill(newPassword);
    await submit.click();
    await page
      .locator('#password-current-error')
      .getByText('Det nuvarande lösenordet stämmer inte.')
      .waitFor();
    await page
      .locator('.error-summary')
      .getByRole('link', { name: 'Det nuvarande lösenordet stämmer inte.' })
      .click();
    expect((await focused(page)).id).toBe('password-current');

    await current.fill(oneTimePassword);
    await next.fill(newPassword);
    await repeat.fill(newPassword);
    await submit.click();
    await expectHeading(page, ASSOCIATION);
    expect(await navLinks()).toEqual(['Översikt', 'Resultat', 'Rapporter', 'Insatser', 'Remisser', 'Import']);
    await logout(h);
  });

  it('signs in with the new password', async () => {
    await login(h, email, newPassword);
    await expectHeading(h.page, ASSOCIATION);
    await logout(h);
  });
});
