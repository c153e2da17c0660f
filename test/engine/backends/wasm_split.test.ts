// How wasm kernel calls are split over threads: every item lands in exactly one job, in order, no job is empty,
// and column ranges keep whole vectors (only the last range may end mid-vector).
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { splitJobs, vectorColumns } from "../../../engine/backends/wasm/split.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("wasm split");

t("splitJobs covers [0, parts) in order with at most min(threads, parts) non-empty jobs", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 200 }), (threads, parts) => {
    const ranges: [number, number, number][] = [];
    const jobs = splitJobs(threads, parts, (s, e, t) => { ranges.push([s, e, t]); return ["f", [s, e]]; });
    assert.is(jobs.length, Math.min(threads, parts));
    let at = 0;
    ranges.forEach(([s, e, t], i) => { assert.is(t, i); assert.is(s, at); assert.ok(e > s); at = e; });
    assert.is(at, parts);
  }), { numRuns: RUNS });
});

t("vectorColumns splits columns in whole vectors, never empty, covering all of them", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 200 }), (threads, inner) => {
    const ranges = vectorColumns(inner, threads);
    assert.ok(ranges.length >= 1 && ranges.length <= threads);
    let at = 0;
    for (const [s, e] of ranges) { assert.is(s, at); assert.ok(e > s); assert.is(s % 4, 0); at = e; }
    assert.is(at, inner);
  }), { numRuns: RUNS });
});

t.run();
