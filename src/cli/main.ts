// The aetnet command line: train | eval | predict | quickstart, each with --help; usage errors exit 2, data errors 1.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EngineError } from "../../engine/index.ts";
import { TrainerError } from "../train/errors.ts";
import { UsageError } from "./args.ts";
import { MissingDataError } from "./tasks.ts";
import { evalCommand } from "./eval_command.ts";
import { predictCommand } from "./predict_command.ts";
import { quickstartCommand } from "./quickstart.ts";
import { trainCommand } from "./train_command.ts";
import { queueCommand } from "./queue_command.ts";
import { workerCommand } from "./worker_command.ts";
import { QueueError } from "../queue/errors.ts";

export const MAIN_HELP = `aetnet — AETNet (alignment-enriched tuning) for document understanding, on a TypeScript engine

Usage: aetnet <command> [options]

Commands:
  train       fine-tune on funsd | sroie | cord | synthetic (entity F1 every epoch)
              or on rvlcdip document classes (document accuracy every epoch)
  eval        score a checkpoint on a dataset split
  predict     entities of a page image (OCR), a PDF or a whole folder, drawn as SVG; or the class of a page
  quickstart  a few-minute demo: brief fine-tuning on FUNSD if present, else on synthetic forms
  queue       add documents to a Redis job queue (add), follow it (status), collect its results (results)
  worker      take documents from a Redis job queue and extract their entities (run on any number of machines)

Run "aetnet <command> --help" for a command's options.

Every failure is one line on stderr naming the file, flag or tensor at fault: exit status 2 for a bad command
line, 1 for anything else. --debug (with any command) adds the stack trace.`;

const COMMANDS: Record<string, (argv: readonly string[]) => unknown> = {
  train: trainCommand,
  eval: evalCommand,
  predict: predictCommand,
  quickstart: quickstartCommand,
  queue: queueCommand,
  worker: workerCommand,
};

/** Runs one command line; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const [command, ...rest] = argv.filter((a) => a !== "--debug");
  if (command === undefined || command === "--help" || command === "-h" || command === "help") { console.log(MAIN_HELP); return command === undefined ? 2 : 0; }
  const run = COMMANDS[command];
  if (run === undefined) { console.error(`aetnet: unknown command "${command}" (expected ${Object.keys(COMMANDS).join(", ")}; see "aetnet --help")`); return 2; }
  try {
    await run(rest);
    return 0;
  } catch (err) {
    console.error(failureLine(command, err));
    if (debug && err instanceof Error && err.stack !== undefined) console.error(err.stack);
    return err instanceof UsageError ? 2 : 1;
  }
}

/**
 * One line for any failure: the message (which names the file, flag or tensor) after "aetnet <command>: ". Errors
 * the program raises on purpose print as they are; anything else is marked as unexpected, with where to look.
 */
export function failureLine(command: string, err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
  if (err instanceof UsageError) return `aetnet ${command}: ${message} (see "aetnet ${command} --help")`;
  const expected = err instanceof MissingDataError || err instanceof EngineError || err instanceof TrainerError || err instanceof QueueError || isSystemError(err);
  return expected ? `aetnet ${command}: ${message}` : `aetnet ${command}: unexpected error: ${message} (run again with --debug for the stack trace)`;
}

/** Node's file-system errors (ENOENT, EACCES, ...): their message names the path. */
const isSystemError = (err: unknown): boolean => err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string" && typeof (err as NodeJS.ErrnoException).syscall === "string";

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
