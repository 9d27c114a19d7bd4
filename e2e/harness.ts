/**
 * Browser-test harness: the real server in-process on a fresh embedded database (seeded with the
 * demo association), the built web app, and Debian's Chromium driven by playwright-core.
 * No mocks: every test goes browser → Fastify → PGlite.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { startServer, type RunningServer } from '../src/server/server.js';
import { loadEnv } from '../src/server/env.js';
import { DEMO_PASSWORD, DEMO_SLUG } from '../src/server/db/seed/demo.js';

export { DEMO_PASSWORD, DEMO_SLUG };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOT_DIR = path.join(os.tmpdir(), 'samverka-e2e-screenshots');

export const USERS = {
  admin: 'chef@exempelbygden.example',
  coordinator: 'samordnare@exempelbygden.example',
  board: 'styrelse@exempelbygden.example',
  auditor: 'revisor@exempelbygden.example',
  system: 'system@samverka.example',
} as const;

export const DESKTOP = { width: 1440, height: 900 };
export const MOBILE = { width: 360, height: 780 };

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

/** Builds the web app when dist/web is missing or older than its sources, so the tests never run a stale bundle. */
function ensureWebBuilt(): void {
  const index = path.join(ROOT, 'dist/web/index.html');
  const sources = Math.max(
    newestMtime(path.join(ROOT, 'src/web')),
    newestMtime(path.join(ROOT, 'src/shared')),
    statSync(path.join(ROOT, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(path.join(ROOT, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export interface Harness {
  server: RunningServer;
  context: BrowserContext;
  page: Page;
  /** Absolute URL of a path on the test server. */
  url(p: string): string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  ensureWebBuilt();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'samverka-e2e-data-'));
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'samverka-e2e-chrome-'));
  const server = await startServer(
    loadEnv({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent', NODE_ENV: 'test' }),
  );
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: DESKTOP,
      timezoneId: 'Europe/Stockholm',
    });
  } catch (err) {
    await server.close();
    throw err;
  }
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    server,
    context,
    page,
    url: (p: string) => new URL(p, server.url).toString(),
    async close() {
      await context.close();
      await server.close();
      rmSync(profileDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form (Swedish UI) and waits until the app has left the login page. */
export async function login(h: Harness, email: string, password = DEMO_PASSWORD): Promise<void> {
  const { page } = h;
  // Start signed out, whatever an earlier (possibly failed) test left behind.
  await h.context.clearCookies();
  await page.goto(h.url('/login'));
  await page.getByLabel('E-postadress').fill(email);
  await page.getByLabel('Lösenord', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

export async function logout(h: Harness): Promise<void> {
  await h.page.getByRole('button', { name: 'Logga ut' }).click();
  await h.page.waitForURL((u) => u.pathname === '/login');
}

/** Waits for the page's h1 to read exactly `text` (the app renders client-side). */
export async function expectHeading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
}

/**
 * Scans the page with axe-core against WCAG 2.0/2.1 A and AA and fails listing every violation
 * (rule, impact, the elements and what is wrong with them).
 */
export async function expectNoAxeViolations(page: Page, label = page.url()): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  if (results.violations.length === 0) return;
  const report = results.violations
    .map((v) => {
      const nodes = v.nodes
        .map(
          (n) => `    - ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
        )
        .join('\n');
      return `  [${v.impact ?? 'n/a'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`;
    })
    .join('\n');
  throw new Error(`axe found ${results.violations.length} WCAG violation(s) on ${label}:\n${report}`);
}

/** Full-page screenshot to the temp dir, for a person to look at; never committed. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Calls the API from inside the signed-in page, with the session's CSRF token, as the app does. */
export async function apiFromPage<T>(
  page: Page,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const session = await fetch('/api/session').then((r) => r.json());
      const res = await fetch(url, {
        method,
        headers: {
          'x-csrf-token': session.csrfToken,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
    { method, url, body },
  );
}

/** Text with every run of white space (including the no-break spaces Intl puts in numbers) as one space. */
export function norm(s: string | null | undefined): string {
  return (s ?? '').replace(/\s+/g, ' ').trim();
}

/** The id and class of the focused element, to check where focus went. */
export async function focused(page: Page): Promise<{ id: string; className: string; tag: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { id: el?.id ?? '', className: el?.className ?? '', tag: el?.tagName.toLowerCase() ?? '' };
  });
}
