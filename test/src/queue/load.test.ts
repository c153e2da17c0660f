// A bounded load run of the queue (bench/queue_load.ts) on a real Redis over loopback: folder mode, then 1 and 2
// worker processes on the same documents. It prints the throughput and checks only that every document was done;
// the timings that go into PERFORMANCE.md come from the bench, with more documents.
import { suite } from "uvu";
import { skipWhen } from "../../skip.ts";
import * as assert from "uvu/assert";
import { formatRows, queueLoad } from "../../../bench/queue_load.ts";
import { haveRedisServer } from "./redis_server.ts";

const NO_REDIS = haveRedisServer() ? null : "redis-server is not installed (bash .ci/setup_system.sh installs it)";
const t = suite("queue: load with 1 and 2 workers");

skipWhen(t, NO_REDIS)("folder mode, 1 worker and 2 workers each finish every document", async () => {
  const rows = await queueLoad(6, "pdfs", [1, 2]);
  console.log(`\n${formatRows(rows)}`);
  assert.equal(rows.map((r) => r.mode), ["folder mode, 1 process", "queue, 1 worker", "queue, 2 workers"]);
  for (const r of rows) assert.is(r.documents, 6);
});

t.run();
