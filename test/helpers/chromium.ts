import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium, driven by playwright-core (which downloads no browser). .ci/run installs the
// package; CHROMIUM_PATH points elsewhere when it lives elsewhere.

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found)
    throw new Error(
      "The browser tests need Debian's Chromium: run `apt-get install chromium` (as .ci/run does), or set CHROMIUM_PATH to a Chromium binary.",
    );
  return found;
}

export function launchChromium(): Promise<Browser> {
  // The tests run as root in CI, where Chromium's sandbox cannot start; the pages are our own.
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox'] });
}
