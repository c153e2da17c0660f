// AETNET_BACKEND=gpu selects the gpu backend for a whole program: opening a device is asynchronous,
// so it happens here, awaited at import time by engine/index.ts, before any op can run.
import { env, setBackend } from "./registry.ts";

if (env("AETNET_BACKEND") === "gpu") await setBackend("gpu");
