// `aetnet export`: write a checkpoint in the Hugging Face layout (config.json + model.safetensors + tokenizer files).
import { exportHfCheckpoint } from "../models/hf_checkpoint.ts";
import { choice, parse, str } from "./args.ts";
import { openModel } from "./checkpoint_model.ts";

export const EXPORT_HELP = `aetnet export — write a checkpoint as a Hugging Face LayoutLMv3 model folder

Usage: aetnet export --checkpoint DIR --out DIR [--format hf]

  --checkpoint DIR   a run folder (uses checkpoints/best) or a checkpoint folder holding state.json
  --out DIR          the folder to write: config.json, model.safetensors, vocab.json, merges.txt,
                     preprocessor_config.json (created if missing; those files are replaced)
  --format hf        the only format: Hugging Face transformers' layout (the default)
  -h, --help         this text

A model trained with --no-align is exactly a LayoutLMv3ForTokenClassification / ForSequenceClassification
(id2label holds the labels). A full AETNet also stores its alignment encoders (visual_encoder.*, text_encoder.*)
and is marked AETNetFor...Classification in config.json: transformers' LayoutLMv3 classes would load its fusion
part only, without the encoders' contribution; aetnet predict --checkpoint OUT loads all of it.`;

const OPTIONS = { checkpoint: { type: "string" }, out: { type: "string" }, format: { type: "string" } } as const;

export function exportCommand(argv: readonly string[]): string[] | null {
  const p = parse(argv, OPTIONS, EXPORT_HELP);
  if (p.help) { console.log(EXPORT_HELP); return null; }
  const ckpt = str(p, "checkpoint", EXPORT_HELP, true), out = str(p, "out", EXPORT_HELP, true);
  choice(p, "format", EXPORT_HELP, ["hf"] as const, "hf");
  const { config, settings, model, tokenizer } = openModel(ckpt);
  const files = exportHfCheckpoint(out, { config, kind: settings.kind, labels: settings.labels, weights: model.stateDict(), tokenizer, windows: { max_length: settings.maxLength, stride: settings.stride } });
  console.log(files.join("\n"));
  console.error(`exported ${config.align ? "AETNet (fusion model + alignment encoders)" : "LayoutLMv3"} ${settings.kind} model with ${settings.labels.length} labels to ${out}`);
  return files;
}
