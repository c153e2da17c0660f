#!/usr/bin/env node
// The `aetnet` command. Installed from npm it runs the built JavaScript in dist/. In a checkout of the
// repository, where the TypeScript sources sit beside this file (the package does not ship them), it runs
// the sources through tsx, a development dependency, so that an edit is live without a build.
import { existsSync } from "node:fs";

const sources = new URL("../src/cli/main.ts", import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import("../dist/src/cli/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
