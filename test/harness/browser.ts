// Debian's chromium driven by playwright-core, for the real-browser suites (browser, csrf-browser).
// Without it a suite is skipped with a one-line reason, except under CI=true, where it fails the run.
import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

/** Returns a skip reason, or null when chromium is there. Throws under CI=true. */
export function chromiumSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = 'chromium not installed (apt-get install chromium fonts-noto-cjk)';
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

type LaunchOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

/** A headless chromium with its own profile directory, quiet (no first-run, sync or update traffic). */
export function launchChromium(profileDir: string, options: LaunchOptions = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
}
