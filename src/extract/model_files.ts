// An EntityModel from a checkpoint's files already in memory (a browser page's file picker): the files of a checkpoint
// written by `aetnet train` (state.json + model.safetensors) or of a Hugging Face LayoutLMv3ForTokenClassification
// folder (config.json + model.safetensors + vocab.json + merges.txt). No file system needed.
import { FormatError, io, type Tensor } from "../../engine/index.ts";
import type { OpenedModel } from "../cli/checkpoint_model.ts";
import { vocabMergesFromText } from "../data/tokenizer/files.ts";
import { buildHfModel, hfRunSettings } from "../models/hf_checkpoint.ts";
import { checkpointModel, splitCheckpointTensors, tokenizerFromState } from "../train/checkpoint.ts";
import { CHECKPOINT_FORMAT } from "../train/run_types.ts";
import { validateTrainingState } from "../train/state_json.ts";
import { entityModelOf, NOT_A_TOKEN_MODEL, type EntityModel } from "./entity_model.ts";

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
  const tensors = (): Record<string, Tensor> =>
    io.parseSafetensors(need(files, "model.safetensors"), "model.safetensors").tensors;
  let opened: Pick<OpenedModel, "settings" | "model" | "tokenizer">;
  if (files.has("state.json")) {
    const state = validateTrainingState(json("state.json"), "state.json", CHECKPOINT_FORMAT);
    const model = checkpointModel(state, splitCheckpointTensors(tensors()).model);
    const settings = { ...state.settings, kind: state.settings.kind ?? "token" };
    opened = { settings, model, tokenizer: tokenizerFromState(state.tokenizer) };
  } else if (files.has("config.json")) {
    const hf = buildHfModel(json("config.json"), "config.json", tensors(), "model.safetensors");
    const tokenizer = vocabMergesFromText(text("vocab.json"), text("merges.txt"));
    opened = { settings: { kind: hf.kind, labels: hf.labels, ...hfRunSettings(hf) }, model: hf.model, tokenizer };
  } else {
    throw new FormatError(OP,
      "no state.json (a checkpoint of aetnet train) or config.json (a Hugging Face folder) among the files");
  }
  const entityModel = entityModelOf(opened);
  if (entityModel === null) throw new FormatError(OP, `this ${NOT_A_TOKEN_MODEL}`);
  return entityModel;
}

function need(files: ReadonlyMap<string, Uint8Array>, name: string): Uint8Array {
  const bytes = files.get(name);
  if (bytes === undefined) throw new FormatError(OP, `${name} is missing: select all of the checkpoint's files`);
  return bytes;
}
