import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { testEngines, until } from '@pocketdock/testkit';
import type { ContainerInfo } from '@pocketdock/flow-manager';
import { PACKAGE_DIR, launchChromium, openPage, startHarness, terminalProcesses } from './harness.js';
import type { Harness } from './harness.js';

const SHOTS = join(PACKAGE_DIR, 'docs/screenshots');
const engines = testEngines();

/** Screenshots of the main views, from the first engine's run only (the README shows them). */
async function shot(page: Page, engine: string, name: string): Promise<void> {
  if (engine !== engines[0]!.name) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

describe.each(engines)('dashboard in Chromium on $name', (engine) => {
  jest.setTimeout(180_000);
  let h: Harness;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    h = await startHarness(engine);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  test('a wrong token is refused with a clear message, and stays out of the URL and storage', async () => {
    const { page, errors } = await openPage(browser.context);
    try {
      const res = await page.goto(h.fm.url);
      expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
      await page.fill('#token', 'not-the-token-at-all');
      await page.press('#token', 'Enter');
      await expect(page.textContent('[data-testid=signin-error]', { timeout: 10_000 })).resolves.toMatch(/refused this token/);
      expect(page.url()).not.toContain('not-the-token');
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      await shot(page, engine.name, 'sign-in-refused');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test('sign in; a flow created through the API appears live; logs, terminal, stats; stop from the page', async () => {
    const { page, errors } = await openPage(browser.context);
    try {
      await page.goto(h.fm.url);
      await page.fill('#token', h.token);
      await page.press('#token', 'Enter');
      await page.waitForSelector('[data-testid=flows]');
      expect(page.url()).not.toContain(h.token);
      expect(await page.evaluate(() => sessionStorage.getItem('pocketdock.dashboard.token'))).toBe(h.token);

      // Created by another client, after the page loaded: it appears without a reload.
      const name = `e2e-${engine.name}-${Date.now().toString(36)}`;
      const info = await h.call<ContainerInfo>('create_container', { name, code_path: h.codeDir });
      const row = `[data-testid="row-${name}"]`;
      await page.waitForSelector(`${row}[data-state=running]`, { timeout: 20_000 });

      // The stats chart moves: the row's CPU line gains points as samples arrive.
      const points = (): Promise<number> => page.evaluate((sel) => Number(document.querySelector(`${sel} [data-testid=cpu] svg`)?.getAttribute('data-points') ?? 0), row);
      await page.waitForFunction((sel) => Number(document.querySelector(`${sel} [data-testid=cpu] svg`)?.getAttribute('data-points') ?? 0) >= 2, row, { timeout: 30_000 });
      const before = await points();
      await page.waitForFunction(
        ([sel, n]) => Number(document.querySelector(`${sel} [data-testid=cpu] svg`)?.getAttribute('data-points') ?? 0) > n,
        [row, before] as const,
        { timeout: 30_000 },
      );
      await shot(page, engine.name, 'overview');

      // Detail: live logs follow.
      await page.click(`${row} button`);
      await page.waitForSelector('[data-testid=detail-title]');
      await page.waitForFunction(() => (document.querySelector('[data-testid=logs]')?.textContent ?? '').includes('tick'), undefined, { timeout: 20_000 });
      const lines = async (): Promise<number> => page.$$eval('[data-testid=logs] .line', (l) => l.length);
      const seen = await lines();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid=logs] .line').length > n, seen, { timeout: 10_000 });
      await shot(page, engine.name, 'detail-logs');

      // Resources: the charts have samples.
      await page.click('[data-testid=tab-resources]');
      await page.waitForSelector('[data-testid=chart-cpu] canvas');
      await shot(page, engine.name, 'detail-resources');

      // Terminal: echo hi, see hi.
      await page.click('[data-testid=tab-terminal]');
      await page.waitForFunction(() => document.querySelector('[data-testid=terminal-state]')?.textContent?.includes('connected'), undefined, { timeout: 20_000 });
      await page.click('[data-testid=terminal]');
      await page.keyboard.type('echo hi\n');
      await page.waitForFunction(
        () => [...document.querySelectorAll('[data-testid=terminal] .xterm-rows > div')].some((r) => r.textContent?.trim() === 'hi'),
        undefined,
        { timeout: 20_000 },
      );
      await shot(page, engine.name, 'detail-terminal');

      // Leaving the terminal view ends its exec; so does closing a tab that has one open.
      await page.click('[data-testid=tab-logs]');
      await until(async () => (await terminalProcesses(engine.socketPath, info.container_id)) === 0, { what: 'the closed terminal gone', timeoutMs: 15_000, intervalMs: 300 });
      const second = await openPage(browser.context);
      await second.page.goto(h.fm.url);
      await second.page.fill('#token', h.token);
      await second.page.press('#token', 'Enter');
      await second.page.click(`${row} button`);
      await second.page.click('[data-testid=tab-terminal]');
      await second.page.waitForFunction(() => document.querySelector('[data-testid=terminal-state]')?.textContent?.includes('connected'), undefined, { timeout: 20_000 });
      expect(await terminalProcesses(engine.socketPath, info.container_id)).toBeGreaterThan(0);
      expect(second.errors).toEqual([]);
      await second.page.close();
      await until(async () => (await terminalProcesses(engine.socketPath, info.container_id)) === 0, { what: "the tab's terminal gone", timeoutMs: 15_000, intervalMs: 300 });

      // Stop from the page, with confirmation; the answer and the new state show.
      await page.click('[data-testid=action-stop_container]');
      await page.click('[data-testid=confirm-yes]');
      await page.waitForFunction(() => /is stopped/.test(document.querySelector('[data-testid=answer]')?.textContent ?? ''), undefined, { timeout: 30_000 });
      await page.waitForSelector('[data-testid=detail-state][data-state=stopped]', { timeout: 10_000 });
      const status = await h.call<{ state: string }>('get_status', { container_id: info.container_id });
      expect(status.state).toBe('stopped');

      // Phone width: the overview still reads (narrow columns hidden).
      await page.click('text=← All containers');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForSelector(`${row}[data-state=stopped]`);
      await shot(page, engine.name, 'overview-phone');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
