// `aetnet quickstart` (npm start): brief fine-tuning of a tiny AETNet on FUNSD when its folder exists, else on
// synthetic forms, then entity F1 on held-out forms, then one held-out page read by OCR with its entity and
// alignment pictures. Minutes on a laptop CPU; any train option can be overridden.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defaultDataDir } from "./tasks.ts";
import { showOnPage } from "./quickstart_page.ts";
import { trainCommand, TRAIN_HELP, type TrainRun } from "./train_command.ts";

export const QUICKSTART_HELP = `aetnet quickstart — a few-minute demo of fine-tuning and evaluation

Usage: aetnet quickstart [train options]

Trains the tiny preset for 3 epochs on 16 FUNSD training forms (when ${defaultDataDir("funsd")} exists)
or on 48 synthetic forms, prints entity F1 on 10 (16 synthetic) held-out forms, then reads a held-out page from its
image alone (OCR) and draws the entities it finds (runs/quickstart/page/*.entities.svg) and, as "aetnet explain"
does, the alignment heatmap of the first entity and the per-cell alignment of the page (*.heatmap.svg, *.cells.svg).
The run goes to runs/quickstart (runs/quickstart-2, -3, ... when that folder holds an earlier run). Options after
"quickstart" are passed to "aetnet train" and override these defaults (e.g. --task synthetic, --epochs 5).

${TRAIN_HELP}`;

export async function quickstartCommand(argv: readonly string[]): Promise<TrainRun | null> {
  if (argv.includes("--help") || argv.includes("-h")) { console.log(QUICKSTART_HELP); return null; }
  const funsd = existsSync(join(defaultDataDir("funsd"), "training_data"));
  const task = funsd ? "funsd" : "synthetic";
  if (!funsd) console.log(`FUNSD not found at ${defaultDataDir("funsd")}: using synthetic forms (set AETNET_DATA to use real data)`);
  const defaults = ["--task", task, "--config", "tiny", "--epochs", "3", "--max-length", "128", "--lr", "1e-3", "--train-docs", funsd ? "16" : "48", "--eval-docs", funsd ? "10" : "16", "--out", freshRunFolder(join("runs", "quickstart"))];
  const run = trainCommand([...defaults, ...argv]);
  if (run !== null && run.f1 !== null) await showOnPage(run.outDir);
  return run;
}

/** The demo never lands in a folder holding an earlier run (train refuses those): runs/quickstart, else -2, -3, ... */
function freshRunFolder(base: string): string {
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}
