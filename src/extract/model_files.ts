// An EntityModel from a checkpoint's files already in memory (a browser page's file picker): the files of a checkpoint
// written by `aetnet train` (state.json + model.safetensors) or of a Hugging Face LayoutLMv3ForTokenClassification
// folder (config.json + model.safetensors + vocab.json + merges.txt). No file system needed.
import { FormatError, io, type Tensor } from "../../engine/index.ts";
import { vocabMergesFromText } from "../data/tokenizer/files.ts";
import { buildHfModel, hfRunSettings } from "../models/hf_checkpoint.ts";
import { checkpointModel, splitCheckpointTensors, tokenizerFromState } from "../train/checkpoint.ts";
import { CHECKPOINT_FORMAT } from "../train/run_types.ts";
import { validateTrainingState } from "../train/state_json.ts";
import type { EntityModel } from "./entity_model.ts";

const OP = "entityModelFromFiles";

/** files: base name → bytes. Which checkpoint it is follows from the names present. */
export function entityModelFromFiles(files: ReadonlyMap<string, Uint8Array>): EntityModel {
  const text = (name: string): string => new TextDecoder().decode(need(files, name));
  const json = (name: string): unknown => {
    try { return JSON.parse(text(name)); } catch (err) {
      if (err instanceof FormatError) throw err;
      throw new FormatError(OP, `${name}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  };
  const tensors = (): Record<string, Tensor> => io.parseSafetensors(need(files, "model.safetensors"), "model.safetensors").tensors;
  let m: EntityModel & { kind: string };
  if (files.has("state.json")) {
    const state = validateTrainingState(json("state.json"), "state.json", CHECKPOINT_FORMAT);
    const model = checkpointModel(state, splitCheckpointTensors(tensors()).model);
    const { labels, maxLength, stride, batchSize } = state.settings;
    m = { kind: state.settings.kind ?? "token", model, tokenizer: tokenizerFromState(state.tokenizer), labels, maxLength, stride, batchSize, chunking: state.settings.chunking ?? "overlap" };
  } else if (files.has("config.json")) {
    const hf = buildHfModel(json("config.json"), "config.json", tensors(), "model.safetensors");
    m = {
      kind: hf.kind, model: hf.model, tokenizer: vocabMergesFromText(text("vocab.json"), text("merges.txt")), labels: hf.labels,
      ...hfRunSettings(hf), chunking: "overlap",
    };
  } else {
    throw new FormatError(OP, "no state.json (a checkpoint of aetnet train) or config.json (a Hugging Face folder) among the files");
  }
  if (m.kind !== "token") throw new FormatError(OP, "this is a document-classification checkpoint; entity extraction needs a token-labelling one");
  const { kind: _kind, ...entityModel } = m;
  return entityModel;
}

function need(files: ReadonlyMap<string, Uint8Array>, name: string): Uint8Array {
  const bytes = files.get(name);
  if (bytes === undefined) throw new FormatError(OP, `${name} is missing: select all of the checkpoint's files`);
  return bytes;
}
