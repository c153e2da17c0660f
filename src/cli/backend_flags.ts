// --backend and --threads: options of every command, taken out of the command line before the command parses
// the rest, and applied (with AETNET_BACKEND / AETNET_THREADS from the environment; flags win) before it runs.
import { BACKEND_NAMES, type BackendChoice, type BackendName } from "../../engine/index.ts";
import { UsageError } from "./args.ts";

/** What each backend is, for the help text (a Record: a backend added to BACKEND_NAMES must be described here). */
const BACKEND_WHAT: Record<BackendName, string> = {
  cpu: "WebAssembly SIMD kernels (the default)",
  reference: "plain TypeScript kernels",
  gpu: "gpu.js; needs the optional packages gpu.js and webgpu",
};
const BACKEND_FLAG = `--backend ${BACKEND_NAMES.join("|")}`;
const column = (flag: string): string => `  ${flag.padEnd(BACKEND_FLAG.length + 2)}`;
const nameWidth = Math.max(...BACKEND_NAMES.map((name) => name.length)) + 2;

export const BACKEND_FLAGS_HELP = [
  "Options for every command:",
  `${column(BACKEND_FLAG)}where ops run:`,
  ...BACKEND_NAMES.map((name) => `${column("")}  ${name.padEnd(nameWidth)}${BACKEND_WHAT[name]}`),
  `${column("--threads N")}threads the CPU kernels use (default: every core)`,
  "  The environment variables AETNET_BACKEND and AETNET_THREADS set the same; a flag wins over its variable.",
].join("\n");

/** Splits `--backend X` / `--threads N` (or `--flag=value`) off argv; throws UsageError on bad values. */
export function takeBackendFlags(argv: readonly string[], help: string): { rest: string[]; choice: BackendChoice } {
  const rest: string[] = [];
  const choice: BackendChoice = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(backend|threads)(?:=(.*))?$/.exec(argv[i]);
    if (!m) { rest.push(argv[i]); continue; }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value`, help);
    if (m[1] === "backend") {
      const name = BACKEND_NAMES.find((b) => b === value);
      if (name === undefined) {
        throw new UsageError(`--backend must be one of ${BACKEND_NAMES.join(", ")}, got "${value}"`, help);
      }
      choice.backend = name;
    } else {
      const n = Number(value);
      if (value.trim() === "" || !Number.isInteger(n) || n < 1) {
        throw new UsageError(`--threads must be an integer ≥ 1, got "${value}"`, help);
      }
      choice.threads = n;
    }
  }
  return { rest, choice };
}
