// Runs the aetnet CLI in-process with console.log / console.error captured (shared by the CLI tests).
import { main } from "../../../src/cli/main.ts";

export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const [log, error, warn] = [console.log, console.error, console.warn];
  let out = "", err = "";
  console.log = (...a: unknown[]) => { out += a.join(" ") + "\n"; };
  console.error = console.warn = (...a: unknown[]) => { err += a.join(" ") + "\n"; }; // both go to stderr
  try { return { code: await main(argv), out, err }; } finally { [console.log, console.error, console.warn] = [log, error, warn]; }
}
