// The browser example's static server under hostile requests: malformed percent-encoding gets 400 and the server
// keeps serving; paths that leave the served folder (dot segments, encoded slashes, symbolic links) get 403.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { serve } from "../../examples/browser/serve.ts";
import { tempDir } from "../src/data/fixtures.ts";

const t = suite("browser example server");
let server: Server | null = null;
let base = "";
const outer = tempDir("serve");
const root = join(outer, "site");

t.before(async () => {
  mkdirSync(root);
  writeFileSync(join(root, "index.html"), "<p>hi</p>");
  writeFileSync(join(outer, "secret.txt"), "secret");
  symlinkSync(join(outer, "secret.txt"), join(root, "link.txt"));
  ({ server, url: base } = await serve(0, root));
});
t.after(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  rmSync(outer, { recursive: true, force: true });
});

/** GET with the path sent exactly as written (no client-side normalisation). */
function get(path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c)).on("end", () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail).end();
  });
}

t("serves files under its folder", async () => {
  assert.equal(await get("/"), { status: 200, body: "<p>hi</p>" });
  assert.is((await get("/missing.js")).status, 404);
});

t("malformed percent-encoding gets 400 and the server keeps serving", async () => {
  for (const path of ["/%E0%A4%A", "/%", "/%ZZ", "/a%00b"]) assert.is((await get(path)).status, 400, path);
  assert.is((await get("/index.html")).status, 200);
});

t("paths that leave the folder get 403, also through a symbolic link", async () => {
  for (const path of ["/..%2fsecret.txt", "/%2E%2E%2F%2E%2E%2F" + tmpdir().slice(1), "/link.txt"]) {
    const r = await get(path);
    assert.is(r.status, 403, path);
    assert.not.match(r.body, /secret/);
  }
  // The URL parser itself resolves encoded dot segments, so this one stays inside (and is simply missing).
  assert.is((await get("/%2e%2e/secret.txt")).status, 404);
});

t.run();
