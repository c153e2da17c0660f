// Skipped tests, reported as skipped: a test that cannot run here (no GPU stack by choice, no real data, no SIMD)
// is registered through skipWhen, which counts it in uvu's skip tally and records why for test/run.ts's summary.
import type { Callback, Test } from "uvu";

export interface SkippedTest { file: string; name: string; reason: string }

/** Every skip recorded so far in this process; test/run.ts lists them and counts them. */
const g = globalThis as { AETNET_SKIPPED?: SkippedTest[]; AETNET_TEST_FILE?: string };
export const skippedTests: SkippedTest[] = (g.AETNET_SKIPPED ??= []);

/**
 * `t` when `reason` is null; otherwise a stand-in with the same call signature that registers each test as skipped
 * (never run) with that reason. Use it for every conditional test: an early `return` inside a test passes it.
 */
export function skipWhen<T>(t: Test<T>, reason: string | null): (name: string, fn: Callback<T>) => void {
  if (reason === null) return (name, fn) => t(name, fn);
  return (name) => {
    skippedTests.push({ file: g.AETNET_TEST_FILE ?? "?", name, reason });
    t.skip(name);
  };
}
