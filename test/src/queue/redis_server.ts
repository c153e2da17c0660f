// A real Redis for the queue tests: Debian's redis-server on a free loopback port with its own data folder,
// started per suite and shut down at the end (CI installs it in .ci/setup_system.sh).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REDIS_SERVER = process.env.AETNET_REDIS_SERVER ?? "redis-server";

/** Whether redis-server can be run here (tests report themselves skipped otherwise). */
export const haveRedisServer = (): boolean => spawnSync(REDIS_SERVER, ["--version"], { stdio: "ignore" }).status === 0;

export interface RedisServer { url: string; port: number; dir: string; stop(): Promise<void> }

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} before listening on ${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => { s.end(); resolve(true); });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Starts redis-server with append-only persistence (fsync every write) in a temp folder. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "aetnet-redis-"));
  const port = await freePort();
  const child = spawn(REDIS_SERVER, [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes",
    "--appendfsync", "always", "--daemonize", "no", "--logfile", join(dir, "redis.log"),
  ], { stdio: "ignore" });
  await waitForPort(port, child);
  return {
    url: `redis://127.0.0.1:${port}`, port, dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
