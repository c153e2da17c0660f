// --backend and --threads, options of every aetnet command: parsed anywhere on the line, checked, shown in
// --help, and applied before the command runs (flags win over AETNET_BACKEND / AETNET_THREADS).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { BACKEND_NAMES, backendInfo, setBackend } from "../../../engine/index.ts";
import { takeBackendFlags } from "../../../src/cli/backend_flags.ts";
import { UsageError } from "../../../src/cli/args.ts";
import { runCli as run } from "./run_cli.ts";

const t = suite("cli --backend and --threads");

t("parsed before or after the command, in both spellings", () => {
  const a = takeBackendFlags(["--backend", "reference", "train", "--epochs", "1", "--threads=2"], "help");
  assert.equal(a.rest, ["train", "--epochs", "1"]);
  assert.equal(a.choice, { backend: "reference", threads: 2 });
  assert.equal(takeBackendFlags(["eval", "--backend=gpu"], "help").choice, { backend: "gpu" });
});

t("bad values are usage errors naming the flag", () => {
  for (const [argv, pattern] of [
    [["--backend", "tpu"], /--backend must be one of cpu, reference, gpu, got "tpu"/],
    [["--threads", "0"], /--threads must be an integer ≥ 1, got "0"/],
    [["--threads", "1.5"], /--threads must be an integer ≥ 1, got "1.5"/],
    [["train", "--threads"], /--threads needs a value/],
  ] as const) {
    assert.throws(() => takeBackendFlags(argv, "help"), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  }
});

t("--help shows the flags; a bad flag exits 2 with one line pointing at the help", async () => {
  const help = await run("--help");
  assert.match(help.out, /--backend cpu\|reference\|gpu/);
  for (const name of BACKEND_NAMES) assert.match(help.out, new RegExp(`^ +${name} +\\S`, "m"), `${name} is described`);
  assert.match(help.out, /--threads N/);
  const bad = await run("train", "--backend", "tpu");
  assert.is(bad.code, 2);
  assert.is(bad.err, 'aetnet: --backend must be one of cpu, reference, gpu, got "tpu" (see "aetnet --help")\n');
});

t("a bad AETNET_BACKEND is one line and exit status 1", async () => {
  const saved = process.env.AETNET_BACKEND;
  process.env.AETNET_BACKEND = "tpu";
  try {
    const r = await run("eval", "--checkpoint", "x");
    assert.is(r.code, 1);
    assert.is(r.err, 'aetnet eval: [setBackendFromEnv] AETNET_BACKEND must be one of cpu, reference, gpu, got "tpu"\n');
  } finally {
    if (saved === undefined) delete process.env.AETNET_BACKEND; else process.env.AETNET_BACKEND = saved;
  }
});

t("the flag wins over AETNET_BACKEND and is applied before the command runs", async () => {
  const saved = process.env.AETNET_BACKEND;
  process.env.AETNET_BACKEND = "gpu";
  try {
    const r = await run("--backend", "reference", "--threads", "1", "eval"); // fails on its own missing --checkpoint
    assert.is(r.code, 2);
    assert.match(r.err, /--checkpoint is required/);
    assert.is(backendInfo().kernel, "reference");
  } finally {
    if (saved === undefined) delete process.env.AETNET_BACKEND; else process.env.AETNET_BACKEND = saved;
    await setBackend("cpu");
  }
});

t.run();
