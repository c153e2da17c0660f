// What the browser build pulls in. The library entry of scripts/build_browser.ts (src/index.ts) and
// entityModelFromFiles, which a page uses to open a checkpoint from bytes, must not reach the CLI (checkpoint_model.ts
// brings the task table, every dataset loader and the trainer with it). The engine's Node imports are stubbed in the
// browser by design (scripts/node_stubs.ts), so the engine is left out here; of the library's own modules that
// entityModelFromFiles reaches, only the three whose on-disk functions sit beside the in-memory ones a page calls
// may import Node modules.
import { join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";
import { suite } from "uvu";
import * as assert from "uvu/assert";

const t = suite("browser build imports");
const ROOT = resolve(import.meta.dirname, "../../..");
const ENGINE = join(ROOT, "engine");

/** Leaves the engine, packages and Node modules out of the bundle: only the library's own modules are inputs. */
const libraryOnly: esbuild.Plugin = {
  name: "library-only",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: /^\./ }, (args) => {
      const path = resolve(args.resolveDir, args.path);
      return path.startsWith(`${ENGINE}/`) ? { path, external: true } : undefined;
    });
  },
};

interface Reached { modules: string[]; nodeImports: Map<string, string[]> }

/** The library modules (paths from the project root) that bundling `entry` reaches, and who imports which node: module. */
async function reached(entry: string): Promise<Reached> {
  const { metafile } = await esbuild.build({
    entryPoints: [join(ROOT, entry)], absWorkingDir: ROOT, bundle: true, write: false, metafile: true, format: "esm",
    platform: "browser",
    plugins: [libraryOnly], logLevel: "silent",
  });
  const modules = Object.keys(metafile.inputs).map((p) => relative(ROOT, resolve(ROOT, p))).sort();
  const nodeImports = new Map<string, string[]>();
  for (const [file, input] of Object.entries(metafile.inputs)) {
    const node = input.imports.filter((i) => i.path.startsWith("node:")).map((i) => i.path);
    if (node.length > 0) nodeImports.set(relative(ROOT, resolve(ROOT, file)), [...new Set(node)].sort());
  }
  return { modules, nodeImports };
}

const DATASET_LOADERS = ["funsd", "sroie", "cord", "rvl_cdip"].map((name) => `src/data/${name}.ts`);

t("the library entry of the browser build reaches no CLI module", async () => {
  const { modules } = await reached("src/index.ts");
  assert.ok(modules.includes("src/extract/model_files.ts"), "entityModelFromFiles is in the entry");
  assert.equal(modules.filter((m) => m.startsWith("src/cli/")), []);
});

t("entityModelFromFiles reaches no CLI module, dataset loader or trainer; Node modules only beside in-memory readers",
  async () => {
    const { modules, nodeImports } = await reached("src/extract/model_files.ts");
    assert.equal(modules.filter((m) => m.startsWith("src/cli/") || DATASET_LOADERS.includes(m)), []);
    assert.not.ok(modules.includes("src/train/trainer.ts"), "the trainer is not reached");
    assert.equal(Object.fromEntries(nodeImports), {
      "src/data/tokenizer/files.ts": ["node:fs", "node:path"], // loadVocabMerges; a page uses vocabMergesFromText
      "src/models/hf_checkpoint.ts": ["node:fs", "node:path"], // loadHfCheckpoint; a page uses buildHfModel
      "src/train/checkpoint.ts": ["node:path"], // loadTrainingCheckpoint; a page uses checkpointModel
    });
  });

t.run();
