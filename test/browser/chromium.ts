// Headless Debian Chromium through playwright-core, as CI runs it (shared by the browser tests): WebGL2 comes up
// on SwiftShader with exactly these flags, so no GPU is needed. Chromium comes from .ci/setup_system.sh.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** The flags CI runs Chromium with. */
export const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--no-first-run", "--disable-sync",
  "--enable-unsafe-swiftshader", // software WebGL2, explicitly (Chromium's silent fallback to it is deprecated)
  "--enable-unsafe-webgpu", // lets navigator.gpu offer its SwiftShader adapter (the page only reports it)
];

/** AETNET_BROWSER_TESTS=skip turns the browser tests into a loud skip (where Chromium cannot be installed). */
export const skipBrowserTests = process.env.AETNET_BROWSER_TESTS === "skip";

/** Launches Chromium on a fresh temporary profile; close() also removes the profile. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the browser test needs Debian's chromium. Run \`bash .ci/setup_system.sh\` (as root) to install it, or set AETNET_BROWSER_TESTS=skip to skip this test.`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "aetnet-chromium-"));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true, // exactly FLAGS; playwright talks to Chromium over the pipe it asks for
    args: [...FLAGS, `--user-data-dir=${userDataDir}`, "--remote-debugging-pipe"],
    timeout: 30_000,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
