// Opening an EntityModel from disk: a run or checkpoint folder of `aetnet train`, or a Hugging Face folder. Node
// only (it reads files); a browser page builds one from bytes with entityModelFromFiles (model_files.ts).
import { openModel } from "../cli/checkpoint_model.ts";
import { DataError } from "../data/errors.ts";
import { entityModelOf, NOT_A_TOKEN_MODEL, type EntityModel } from "./entity_model.ts";

/**
 * Opens a run or checkpoint folder written by `aetnet train`, or a Hugging Face LayoutLMv3ForTokenClassification
 * folder (config.json + model.safetensors); a document-classification checkpoint is refused.
 */
export function loadEntityModel(checkpoint: string): EntityModel {
  const opened = openModel(checkpoint);
  const entityModel = entityModelOf(opened);
  if (entityModel === null) throw new DataError("extract", opened.dir, NOT_A_TOKEN_MODEL);
  return entityModel;
}
