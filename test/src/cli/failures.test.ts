// Every CLI failure is one line on stderr naming the file, flag or folder at fault: exit 2 for a bad command line,
// 1 otherwise; --debug adds the stack. Runs are protected: no silent restart over a run, no resume without a
// checkpoint or onto changed data; a corrupt page is skipped like other bad documents.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../../src/cli/main.ts";
import { cordReceipt, pngBytes, tempDir, writeFile } from "../data/fixtures.ts";
import { runCli as run } from "./run_cli.ts";

const t = suite("cli: failures");
const synthetic = ["--task", "synthetic", "--config", "tiny", "--epochs", "1", "--max-length", "32", "--batch-size", "2", "--eval-docs", "2", "--quiet"];
const oneLine = (err: string): boolean => err.trim() !== "" && !err.trim().includes("\n");

t("usage errors: one line naming the flag and what it expects, exit 2; '--lr -1' is a range error", async () => {
  const cases: [string[], RegExp][] = [
    [["train", "--lr", "-1"], /--lr must be a number ≥ 0, got "-1"/],
    [["train", "--epochs", "-3"], /--epochs must be an integer ≥ 1, got "-3"/],
    [["train", "--epochs", "0"], /--epochs must be an integer ≥ 1, got "0"/],
    [["train", "--config", "tiny", "--batch-size", "3", "--task", "synthetic", "--train-docs", "2"], /--batch-size 3 must divide the tiny queue size 64/],
    [["train", "--force"], /--force only applies with --resume/],
    [["train", "--chunking", "sliding"], /--chunking must be one of overlap, reference/],
    [["eval"], /--checkpoint is required/],
    [["frobnicate"], /unknown command "frobnicate" \(expected train, eval, predict/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await run(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.match(r.err, pattern);
    assert.ok(oneLine(r.err), `one line: ${r.err}`);
  }
});

t("--config tiny without --max-length trains on windows its position table holds; past it is a range error", async () => {
  const out = join(tempDir("cli-tiny-default"), "run");
  const tiny = ["--task", "synthetic", "--config", "tiny", "--epochs", "1", "--batch-size", "2", "--train-docs", "2"];
  const r = await run("train", ...tiny, "--eval-docs", "1", "--out", out);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /windows of 128 tokens/);
  const tooLong = await run("train", ...tiny, "--max-length", "200");
  assert.is(tooLong.code, 2);
  assert.match(tooLong.err, /--max-length must be an integer .*≤ 128, got "200"/);
});

t("--resume with no checkpoint: exit 1, one line with 'no checkpoint' and the folder; --debug adds the stack", async () => {
  const out = join(tempDir("cli-noresume"), "run");
  const r = await run("train", ...synthetic, "--train-docs", "4", "--out", out, "--resume");
  assert.is(r.code, 1);
  assert.ok(oneLine(r.err), r.err);
  assert.match(r.err, new RegExp(`no checkpoint in ${join(out, "checkpoints", "last").replace(/[.\\/]/g, "\\$&")}`));
  const debug = await run("train", ...synthetic, "--train-docs", "4", "--out", out, "--resume", "--debug");
  assert.is(debug.code, 1);
  assert.match(debug.err, /\n\s+at .*checkpoint\.ts:\d+/);
});

t("a run folder is protected: no restart over it without --resume; resume refuses changed data, --force overrides", async () => {
  const out = join(tempDir("cli-protect"), "run");
  const first = await run("train", ...synthetic, "--train-docs", "4", "--out", out);
  assert.is(first.code, 0, first.err);
  const log = readFileSync(join(out, "log.jsonl"), "utf8");
  const again = await run("train", ...synthetic, "--train-docs", "4", "--out", out);
  assert.is(again.code, 1);
  assert.ok(oneLine(again.err), again.err);
  assert.match(again.err, /already holds a run .*--resume continues it/);
  assert.is(readFileSync(join(out, "log.jsonl"), "utf8"), log);
  const changed = await run("train", ...synthetic, "--train-docs", "5", "--out", out, "--resume");
  assert.is(changed.code, 1);
  assert.ok(oneLine(changed.err), changed.err);
  assert.match(changed.err, /the training data differ: 5 documents now, 4 in the checkpoint/);
  assert.match(changed.out, /BPE tokens saved in the checkpoint/, "the tokenizer is reloaded, not retrained");
  const forced = await run("train", ...synthetic, "--train-docs", "5", "--out", out, "--resume", "--force", "--epochs", "2");
  assert.is(forced.code, 0, forced.err);
  assert.match(forced.out, /resuming anyway \(--force\): settings differ \(epochs: 1 then, 2 now\)/);
});

t("predict: an --out in a missing folder is refused before inference, one line naming it", async () => {
  const dir = tempDir("cli-predict-out");
  writeFile(join(dir, "page.png"), pngBytes(20, 20));
  writeFile(join(dir, "words.json"), "[]");
  const r = await run("predict", "--checkpoint", join(dir, "no-run"), "--image", join(dir, "page.png"), "--words", join(dir, "words.json"), "--out", join(dir, "missing", "x.svg"));
  assert.is(r.code, 1);
  assert.ok(oneLine(r.err), r.err);
  assert.match(r.err, /--out: the folder .*missing does not exist/);
});

t("an unexpected error is still one line, marked as such", async () => {
  const [log, error] = [console.log, console.error];
  let err = "";
  console.error = (...a: unknown[]) => { err += a.join(" ") + "\n"; };
  console.log = () => { throw new TypeError("boom\nsecond line"); }; // --help prints through console.log
  try {
    assert.is(await main(["train", "--help"]), 1);
  } finally { [console.log, console.error] = [log, error]; }
  assert.ok(oneLine(err), err);
  assert.match(err, /aetnet train: unexpected error: boom second line \(run again with --debug for the stack trace\)/);
});

t("a page whose PNG body is corrupt is skipped like other bad documents, not fatal to the run", async () => {
  const data = tempDir("cli-corrupt");
  const receipt = (split: string, i: number, bytes: Uint8Array): void => {
    const name = `receipt_${i}`;
    writeFile(join(data, split, "json", `${name}.json`), JSON.stringify(cordReceipt(i)));
    writeFile(join(data, split, "image", `${name}.png`), bytes);
  };
  const corrupt = pngBytes(200, 400);
  const idat = Buffer.from(corrupt).indexOf("IDAT");
  for (let k = idat + 4; k < Math.min(corrupt.length - 12, idat + 40); k++) corrupt[k] ^= 0x5a; // header intact
  for (let i = 0; i < 5; i++) receipt("train", i, i === 2 ? corrupt : pngBytes(200, 400));
  receipt("dev", 9, pngBytes(200, 400));
  const out = join(data, "run");
  const r = await run("train", "--task", "cord", "--data", data, "--config", "tiny", "--batch-size", "2", "--quiet", "--epochs", "1", "--max-length", "32", "--out", out, "--cache", join(data, "cache"));
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /skipping .*receipt_2\.png: cannot decode image/);
  assert.ok(existsSync(join(out, "checkpoints", "last", "state.json")));
});

t.run();
