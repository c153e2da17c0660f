// Child process of the kill-during-save test: trains the crash scenario into argv[2]; the test runs it with
// AETNET_CRASH_AT=k so it SIGKILLs itself at the k-th commit point (or AETNET_CRASH_TRACE=1 to list them).
import { Trainer } from "../../../src/train/trainer.ts";
import { crashScenario } from "./crash_scenario.ts";

const out = process.argv[2];
if (out === undefined) throw new Error("usage: crash_child.ts OUT_DIR");
new Trainer({ ...crashScenario(), outDir: out, saveEvery: 1, stopAfter: 2, progress: null, print: () => {} }).fit();
