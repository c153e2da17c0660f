// A tiny static server for the browser example (examples/browser/, after build.ts has made dist/).
//   npx tsx examples/browser/serve.ts [port]      (port also from PORT; default 8080, 0 = any free one;
//                                                  HOST=0.0.0.0 to serve beyond this machine)
// It sends COOP/COEP so the page is cross-origin isolated (SharedArrayBuffer available), and only
// serves files under examples/browser/.
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";

const ROOT = resolve(import.meta.dirname);

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".md": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/** Starts serving `root` on host:`port` (0 = a free port); resolves with the server and its URL. */
export function serve(port = 8080, root = ROOT, host = "127.0.0.1"): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    let path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    if (path.endsWith("/")) path += "index.html";
    const file = resolve(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) { res.writeHead(403, headers).end("forbidden"); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "Content-Type": MIME[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end(`not found: ${path}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok({ server, url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${(server.address() as AddressInfo).port}/` }));
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const { url } = await serve(port, ROOT, process.env.HOST ?? "127.0.0.1");
  console.log(`serving ${ROOT} at ${url}  (Ctrl-C to stop)`);
}
