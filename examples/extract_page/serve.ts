// Serves the extraction page (examples/extract_page/, after build.ts has made dist/) on 127.0.0.1.
//   npx tsx examples/extract_page/serve.ts [port]     (default 8081; 0 = any free port)
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../browser/serve.ts";
import { PAGE_DIR } from "./build.ts";

export const servePage = (port = 0): ReturnType<typeof serve> => serve(port, PAGE_DIR);

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await servePage(Number(process.argv[2] ?? process.env.PORT ?? 8081));
  console.log(`serving the extraction page at ${url}  (Ctrl-C to stop)`);
}
