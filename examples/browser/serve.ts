// A tiny static server for the browser example (examples/browser/, after build.ts has made dist/).
//   npx tsx examples/browser/serve.ts [port]      (port also from PORT; default 8080, 0 = any free one;
//                                                  HOST=0.0.0.0 to serve beyond this machine)
// It sends COOP/COEP so the page is cross-origin isolated (SharedArrayBuffer available), and only
// serves files under examples/browser/.
import { createServer, type Server } from "node:http";
import { readFile, realpath } from "node:fs/promises";
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

/**
 * The file under `root` that a request path names, or the HTTP status that refuses it: 400 for a path that is not
 * valid percent-encoding (decodeURIComponent throws on "/%E0%A4%A"), 403 for one that leaves `root`, also through
 * a symbolic link.
 */
export async function resolveRequest(root: string, url: string): Promise<{ file: string; path: string } | { status: 400 | 403 }> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, "http://localhost").pathname);
  } catch {
    return { status: 400 };
  }
  if (path.includes("\0")) return { status: 400 };
  if (path.endsWith("/")) path += "index.html";
  const inside = (base: string, file: string): boolean => file === base || file.startsWith(base + sep);
  const file = resolve(join(root, path));
  if (!inside(root, file)) return { status: 403 };
  const realRoot = await realpath(root);
  const real = await realpath(file).catch(() => null); // a missing file is the caller's 404
  if (real !== null && !inside(realRoot, real)) return { status: 403 };
  return { file, path };
}

/** Starts serving `root` on host:`port` (0 = a free port); resolves with the server and its URL. */
export function serve(port = 8080, root = ROOT, host = "127.0.0.1"): Promise<{ server: Server; url: string }> {
  root = resolve(root);
  const server = createServer(async (req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    const text = { ...headers, "Content-Type": "text/plain; charset=utf-8" };
    // Nothing a request holds may throw out of this handler: an async handler's rejection would end the process.
    try {
      const target = await resolveRequest(root, req.url ?? "/");
      if ("status" in target) {
        res.writeHead(target.status, text).end(target.status === 400 ? "bad request: malformed URL" : "forbidden");
        return;
      }
      const body = await readFile(target.file).catch(() => null);
      if (body === null) { res.writeHead(404, text).end(`not found: ${target.path}`); return; }
      res.writeHead(200, { ...headers, "Content-Type": MIME[extname(target.file)] ?? "application/octet-stream" }).end(body);
    } catch {
      if (!res.headersSent) res.writeHead(500, text);
      res.end("internal error");
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
