// A checkpoint's files in memory (the extraction page's file picker) give the EntityModel that the same checkpoint
// opened from disk gives: same settings, labels, windows, tokenizer and weights, for a checkpoint of `aetnet train`
// and for Hugging Face folders with and without export windows; a classification checkpoint is refused both ways.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FormatError, io } from "../../../engine/index.ts";
import { resolveCheckpointDir } from "../../../src/cli/checkpoint_model.ts";
import { DataError } from "../../../src/data/errors.ts";
import type { EntityModel } from "../../../src/extract/entity_model.ts";
import { loadEntityModel } from "../../../src/extract/load_entity_model.ts";
import { entityModelFromFiles } from "../../../src/extract/model_files.ts";
import { HF_FIXTURES } from "../models/hf_fixture.ts";
import { trainCheckpoint } from "../queue/documents.ts";

const t = suite("entityModelFromFiles");
const fixture = (name: string): string => fileURLToPath(new URL(`${name}/`, HF_FIXTURES));
let work = "";
t.before(() => { work = mkdtempSync(join(tmpdir(), "aetnet-model-files-")); });
t.after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

/** Every file of a folder, as the page's file picker hands them over. */
const filesOf = (dir: string): Map<string, Uint8Array> =>
  new Map(readdirSync(dir).map((name) => [name, new Uint8Array(readFileSync(join(dir, name)))]));

/** A HF folder from the fixtures with the tokenizer files of the AETNet export beside its own files. */
function hfFolder(name: string): string {
  const dir = join(work, name);
  cpSync(fixture(name), dir, { recursive: true });
  for (const f of ["vocab.json", "merges.txt"]) cpSync(join(fixture("aetnet_export"), f), join(dir, f));
  return dir;
}

function assertSame(fromFiles: EntityModel, fromDisk: EntityModel): void {
  const settings = (m: EntityModel) => ({
    labels: m.labels, maxLength: m.maxLength, stride: m.stride, batchSize: m.batchSize, chunking: m.chunking,
  });
  assert.equal(settings(fromFiles), settings(fromDisk));
  assert.equal(fromFiles.tokenizer.encodeWord("Date:"), fromDisk.tokenizer.encodeWord("Date:"));
  assert.not.ok(fromFiles.model.training, "eval mode");
  const a = fromFiles.model.stateDict(), b = fromDisk.model.stateDict();
  assert.equal(Object.keys(a), Object.keys(b));
  for (const k of Object.keys(a)) assert.equal([...a[k].contiguous().storage], [...b[k].contiguous().storage], k);
}

t("a checkpoint of aetnet train (state.json + model.safetensors)", () => {
  const run = trainCheckpoint(join(work, "run"));
  const version = io.findCheckpoint(resolveCheckpointDir(run))!;
  assertSame(entityModelFromFiles(filesOf(version)), loadEntityModel(run));
});

t("a HF export made here (its training windows) and a HF folder from elsewhere (default windows)", () => {
  const exported = fixture("aetnet_export");
  assertSame(entityModelFromFiles(filesOf(exported)), loadEntityModel(exported));
  const hf = hfFolder("hf_token");
  const fromFiles = entityModelFromFiles(filesOf(hf));
  assertSame(fromFiles, loadEntityModel(hf));
  assert.equal([fromFiles.batchSize, fromFiles.chunking], [8, "overlap"]);
});

t("a document-classification checkpoint is refused, from files and from disk", () => {
  const dir = hfFolder("hf_sequence");
  assert.throws(() => entityModelFromFiles(filesOf(dir)),
    (e: unknown) => e instanceof FormatError && /this is a document-classification checkpoint/.test(e.message));
  assert.throws(() => loadEntityModel(dir),
    (e: unknown) => e instanceof DataError && e.message.includes(dir) && /document-classification/.test(e.message));
});

t.run();
