// AETNET_BACKEND=gpu selects the gpu backend for a whole program: opening a device is asynchronous,
// so it happens here, awaited at import time by engine/index.ts, before any op can run.
import { setBackend } from "./registry.ts";

const wanted = typeof process === "undefined" ? undefined : process.env?.AETNET_BACKEND;
if (wanted === "gpu") await setBackend("gpu");
