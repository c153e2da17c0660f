// Optional peer packages: present ones load; a missing one is a one-line MissingDependencyError naming the
// npm command; the gpu backend without gpu.js says to install it instead of failing in the resolver.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { EngineError, MissingDependencyError, importOptional } from "../../engine/index.ts";
import { requireInstalled } from "../../engine/optional_dependency.ts";

const t = suite("optional dependencies");

t("an installed package loads", async () => {
  const png = await importOptional<typeof import("pngjs")>("pngjs", "test");
  assert.type(png.PNG, "function");
});

t("a missing package is a typed one-line error saying what to install", async () => {
  try {
    await importOptional("aetnet-no-such-package", "documents");
    assert.unreachable("should throw");
  } catch (err) {
    assert.instance(err, MissingDependencyError);
    assert.instance(err, EngineError);
    assert.is((err as MissingDependencyError).packageName, "aetnet-no-such-package");
    assert.is((err as Error).message,
      '[documents] needs the optional package "aetnet-no-such-package", which is not installed; run: npm install aetnet-no-such-package');
    assert.not.match((err as Error).message, /\n/);
  }
});

t("requireInstalled checks without loading", () => {
  requireInstalled("pngjs", "test");
  assert.throws(() => requireInstalled("aetnet-no-such-package", "gpu"),
    (e: unknown) => e instanceof MissingDependencyError && /run: npm install aetnet-no-such-package$/.test(e.message));
});

t.run();
