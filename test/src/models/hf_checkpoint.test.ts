// Hugging Face checkpoints both ways against test/fixtures/hf/logits.json (plain PyTorch, test/golden/gen_hf_checkpoint.py):
// HF-layout checkpoints written by torch load here with the same logits, and our export is byte-stable and gives
// PyTorch's logits when PyTorch runs it.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FormatError, io } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { exportHfCheckpoint, hfRunSettings, isHfFolder, loadHfCheckpoint } from "../../../src/models/hf_checkpoint.ts";
import { FUNSD_LABELS, HF_FIXTURES, exportModel, fixtureInputs, micro, microTokenizer } from "./hf_fixture.ts";

interface Case { labels: string[]; shape: number[]; logits: number[] }
const golden: Record<"hf_token" | "hf_sequence" | "aetnet_export", Case> = JSON.parse(readFileSync(new URL("logits.json", HF_FIXTURES), "utf8"));
const fixture = (name: string): string => fileURLToPath(new URL(`${name}/`, HF_FIXTURES));

const t = suite("hf checkpoints");

t("a HF LayoutLMv3ForTokenClassification checkpoint written by torch gives torch's logits", () => {
  const dir = fixture("hf_token");
  assert.ok(isHfFolder(dir));
  const ck = loadHfCheckpoint(dir);
  assert.is(ck.kind, "token");
  assert.equal(ck.labels, golden.hf_token.labels);
  assert.is(ck.config.align, false);
  assert.is(ck.tokenizer, null);
  const logits = ck.model.predict(fixtureInputs());
  assert.equal(logits.shape, golden.hf_token.shape);
  assertClose(logits, golden.hf_token.logits, 1e-4, 1e-5, "token logits");
});

t("a HF LayoutLMv3ForSequenceClassification checkpoint (ClassificationHead on <s>) gives torch's logits", () => {
  const ck = loadHfCheckpoint(fixture("hf_sequence"));
  assert.is(ck.kind, "sequence");
  assert.equal(ck.labels, ["letter", "form", "invoice"]);
  const logits = ck.model.predict(fixtureInputs());
  assert.equal(logits.shape, golden.hf_sequence.shape);
  assertClose(logits, golden.hf_sequence.logits, 1e-4, 1e-5, "sequence logits");
});

t("export: byte-identical to the committed export, whose logits torch reproduces; it loads back here", () => {
  const out = mkdtempSync(join(tmpdir(), "aetnet-hf-"));
  try {
    const model = exportModel();
    exportHfCheckpoint(out, { config: micro, kind: "token", labels: FUNSD_LABELS, weights: model.stateDict(), tokenizer: microTokenizer() });
    const committed = fixture("aetnet_export");
    assert.equal(readdirSync(out).sort(), readdirSync(committed).sort());
    for (const f of readdirSync(out)) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(committed, f))), `${f} differs from the committed export`);
    const want = golden.aetnet_export;
    assert.equal(want.labels, FUNSD_LABELS);
    assertClose(model.predict(fixtureInputs()), want.logits, 1e-4, 1e-5, "exported model logits vs torch");
    const back = loadHfCheckpoint(out);
    assert.is(back.config.align, true);
    assert.ok(back.tokenizer !== null && back.tokenizer.vocabSize === 64);
    assertClose(back.model.predict(fixtureInputs()), want.logits, 1e-4, 1e-5, "re-imported export logits vs torch");
    // Momentum copies and queues are training state: not in the file.
    const names = Object.keys(io.loadSafetensors(join(out, "model.safetensors")).tensors);
    assert.not.ok(names.some((n) => /_m\.|queue/.test(n)));
    assert.ok(names.includes("layoutlmv3.encoder.rel_pos_bias.weight") && names.includes("classifier.weight"));
  } finally { rmSync(out, { recursive: true, force: true }); }
});

t("export: weights holding a tensor under its HF name and ours fail as one line naming the file and keys", () => {
  const root = mkdtempSync(join(tmpdir(), "aetnet-hf-twice-"));
  try {
    const out = join(root, "export");
    const weights = exportModel().stateDict();
    weights["layoutlmv3.norm.bias"] = weights["fusion_model.layoutlmv3.norm.bias"];
    const twice = new RegExp(`^\\[exportHfCheckpoint\\] ${out}/model\\.safetensors: .*two checkpoint keys map to ` +
      "layoutlmv3\\.norm\\.bias: fusion_model\\.layoutlmv3\\.norm\\.bias and layoutlmv3\\.norm\\.bias$");
    const e = { config: micro, kind: "token" as const, labels: FUNSD_LABELS, weights, tokenizer: microTokenizer() };
    assert.throws(() => exportHfCheckpoint(out, e),
      (err: unknown) => err instanceof FormatError && twice.test(err.message));
    assert.not.ok(existsSync(out), "nothing is written");
  } finally { rmSync(root, { recursive: true, force: true }); }
});

t("a checkpoint that does not fit its config.json fails naming the tensors and the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "aetnet-hf-bad-"));
  try {
    cpSync(fixture("hf_token"), dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, id2label: { 0: "O", 1: "B-X" } }));
    assert.throws(() => loadHfCheckpoint(dir), (e: unknown) => e instanceof FormatError && /classifier\.weight/.test(e.message) && /wrong shape/.test(e.message));
    const weights = io.loadSafetensors(join(fixture("hf_token"), "model.safetensors")).tensors;
    delete weights["layoutlmv3.norm.bias"];
    io.saveSafetensors(join(dir, "model.safetensors"), weights);
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    assert.throws(() => loadHfCheckpoint(dir), (e: unknown) => e instanceof FormatError && /missing layoutlmv3\.norm\.bias/.test(e.message));
    // one tensor under both its HF name and ours: refused, naming the file, not one of them silently kept
    const norm = weights["layoutlmv3.norm.weight"];
    io.saveSafetensors(join(dir, "model.safetensors"), {
      ...weights, "layoutlmv3.norm.bias": norm, "fusion_model.layoutlmv3.norm.bias": norm,
    });
    const twice = /model\.safetensors: .*two checkpoint keys map to fusion_model\.layoutlmv3\.norm\.bias/;
    assert.throws(() => loadHfCheckpoint(dir), (e: unknown) => e instanceof FormatError && twice.test(e.message));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, model_type: "bert" }));
    assert.throws(() => loadHfCheckpoint(dir), (e: unknown) => e instanceof FormatError && /model_type must be "layoutlmv3"/.test(e.message));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, architectures: ["LayoutLMv3ForQuestionAnswering"] }));
    assert.throws(() => loadHfCheckpoint(dir), (e: unknown) => e instanceof FormatError && /architectures\[0\]/.test(e.message));
    rmSync(join(dir, "model.safetensors"));
    assert.throws(() => loadHfCheckpoint(dir), (e: unknown) => e instanceof FormatError && /model\.safetensors is missing/.test(e.message));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t("run settings: an export's training windows, else ≤ 512-token windows the position table allows, 8 a batch", () => {
  const config = (maxPositions: number) => ({ ...micro, maxPositions, padTokenId: 1 });
  assert.equal(hfRunSettings({ config: config(514) }), { batchSize: 8, maxLength: 512, stride: 32 });
  assert.equal(hfRunSettings({ config: config(2050) }), { batchSize: 8, maxLength: 512, stride: 32 });
  assert.equal(hfRunSettings({ config: config(66) }), { batchSize: 8, maxLength: 64, stride: 16 });
  const windows = { max_length: 40, stride: 8 };
  assert.equal(hfRunSettings({ config: config(514), windows }), { batchSize: 8, maxLength: 40, stride: 8 });
});

t.run();
