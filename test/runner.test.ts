// The test runner itself: tests skipped by choice (AETNET_BROWSER_TESTS=skip) are counted and listed as skipped,
// never as passed, and the run closes with the plain line "N passed, N failed, N skipped".
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";

const t = suite("test runner");

t("skipped tests are reported as skipped, and the last line is the plain count", () => {
  const root = resolve(import.meta.dirname, "..");
  const run = spawnSync(process.execPath, ["--import", "tsx", "test/run.ts", "browser/page.test"], {
    cwd: root, encoding: "utf8", env: { ...process.env, AETNET_BROWSER_TESTS: "skip" }, timeout: 60_000,
  });
  assert.is(run.status, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.is(lines.at(-1), "0 passed, 0 failed, 4 skipped");
  assert.match(run.stdout, /browser\/page\.test\.ts: 4 tests skipped: AETNET_BROWSER_TESTS=skip/);
});

t.run();
