// The distributed job queue against a real Redis: two worker processes, one killed (SIGKILL) in the middle of a
// job; every document must end with exactly one result, equal to folder mode's, and the corrupt one in the failed set.
import { suite } from "uvu";
import { skipWhen } from "../../skip.ts";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, type Job } from "bullmq";
import { runCli } from "../cli/run_cli.ts";
import { redisConnection } from "../../../src/queue/connection.ts";
import type { DocumentResult } from "../../../src/extract/result.ts";
import { haveRedisServer, startRedis, type RedisServer } from "./redis_server.ts";
import { trainCheckpoint, writeDocuments } from "./documents.ts";
import { spawnWorker, waitFor, type WorkerProcess } from "./workers.ts";

const NO_REDIS = haveRedisServer() ? null : "redis-server is not installed (bash .ci/setup_system.sh installs it)";
const t = suite("queue: two workers, one killed mid-job");
const DOCS = 24;
let redis: RedisServer | undefined;
const workers: WorkerProcess[] = [];

t.after(async () => {
  for (const w of workers) w.child.kill("SIGKILL");
  await redis?.stop();
});

const readLines = (path: string): DocumentResult[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
/** What must agree between the queue and folder mode: everything but timing. */
const content = (r: DocumentResult) => ({ pages: r.pages, entities: r.entities, error: r.error });

skipWhen(t, NO_REDIS)("every document ends with exactly one result, equal to folder mode's; the corrupt one fails with its error", async () => {
  redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), "aetnet-queue-"));
  const paths = await writeDocuments(join(dir, "docs"), DOCS);
  const checkpoint = trainCheckpoint(join(dir, "run"));

  const add = await runCli("queue", "add", "--input", join(dir, "docs"), "--queue", "forms", "--redis", redis.url, "--attempts", "2");
  assert.is(add.code, 0, add.err);
  assert.match(add.out, new RegExp(`added ${DOCS + 1}, already queued or done 0`));
  const again = await runCli("queue", "add", "--input", join(dir, "docs"), "--queue", "forms", "--redis", redis.url);
  assert.match(again.out, new RegExp(`added 0, already queued or done ${DOCS + 1}`), "adding the same documents again adds nothing");

  const results = join(dir, "results");
  const args = ["--checkpoint", checkpoint, "--queue", "forms", "--redis", redis.url, "--lock-ms", "2000", "--results", results];
  const queue = new Queue("forms", { connection: redisConnection(redis.url) });
  try {
    const victim = spawnWorker("victim", args);
    workers.push(victim);
    // Freeze the victim while it holds a job, confirm the job is still active (not finished), then kill it.
    const killedJob = await waitFor("the victim to hold a job", async () => {
      const held = (await queue.getActive()).find((j) => j.processedBy === "victim" && !j.data.path.endsWith("broken.pdf"));
      if (!held) return undefined;
      victim.child.kill("SIGSTOP");
      if ((await queue.getJobState(held.id!)) === "active") { victim.child.kill("SIGKILL"); return held.id!; }
      victim.child.kill("SIGCONT");
      return undefined;
    }, 120_000);
    await victim.exited;
    const survivor = spawnWorker("survivor", args);
    workers.push(survivor);
    await waitFor("every document to finish", async () => {
      const c = await queue.getJobCounts("completed", "failed");
      return c.completed + c.failed === DOCS + 1 ? c : undefined;
    }, 180_000, 200);

    const done: Job[] = await queue.getCompleted(0, -1);
    const failed: Job[] = await queue.getFailed(0, -1);
    assert.is(done.length, DOCS, survivor.log());
    assert.is(failed.length, 1);
    assert.ok(failed[0].data.path.endsWith("broken.pdf"));
    assert.match(failed[0].failedReason, /broken\.pdf/);
    assert.is(failed[0].attemptsMade, 2, "the corrupt document was tried --attempts times");
    const handedOn = done.find((j) => j.id === killedJob);
    assert.ok(handedOn, `the killed worker's job ${killedJob} was finished by the other worker (failed: ${failed.map((j) => j.id)})`);
    assert.is(handedOn!.processedBy, "survivor");

    // One result file per job id, and `queue results` writes one line per document (and nothing on a rerun).
    assert.equal(readdirSync(results).filter((f) => f.endsWith(".json")).sort(), done.map((j) => `${j.id}.json`).sort());
    const out = join(dir, "queue.jsonl");
    const collected = await runCli("queue", "results", "--queue", "forms", "--redis", redis.url, "--out", out);
    assert.is(collected.code, 0, collected.err);
    const lines = readLines(out);
    assert.is(lines.length, DOCS + 1);
    assert.is(new Set(lines.map((l) => l.document)).size, DOCS + 1);
    assert.match((await runCli("queue", "results", "--queue", "forms", "--redis", redis.url, "--out", out)).out, /0 new lines/);
    assert.is(readLines(out).length, DOCS + 1);

    // Folder mode on the same documents gives the same records.
    const folder = join(dir, "folder.jsonl");
    const predict = await runCli("predict", "--checkpoint", checkpoint, "--input", join(dir, "docs"), "--out", folder);
    assert.is(predict.code, 0, predict.err);
    const byDoc = new Map(readLines(folder).map((r) => [r.document, r]));
    for (const line of lines) {
      const local = byDoc.get(line.document);
      assert.ok(local, `folder mode has ${line.document}`);
      if (line.error === null) assert.equal(content(line), content(local!), line.document);
      else assert.ok(local!.error !== null, `${line.document} failed in folder mode too`);
    }
    assert.ok(lines.some((l) => l.entities.length > 0), "some document has entities");

    const status = await runCli("queue", "status", "--queue", "forms", "--redis", redis.url);
    assert.match(status.out, new RegExp(`0 waiting, 0 active, 0 retrying later, ${DOCS} done, 1 failed`));
    assert.match(status.out, /throughput: [\d.]+ documents\/min/);
    assert.ok(paths.length === DOCS + 1);
  } finally {
    await queue.close();
  }
});

t.run();
