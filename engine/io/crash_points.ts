// Crash injection for durability tests: every rename and fsync that commits data to disk first passes a crash point.
// With AETNET_CRASH_AT=k the process kills itself (SIGKILL, no cleanup, no exit handlers) as it enters the k-th
// point, so a test can stop a save at each step in turn instead of at random times that rarely hit the window.
// AETNET_CRASH_TRACE=1 prints each point to stderr, which is how a test learns how many points a save has.

let passed = 0;

/** Marks the start of one commit step (`what`: e.g. "rename last.v3 -> last"); a no-op unless the env asks. */
export function crashPoint(what: string): void {
  passed++;
  const env = process.env;
  if (env.AETNET_CRASH_TRACE) process.stderr.write(`crash point ${passed}: ${what}\n`);
  if (env.AETNET_CRASH_AT !== undefined && Number(env.AETNET_CRASH_AT) === passed) process.kill(process.pid, "SIGKILL");
}

/** Crash points passed so far by this process. */
export const crashPointsPassed = (): number => passed;
