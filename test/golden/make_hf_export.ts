// Writes test/fixtures/hf/aetnet_export/: the Hugging Face layout export of a deterministic micro AETNet.
// test/golden/gen_hf_checkpoint.py then loads it in PyTorch and records its logits; the TS test checks a fresh export
// is byte-identical to this one. Run: npx tsx test/golden/make_hf_export.ts
import { fileURLToPath } from "node:url";
import { exportHfCheckpoint } from "../../src/models/hf_checkpoint.ts";
import { FUNSD_LABELS, HF_FIXTURES, exportModel, micro, microTokenizer } from "../src/models/hf_fixture.ts";

const out = fileURLToPath(new URL("aetnet_export/", HF_FIXTURES));
const files = exportHfCheckpoint(out, { config: micro, kind: "token", labels: FUNSD_LABELS, weights: exportModel().stateDict(), tokenizer: microTokenizer() });
console.log(files.join("\n"));
