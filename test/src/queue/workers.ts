// Worker processes for the queue tests: `aetnet worker` started as a child process, as a user would on each machine.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../../..");
const MAIN = resolve(ROOT, "src/cli/main.ts");

export interface WorkerProcess { name: string; child: ChildProcess; log(): string; exited: Promise<number | null> }

export function spawnWorker(name: string, args: readonly string[]): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, "worker", "--name", name, ...args], {
    cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, AETNET_THREADS: "1" },
  });
  let log = "";
  child.stdout!.on("data", (d) => { log += d; });
  child.stderr!.on("data", (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { name, child, log: () => log, exited };
}

/** Polls `check` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 20): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
