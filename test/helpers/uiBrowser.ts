import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium (apt-get install chromium; `npm test` installs it: scripts/provision-tests.mjs). Never a downloaded browser. */
export const CHROMIUM = process.env.TROVE_CHROMIUM ?? '/usr/bin/chromium';

/** docs/ui/ in the source tree (tests run from dist/test/helpers). */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/ui/', import.meta.url));

export interface UiBrowser {
  readonly browser: Browser;
  /** a fresh page at 1280×800 whose console errors are collected */
  newPage(): Promise<Page & { consoleErrors: string[] }>;
  close(): Promise<void>;
}

/**
 * Headless Chromium as this machine allows it: no sandbox (root), no GPU, and
 * none of Chromium's background network traffic (the network is closed; its
 * lookups would only slow the start).
 */
export async function launchBrowser(): Promise<UiBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh, empty profile of its own.
  });
  return {
    browser,
    newPage: async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
      const page = (await context.newPage()) as Page & { consoleErrors: string[] };
      page.consoleErrors = [];
      page.on('console', (m) => {
        if (m.type() === 'error') page.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => page.consoleErrors.push(e.message));
      return page;
    },
    close: async () => {
      await browser.close();
    },
  };
}

/** A screenshot of the page as docs/ui.md shows it (docs/ui/NAME.png), made by the suite so it stays true. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
